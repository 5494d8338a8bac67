"""The 被举报 queue on the desk: reported comments of any status, most reported first, with
their open reports counted per reason; comments the report threshold hid are marked in the
pending queue; 驳回举报 keeps a comment, clears its reports and is logged with who and when."""

import re

import pytest
from django.db.models import F
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment, Decision, Refused, Report
from tests.factories import article_url, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

DESK = "/admin/comments/comment/"
JSON = {"HTTP_ACCEPT": "application/json"}
HIDDEN_BY_REPORTS = "被举报 {n} 次，等待复审"


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def report(comment, *reasons) -> None:
    """Readers report ``comment``, as the report endpoint stores it: a row each, and the count."""
    start = Report.objects.filter(comment=comment).count()
    for n, reason in enumerate(reasons, start):
        Report.objects.create(comment=comment, reason=reason, reader=f"reader-{comment.pk}-{n}")
    Comment.objects.filter(pk=comment.pk).update(open_reports=F("open_reports") + len(reasons))
    comment.refresh_from_db(fields=["open_reports"])


def hide_by_reports(comment) -> None:
    """What the site does at the report threshold: back to pending, by no moderator."""
    comment.decide(
        Comment.Status.PENDING, None, reason=HIDDEN_BY_REPORTS.format(n=comment.open_reports)
    )


