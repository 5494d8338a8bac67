"""精选 from the desk: a moderator features or unfeatures an approved top-level comment (card
button or bulk action); it is logged with who and when, and the article's cached pages are
refreshed so the next reader gets the page made afresh."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains

from comments.models import Comment, Decision, Refused
from tests.factories import article_url, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

DESK = "/admin/comments/comment/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def feature_url(comment) -> str:
    return f"{DESK}{comment.pk}/feature/"


def test_featuring_from_the_card_is_logged_with_who_and_when(mod_client, article, moderator):
    comment = make_comment(article, body="值得一读", approve_by=moderator)
    response = mod_client.post(feature_url(comment), {"on": "1", "next": DESK})
    assert response["Location"] == f"{DESK}#card-{comment.pk}"
    assert Comment.objects.get(pk=comment.pk).featured
    logged = Decision.objects.filter(comment=comment).first()
    assert (logged.moderator, logged.from_status, logged.to_status, logged.reason) == (
        moderator,
        "approved",
        "approved",
        "设为精选",
    )
    assertContains(mod_client.get(DESK, {"status": "approved"}), "取消精选")

    mod_client.post(feature_url(comment), {"on": "0", "next": DESK})
    assert not Comment.objects.get(pk=comment.pk).featured
    assert Decision.objects.filter(comment=comment).first().reason == "取消精选"
    history = mod_client.get(f"{DESK}{comment.pk}/change/")
    assertContains(history, "设为精选")
    assertContains(history, "取消精选")


@pytest.mark.parametrize("on", ["1", "0"])
def test_featuring_and_unfeaturing_refresh_the_cached_article_page(
    mod_client, article, moderator, on
):
    comment = make_comment(article, body="精选候选", approve_by=moderator)
    if on == "0":
        comment.feature(moderator)
    reader = Client()
    assert reader.get(article_url(article))["X-Page-Cache"] == "miss"
    assert reader.get(article_url(article))["X-Page-Cache"] == "hit"
    mod_client.post(feature_url(comment), {"on": on}, **JSON)
    page = reader.get(article_url(article))
    assert page["X-Page-Cache"] == "miss"  # made afresh, with the comment (un)featured
    assertContains(page, "精选候选")


def test_featuring_twice_records_once(mod_client, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    first = mod_client.post(feature_url(comment), {"on": "1"}, **JSON).json()
    second = mod_client.post(feature_url(comment), {"on": "1"}, **JSON).json()
    assert first["featured"] and first["decision"]
    assert second["featured"] and second["decision"] is None
    assert Decision.objects.filter(comment=comment, reason="设为精选").count() == 1


@pytest.mark.parametrize("which", ["pending", "rejected", "reply"])
def test_only_approved_top_level_comments_can_be_featured(mod_client, article, moderator, which):
    if which == "reply":
        top = make_comment(article, approve_by=moderator)
        comment = make_comment(article, parent=top, reply_to=top, approve_by=moderator)
    else:
        comment = make_comment(article)
        if which == "rejected":
            comment.reject(by=moderator)
    response = mod_client.post(feature_url(comment), {"on": "1"}, **JSON)
    assert response.status_code == 409
    assert response.json()["error"] == "只有已通过的主评论（不是回复）可以设为精选。"
    assert not Comment.objects.get(pk=comment.pk).featured
    with pytest.raises(Refused):
        comment.feature(moderator)


def test_a_featured_comment_that_was_rejected_can_still_be_unfeatured(
    mod_client, article, moderator
):
    comment = make_comment(article, approve_by=moderator)
    comment.feature(moderator)
    comment.reject(by=moderator)
    page = mod_client.get(DESK, {"status": "rejected"})
    assertContains(page, "取消精选")
    assert mod_client.post(feature_url(comment), {"on": "0"}, **JSON).status_code == 200
    assert not Comment.objects.get(pk=comment.pk).featured


def test_bad_feature_input_is_a_400(mod_client, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    response = mod_client.post(feature_url(comment), {"on": "maybe"}, **JSON)
    assert response.status_code == 400
    assert mod_client.get(feature_url(comment)).status_code == 405
    assert mod_client.post(f"{DESK}999999/feature/", {"on": "1"}).status_code == 404


@pytest.mark.parametrize("role", ["editor", "anonymous"])
def test_only_moderators_feature(request, role, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    client = Client()
    if role == "editor":
        client.force_login(request.getfixturevalue("editor"))
    response = client.post(feature_url(comment), {"on": "1"}, **JSON)
    if role == "editor":
        assert response.status_code == 403
        assert response.json()["error"] == "你没有审核评论的权限。"
    else:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not Comment.objects.get(pk=comment.pk).featured
    assert not Decision.objects.filter(reason="设为精选").exists()


def test_bulk_featuring_features_what_it_may_and_says_what_it_skipped(
    mod_client, article, moderator
):
    approved = make_comment(article, approve_by=moderator)
    pending = make_comment(article)
    response = mod_client.post(
        f"{DESK}?status=all",
        {"action": "feature", "_selected_action": [approved.pk, pending.pk]},
        follow=True,
    )
    assertContains(response, "已设为精选：1 条评论。")
    assertContains(response, "1 条不适用")
    assert list(Comment.objects.filter(featured=True)) == [approved]
    response = mod_client.post(
        f"{DESK}?status=all", {"action": "unfeature", "_selected_action": [approved.pk]}
    )
    assert not Comment.objects.get(pk=approved.pk).featured


def test_a_featuring_is_not_offered_for_undo(mod_client, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    featuring = comment.feature(moderator)
    assert featuring not in Decision.objects.undoable_by(moderator)
    assert Decision.objects.undoable_by(moderator).get().to_status == "approved"


def test_a_conflict_names_the_decision_not_a_later_featuring(
    mod_client, article, django_user_model
):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("zhang", password="pw", is_staff=True)
    other.groups.add(Group.objects.get(name="Moderators"))
    comment = make_comment(article)
    comment.approve(by=other)
    comment.feature(other)
    stale = mod_client.post(
        f"{DESK}{comment.pk}/decide/", {"decision": "spam", "seen": "pending"}, **JSON
    )
    assert stale.status_code == 409
    assert (stale.json()["by"], stale.json()["label"], stale.json()["reason"]) == (
        "zhang",
        "已通过",
        "",
    )
