"""举报: a reason from four, one report per reader per comment, only on visible comments; at
COMMENT_REPORT_THRESHOLD reports since the last moderator's decision the comment is hidden and
goes back to the queue for a second decision."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment, Decision, Report
from tests.factories import article_url, make_comment, withdraw

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

JSON = {"HTTP_ACCEPT": "application/json"}


def report_url(comment, variant="zh-hans") -> str:
    return f"/{variant}/comments/{comment.pk}/report/"


def report(client, comment, reason="ad", **extra):
    return client.post(report_url(comment), {"reason": reason}, **{**JSON, **extra})


def reader(n: int = 1) -> Client:
    return Client(REMOTE_ADDR=f"203.0.113.{n}")


@pytest.fixture
def approved(article, moderator):
    return make_comment(article, approve_by=moderator, nickname="乙", body="MARKERREPORTED")


def test_a_report_is_stored_with_its_reason_and_counted_once_per_reader(approved):
    client = reader()
    response = report(client, approved, "abuse")
    assert response.status_code == 200
    assert response.json()["counted"] is True
    assert "举报已收到" in response.json()["message"]
    again = report(client, approved, "illegal")
    assert again.status_code == 200
    assert again.json()["counted"] is False
    assert again.json()["message"] == "您已经举报过这条评论，谢谢。"
    assert list(Report.objects.values_list("reason", flat=True)) == ["abuse"]
    approved.refresh_from_db()
    assert approved.open_reports == 1


@pytest.mark.parametrize("reason", ["", "spam", "AD", "广告", "x" * 500])
def test_an_invalid_reason_is_400_with_a_clear_message(approved, reason):
    response = report(reader(), approved, reason)
    assert response.status_code == 400
    assert response.json()["error"] == "请选择举报原因：广告、辱骂、违法违规或其他。"
    page = reader().post(report_url(approved), {"reason": reason})
    assertContains(page, "请选择举报原因", status_code=400)
    assert not Report.objects.exists()


@pytest.mark.parametrize("state", ["pending", "rejected", "spam", "missing"])
def test_reporting_a_comment_that_is_not_visible_is_404(article, moderator, state):
    if state == "missing":
        comment = Comment(pk=987655)
    else:
        comment = make_comment(article)
        if state != "pending":
            comment.decide(state, moderator)
    response = report(reader(), comment)
    assert response.status_code == 404
    assert response.json()["error"] == "这条评论不存在或尚未公开。"
    assertContains(reader().get(report_url(comment)), "不存在或尚未公开", status_code=404)
    assert not Report.objects.exists()


def test_a_reply_under_a_hidden_parent_cannot_be_reported(approved, moderator):
    reply = make_comment(approved.article, parent=approved, reply_to=approved)
    reply.approve(by=moderator)
    approved.reject(by=moderator)
    assert report(reader(), reply).status_code == 404
    assert reader().get(report_url(reply)).status_code == 404
    assert not Report.objects.exists()
    assert Comment.objects.get(pk=reply.pk).open_reports == 0


@pytest.mark.parametrize("change", ["unpublished", "scheduled"])
def test_a_comment_on_an_article_no_longer_published_cannot_be_reported(approved, change):
    withdraw(approved.article, change)
    response = report(reader(), approved)
    assert response.status_code == 404
    assert response.json()["error"] == "这条评论不存在或尚未公开。"
    page = reader(2).post(report_url(approved), {"reason": "ad"})
    assertContains(page, "不存在或尚未公开", status_code=404)
    assertNotContains(reader(3).get(report_url(approved)), "MARKERREPORTED", status_code=404)
    assert not Report.objects.exists()
    assert Comment.objects.get(pk=approved.pk).open_reports == 0


def test_without_javascript_the_report_link_opens_the_reasons_and_redirects_back(approved):
    client = reader()
    page = client.get(report_url(approved))
    assert page.status_code == 200
    assert "no-cache" in page["Cache-Control"]
    for label in ("广告", "辱骂", "违法违规", "其他"):
        assertContains(page, label)
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(report_url(approved), {"reason": "other", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == f"{article_url(approved.article)}#c{approved.pk}"
    assertContains(client.get(response["Location"]), "举报已收到")


def test_without_a_csrf_token_the_reader_is_asked_to_confirm_with_the_reason_kept(approved):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.60")
    confirm = client.post(report_url(approved), {"reason": "illegal"})
    assertContains(confirm, "违法违规", status_code=403)
    html = confirm.content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert 'name="reason" value="illegal"' in html
    data = {"reason": "illegal", "csrfmiddlewaretoken": token}
    response = client.post(report_url(approved), data)
    assert response.status_code == 302
    assert Report.objects.get().reason == "illegal"


def test_a_flood_of_reports_gets_429(article, moderator, settings):
    settings.COMMENT_REPORT_RATE = "2/600"
    comments = [make_comment(article, approve_by=moderator) for _ in range(3)]
    client = reader(7)
    assert [report(client, c).status_code for c in comments] == [200, 200, 429]
    assert Report.objects.count() == 2


def test_at_the_threshold_the_comment_is_hidden_for_a_second_decision(approved, settings):
    settings.COMMENT_REPORT_THRESHOLD = 3
    url = article_url(approved.article)
    assertContains(reader(50).get(url), "MARKERREPORTED")  # cached now
    for n in range(1, 3):
        report(reader(n), approved)
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.open_reports == 2
    assertContains(reader(50).get(url), "MARKERREPORTED")
    report(reader(3), approved)
    approved.refresh_from_db()
    assert approved.status == "pending"
    assert approved.open_reports == 3  # the desk's 被举报 queue keeps them
    decision = approved.decisions.first()
    assert decision.moderator is None and decision.reason == "被举报 3 次，等待复审"
    page = reader(51).get(url)
    assertNotContains(page, "MARKERREPORTED")
    assert approved.article.__class__.objects.get(pk=approved.article_id).comment_count == 0
    # Hidden: no more reports, nor likes.
    assert report(reader(4), approved).status_code == 404


def test_a_moderator_approving_again_starts_the_count_afresh(approved, moderator, settings):
    settings.COMMENT_REPORT_THRESHOLD = 2
    report(reader(1), approved)
    report(reader(2), approved)
    approved.refresh_from_db()
    assert approved.status == "pending"
    approved.approve(by=moderator)
    approved.refresh_from_db()
    assert approved.open_reports == 0
    report(reader(3), approved)  # one report since the moderator's decision: still shown
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.open_reports == 1
    report(reader(4), approved)
    approved.refresh_from_db()
    assert approved.status == "pending"
    assert Decision.objects.filter(comment=approved, moderator=None).count() == 2


def test_hiding_a_reported_comment_hides_its_replies_and_keeps_the_floor(
    approved, moderator, settings
):
    settings.COMMENT_REPORT_THRESHOLD = 1
    reply = make_comment(approved.article, parent=approved, reply_to=approved, body="MARKERUNDER")
    reply.approve(by=moderator)
    floor = Comment.objects.get(pk=approved.pk).floor
    report(reader(1), approved)
    assertNotContains(reader(2).get(article_url(approved.article)), "MARKERUNDER")
    approved.refresh_from_db()
    approved.approve(by=moderator)
    assert Comment.objects.get(pk=approved.pk).floor == floor
    assertContains(reader(3).get(article_url(approved.article)), "MARKERUNDER")