def cards(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="card-(\d+)" data-id', response.content.decode())]


def card_text(response, comment) -> str:
    page = response.content.decode()
    found = re.search(rf'<article [^>]*id="card-{comment.pk}".*?</article>', page, re.S)
    assert found, f"no card for comment {comment.pk}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


def test_the_reported_queue_lists_reported_comments_most_reported_first(
    mod_client, article, moderator
):
    once = make_comment(article, body="一次", approve_by=moderator)
    thrice = make_comment(article, body="三次", approve_by=moderator)
    hidden = make_comment(article, body="五次被隐藏", approve_by=moderator)
    make_comment(article, body="没人举报", approve_by=moderator)
    make_comment(article, body="待审核的")
    report(once, "ad")
    report(thrice, "ad", "abuse", "ad")
    report(hidden, "illegal", "illegal", "abuse", "other", "ad")
    hide_by_reports(hidden)

    response = mod_client.get(DESK, {"status": "reported"})
    assert cards(response) == [hidden.pk, thrice.pk, once.pk]
    assertContains(response, "被举报")  # the tab, beside the statuses


def test_a_card_counts_the_open_reports_per_reason_with_the_latest_time(
    mod_client, article, moderator
):
    comment = make_comment(article, body="有争议", approve_by=moderator)
    report(comment, "ad", "abuse", "ad", "illegal", "other", "ad")
    text = card_text(mod_client.get(DESK, {"status": "reported"}), comment)
    assert "被举报 ×6" in text
    assert re.search(r"广告 ×3 最近 \d\d-\d\d \d\d:\d\d", text)
    for shown in ("辱骂 ×1", "违法违规 ×1", "其他 ×1"):
        assert shown in text
    assert text.index("广告 ×3") < text.index("辱骂 ×1")  # most frequent first


def test_dismissed_reports_are_not_counted_again_when_new_ones_come(mod_client, article, moderator):
    comment = make_comment(article, body="又被举报", approve_by=moderator)
    report(comment, "ad", "ad", "ad")
    comment.dismiss_reports(moderator)
    report(comment, "abuse")
    text = card_text(mod_client.get(DESK, {"status": "reported"}), comment)
    assert "被举报 ×1" in text and "辱骂 ×1" in text
    assert "广告 ×" not in text  # the dismissed ones are history (the detail page lists them)


def test_a_comment_hidden_by_reports_is_marked_in_the_pending_queue(
    mod_client, client, article, moderator
):
    comment = make_comment(article, body="被举报隐藏的评论", approve_by=moderator)
    report(comment, "abuse", "abuse", "ad")
    hide_by_reports(comment)
    assertNotContains(client.get(article_url(article)), "被举报隐藏的评论")
    text = card_text(mod_client.get(DESK), comment)  # the pending queue
    assert "被举报 ×3" in text and "辱骂 ×2" in text and "广告 ×1" in text
    # The moderator decides again: approving it puts it back and clears the reports.
    comment.approve(by=moderator)
    assert Comment.objects.get(pk=comment.pk).open_reports == 0
    assert cards(mod_client.get(DESK, {"status": "reported"})) == []
    assertContains(client.get(article_url(article)), "被举报隐藏的评论")


def test_dismissing_keeps_the_comment_clears_its_reports_and_logs_who_and_when(
    mod_client, client, article, moderator
):
    comment = make_comment(article, body="没问题的评论", approve_by=moderator)
    report(comment, "ad", "other")
    response = mod_client.post(f"{DESK}{comment.pk}/dismiss-reports/", {"next": DESK})
    assert response["Location"] == f"{DESK}#card-{comment.pk}"
    comment.refresh_from_db()
    assert (comment.status, comment.open_reports) == ("approved", 0)
    assert Report.objects.filter(comment=comment).count() == 2  # records are kept
    logged = Decision.objects.filter(comment=comment).first()
    assert (logged.moderator, logged.from_status, logged.to_status, logged.reason) == (
        moderator,
        "approved",
        "approved",
        "驳回举报",
    )
    assert cards(mod_client.get(DESK, {"status": "reported"})) == []
    assertContains(client.get(article_url(article)), "没问题的评论")
    history = mod_client.get(f"{DESK}{comment.pk}/change/")
    assertContains(history, "驳回举报")
    assertContains(history, "已通过（状态未变）")
    assertContains(history, logged.decided_at.astimezone().strftime("%Y-%m-%d"))


def test_dismissing_answers_json_and_a_second_dismissal_changes_nothing(
    mod_client, article, moderator
):
    comment = make_comment(article, approve_by=moderator)
    report(comment, "ad")
    first = mod_client.post(f"{DESK}{comment.pk}/dismiss-reports/", **JSON)
    assert first.status_code == 200
    assert first.json()["open_reports"] == 0 and first.json()["decision"]
    second = mod_client.post(f"{DESK}{comment.pk}/dismiss-reports/", **JSON)
    assert second.status_code == 200
    assert (second.json()["decision"], second.json()["message"]) == (
        None,
        "这条评论没有待处理的举报。",
    )
    assert Decision.objects.filter(comment=comment, reason="驳回举报").count() == 1


def test_reports_of_a_pending_comment_are_decided_not_dismissed(mod_client, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    report(comment, "ad", "ad", "ad")
    hide_by_reports(comment)
    response = mod_client.post(f"{DESK}{comment.pk}/dismiss-reports/", **JSON)
    assert response.status_code == 409
    assert "待审核的请直接通过或拒绝" in response.json()["error"]
    assert Comment.objects.get(pk=comment.pk).open_reports == 3
    with pytest.raises(Refused):
        comment.dismiss_reports(moderator)


def test_the_card_offers_dismissal_only_for_an_approved_reported_comment(
    mod_client, article, moderator
):
    reported = make_comment(article, approve_by=moderator)
    report(reported, "ad")
    hidden = make_comment(article, approve_by=moderator)
    report(hidden, "ad")
    hide_by_reports(hidden)
    page = mod_client.get(DESK, {"status": "reported"})
    assert "驳回举报" in card_text(page, reported)
    assert "驳回举报" not in card_text(page, hidden)


def test_a_dismissal_is_not_offered_for_undo(mod_client, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    approval = Decision.objects.get(comment=comment)
    report(comment, "ad")
    dismissal = comment.dismiss_reports(moderator)
    page = mod_client.get(DESK, {"status": "all"})
    assertContains(page, f"decisions/{approval.pk}/undo/")  # the approval still can be
    assertNotContains(page, f"decisions/{dismissal.pk}/undo/")
    refused = mod_client.post(f"{DESK}decisions/{dismissal.pk}/undo/", **JSON)
    assert refused.status_code == 409


def test_bulk_dismissal_counts_what_it_could_not_apply_to(mod_client, article, moderator):
    kept = make_comment(article, approve_by=moderator)
    report(kept, "ad")
    hidden = make_comment(article, approve_by=moderator)
    report(hidden, "ad")
    hide_by_reports(hidden)
    response = mod_client.post(
        f"{DESK}?status=reported",
        {"action": "dismiss_reports", "_selected_action": [kept.pk, hidden.pk]},
        follow=True,
    )
    assertContains(response, "已驳回举报：1 条评论。")
    assertContains(response, "1 条不适用")
    assert Comment.objects.get(pk=kept.pk).open_reports == 0
    assert Comment.objects.get(pk=hidden.pk).open_reports == 1


@pytest.mark.parametrize("role", ["editor", "anonymous"])
def test_only_moderators_dismiss_reports(request, role, article, moderator):
    comment = make_comment(article, approve_by=moderator)
    report(comment, "ad")
    client = Client()
    if role == "editor":
        client.force_login(request.getfixturevalue("editor"))
    response = client.post(f"{DESK}{comment.pk}/dismiss-reports/", **JSON)
    assert response.status_code in (302, 403)
    assert Comment.objects.get(pk=comment.pk).open_reports == 1


def test_dismissing_is_a_post_and_a_missing_comment_is_404(mod_client):
    assert mod_client.get(f"{DESK}1/dismiss-reports/").status_code == 405
    assert mod_client.post(f"{DESK}999999/dismiss-reports/").status_code == 404
