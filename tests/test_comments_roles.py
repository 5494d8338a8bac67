"""Who may do what with comments: anonymous / editor / moderator (and a view-only staff user)
for every protected view and decision."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.factories import make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

QUEUE = "/admin/comments/comment/"


@pytest.fixture
def view_only(django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    return user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(params=["anonymous", "editor", "moderator"])
def role(request):
    """(name, logged-in client) for each role."""
    name = request.param
    user = None if name == "anonymous" else request.getfixturevalue(name)
    return name, client_for(user)


def test_comment_queue_is_for_moderators_only(role, article):
    name, client = role
    make_comment(article, body="队列里的评论")
    response = client.get(QUEUE)
    expected = {"anonymous": 302, "editor": 403, "moderator": 200}[name]
    assert response.status_code == expected
    if name == "anonymous":
        assert response["Location"].startswith("/admin/login/")
    assert ("队列里的评论" in response.content.decode()) == (name == "moderator")


def test_comment_change_form_is_for_moderators_only(role, article):
    name, client = role
    comment = make_comment(article)
    response = client.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert response.status_code == {"anonymous": 302, "editor": 403, "moderator": 200}[name]


@pytest.mark.parametrize("action", ["approve", "reject", "mark_spam"])
def test_only_moderators_can_decide_in_bulk(role, article, action):
    name, client = role
    comment = make_comment(article)
    client.post(QUEUE, {"action": action, "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    decided = {"approve": "approved", "reject": "rejected", "mark_spam": "spam"}[action]
    assert comment.status == (decided if name == "moderator" else "pending")
    assert comment.moderated_by_id == (comment.moderated_by_id if name == "moderator" else None)


@pytest.mark.parametrize("button", ["_approve", "_reject", "_spam"])
def test_only_moderators_can_decide_from_the_change_form(role, article, button):
    name, client = role
    comment = make_comment(article)
    client.post(f"/admin/comments/comment/{comment.pk}/change/", {button: "1"})
    comment.refresh_from_db()
    assert (comment.status != "pending") == (name == "moderator")
    assert Article.objects.get(pk=article.pk).comment_count == int(
        name == "moderator" and button == "_approve"
    )


def test_banned_words_are_edited_by_moderators_only(role):
    name, client = role
    response = client.post("/admin/comments/bannedword/add/", {"word": "博彩", "note": ""})
    assert response.status_code == {"anonymous": 302, "editor": 403, "moderator": 302}[name]
    from comments.models import BannedWord

    assert BannedWord.objects.filter(word="博彩").exists() == (name == "moderator")


def test_pending_summary_on_the_admin_index_is_shown_to_moderators_only(editor, moderator, article):
    make_comment(article)
    assert "待审核评论" in client_for(moderator).get("/admin/").content.decode()
    assert "待审核评论" not in client_for(editor).get("/admin/").content.decode()


def test_moderator_cannot_publish_or_edit_articles(moderator, category):
    draft = Article.objects.create(
        title="草稿", summary="摘要", body="正文", category=category, status="draft"
    )
    client = client_for(moderator)
    assert client.get("/admin/articles/article/").status_code == 403
    assert client.get(f"/admin/articles/article/{draft.pk}/change/").status_code == 403
    assert not moderator.has_perm("articles.change_article")


def test_editor_cannot_approve_a_comment_unless_also_a_moderator(editor, article):
    from django.contrib.auth.models import Group

    assert not editor.has_perm("comments.moderate_comment")
    editor.groups.add(Group.objects.get(name="Moderators"))
    editor = type(editor).objects.get(pk=editor.pk)  # fresh permission cache
    comment = make_comment(article)
    client_for(editor).post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_staff_with_view_permission_only_sees_the_queue_but_cannot_decide(view_only, article):
    comment = make_comment(article, body="只能看")
    client = client_for(view_only)
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert "只能看" in queue.content.decode()
    assert 'value="approve"' not in queue.content.decode()
    client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    form = client.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert 'name="_approve"' not in form.content.decode()
    client.post(f"/admin/comments/comment/{comment.pk}/change/", {"_approve": "1"})
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_moderators_group_has_least_privilege():
    from django.contrib.auth.models import Group

    granted = set(
        Group.objects.get(name="Moderators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("comments", "moderate_comment") in granted
    assert {app for app, _ in granted} == {"comments"}
    assert ("comments", "delete_comment") not in granted
    assert ("comments", "add_comment") not in granted
