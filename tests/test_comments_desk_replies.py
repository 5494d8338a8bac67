"""Replies and the community on the desk's cards: the comment a reply answers shown beside it in
the moderator's script, a warning when the reply's top-level comment is not public, 楼层/顶/精选
on cards and in the detail page — in a constant number of queries per page."""

import re

import pytest
from django.db.models import F
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment, Report
from tests.factories import make_article, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

DESK = "/admin/comments/comment/"


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def rendered(article, **fields) -> Comment:
    """A comment as posting stores it: with its renderings in every script."""
    comment = make_comment(article, **fields)
    comment.refresh_renderings()
    comment.save()
    return comment


def reply(to, **fields) -> Comment:
    return rendered(to.article, parent_id=to.parent_id or to.pk, reply_to=to, **fields)


def card_of(response, comment) -> str:
    """The text of one card, tags removed and spaces folded."""
    page = response.content.decode()
    found = re.search(rf'<article [^>]*id="card-{comment.pk}".*?</article>', page, re.S)
    assert found, f"no card for comment {comment.pk}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


def test_a_replys_card_shows_the_comment_it_answers_with_its_status(mod_client, article, moderator):
    parent = rendered(article, nickname="老王", body="这篇报道很扎实", approve_by=moderator)
    answer = reply(parent, nickname="小李", body="同意楼上")
    text = card_of(mod_client.get(DESK), answer)
    assert "回复 老王 · 1楼 已通过" in text
    assert "这篇报道很扎实" in text
    assert "上级评论未公开" not in text


def test_a_reply_to_a_reply_shows_both_the_answered_and_the_top_level_comment(
    mod_client, article, moderator
):
    top = rendered(article, nickname="甲", body="主评论的话", approve_by=moderator)
    first = reply(top, nickname="乙", body="第一条回复")
    first.approve(by=moderator)
    second = reply(first, nickname="丙", body="回复乙的话")
    text = card_of(mod_client.get(DESK), second)
    assert "回复 乙 已通过 第一条回复" in text
    assert "所属主评论 甲 · 1楼 已通过 主评论的话" in text


@pytest.mark.parametrize(
    ("parent_status", "reply_approved", "warning"),
    [
        ("pending", False, "上级评论未公开，通过后也暂不显示。"),
        ("rejected", False, "上级评论未公开，通过后也暂不显示。"),
        ("rejected", True, "上级评论未公开，这条回复暂不显示。"),
    ],
)
def test_a_reply_under_a_hidden_parent_says_it_will_not_be_seen(
    mod_client, article, moderator, parent_status, reply_approved, warning
):
    parent = rendered(article, nickname="老王", body="被藏起来的主评论", approve_by=moderator)
    answer = reply(parent, body="回复内容")
    if reply_approved:
        answer.approve(by=moderator)
    if parent_status == "pending":
        parent.decide(Comment.Status.PENDING, None, reason="被举报 3 次，等待复审")
    else:
        parent.reject(by=moderator)
    status = "approved" if reply_approved else "pending"
    text = card_of(mod_client.get(DESK, {"status": status}), answer)
    assert warning in text
    assert Comment.Status(parent_status).label in text


def test_the_parent_is_shown_in_the_moderators_script(mod_client, article, moderator):
    parent = rendered(article, nickname="读者", body="这个软件的质量很好", approve_by=moderator)
    answer = reply(parent, body="回复")
    mod_client.post(f"{DESK}script/", {"variant": "zh-tw", "next": DESK})
    page = mod_client.get(DESK)
    text = card_of(page, answer)
    assert "這個軟體" in text and "这个软件" not in text


def test_cards_show_floor_likes_featured_and_reports(mod_client, article, moderator):
    top = rendered(article, nickname="读者", body="好评", approve_by=moderator)
    top.feature(moderator)
    Comment.objects.filter(pk=top.pk).update(like_count=12, open_reports=2)
    text = card_of(mod_client.get(DESK, {"status": "approved"}), top)
    for shown in ("1楼", "精选", "顶 12", "被举报 ×2"):
        assert shown in text


def test_the_detail_page_shows_floor_likes_featured_and_the_report_log(
    mod_client, article, moderator
):
    top = rendered(article, body="好评", approve_by=moderator)
    top.feature(moderator)
    Comment.objects.filter(pk=top.pk).update(like_count=7)
    Report.objects.create(comment=top, reason=Report.Reason.AD, reader="r1")
    page = mod_client.get(f"{DESK}{top.pk}/change/")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert "楼层: 1" in text
    assert "顶: 7" in text
    assert re.search(r"精选:</label>\s*<div[^>]*>\s*<img [^>]*icon-yes", page.content.decode())
    assert "举报记录" in text and "广告" in text
    assertContains(page, "设为精选")  # the log names the featuring, its moderator and time
    assertContains(page, moderator.username)


def test_a_top_level_comment_has_no_parent_block(mod_client, article):
    rendered(article, body="只是一条评论")
    assertNotContains(mod_client.get(DESK), 'class="desk-parents"')


def test_the_desk_costs_the_same_queries_for_5_or_50_replies_and_reported_cards(
    mod_client, moderator, category, django_assert_max_num_queries
):
    """Parents and reports are one query each for the page, whatever it shows."""

    def fill(n):
        for i in range(n):
            article = make_article(category=category)
            top = make_comment(article, body=f"主评论{i}", approve_by=moderator)
            answered = make_comment(article, parent=top, reply_to=top, approve_by=moderator)
            make_comment(article, parent=top, reply_to=answered, body=f"待审回复{i}")
            reported = make_comment(article, body=f"被举报{i}", approve_by=moderator)
            for reader, reason in (("a", "ad"), ("b", "abuse"), ("c", "ad")):
                Report.objects.create(comment=reported, reason=reason, reader=f"{reader}{i}")
            Comment.objects.filter(pk=reported.pk).update(open_reports=F("open_reports") + 3)
            reported.decide(Comment.Status.PENDING, None, reason="被举报 3 次，等待复审")

    fill(3)
    mod_client.get(DESK)  # the session and the user are loaded once
    with django_assert_max_num_queries(16) as few:
        page = mod_client.get(DESK)
    assert len(re.findall('class="desk-parents"', page.content.decode())) == 3
    assert len(re.findall('class="desk-reports"', page.content.decode())) == 3
    fill(22)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = mod_client.get(DESK)
    assert len(re.findall('class="desk-parents"', page.content.decode())) == 25
    assert len(re.findall('class="desk-reports"', page.content.decode())) == 25
    assert len(many.captured_queries) == len(few.captured_queries)
