"""The moderators' admin: a queue that opens on pending comments, decisions that record who and
when and keep counts right, and nothing a moderator can rewrite or destroy."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from articles.models import Article
from comments.models import BannedWord, Comment
from tests.factories import (
    article_url,
    comment_form,
    comment_url,
    make_article,
    make_comment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

QUEUE = "/admin/comments/comment/"


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def change_url(comment) -> str:
    return f"/admin/comments/comment/{comment.pk}/change/"


def listed(response) -> list[Comment]:
    return list(response.context["cl"].result_list)


def make_aged(article, hours, **fields) -> Comment:
    with time_machine.travel(timezone.now() - dt.timedelta(hours=hours), tick=False):
        return make_comment(article, **fields)


def act(mod_client, action, comments, query=""):
    return mod_client.post(
        QUEUE + query, {"action": action, "_selected_action": [c.pk for c in comments]}
    )


# --- the queue --------------------------------------------------------------------------------


def test_queue_opens_on_pending_comments_oldest_first(mod_client, article, moderator):
    newer = make_aged(article, 1, body="较新")
    older = make_aged(article, 5, body="较旧")
    make_aged(article, 9, body="已通过", approve_by=moderator)
    make_aged(article, 9, body="已拒绝").reject(by=moderator)
    assert listed(mod_client.get(QUEUE)) == [older, newer]


def test_queue_shows_article_link_nickname_text_reasons_address_and_age(mod_client, article):
    make_aged(
        article,
        3,
        nickname="老王",
        body="这是一条很长的评论" * 20,
        ip_address="203.0.113.5",
        suspected=True,
        suspicion_reasons=["链接过多（3 个）", "屏蔽词：赌博"],
    )
    response = mod_client.get(QUEUE)
    assertContains(response, f'<a href="{article_url(article)}"')
    assertContains(response, article.title[:24])
    assertContains(response, "老王")
    assertContains(response, "这是一条很长的评论" * 20)  # the whole text, on a card
    assertContains(response, "<li>链接过多（3 个）</li><li>屏蔽词：赌博</li>")
    assertContains(response, "203.0.113.5")
    assertContains(response, "3\xa0小时")


def test_queue_and_admin_index_show_the_pending_count_and_the_oldest_age(mod_client, article):
    make_aged(article, 26, body="最早")
    make_aged(article, 1)
    make_aged(article, 0).approve(by=None)
    queue = mod_client.get(QUEUE)
    assertContains(queue, '待审核：<strong id="pending-count">2</strong> 条')
    assertContains(queue, "最早一条已等待 1\xa0日，2\xa0小时")
    index = mod_client.get("/admin/")
    assertContains(index, "待审核评论：<strong>2</strong> 条")
    assertContains(index, "最早一条已等待 1\xa0日，2\xa0小时")


def test_empty_queue_says_zero_pending(mod_client):
    assertContains(mod_client.get("/admin/"), "待审核评论：<strong>0</strong> 条")
    assertContains(mod_client.get(QUEUE), '<strong id="pending-count">0</strong>')


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?status=approved", ["通过的"]),
        ("?status=rejected", ["拒绝的"]),
        ("?status=spam", ["垃圾的"]),
        ("?status=all", ["待审的", "可疑的", "通过的", "拒绝的", "垃圾的"]),
        ("?suspected__exact=1", ["可疑的"]),
        ("?suspected__exact=0", ["待审的"]),
    ],
)
def test_queue_filters_by_status_and_suspicion(mod_client, article, moderator, query, expected):
    for hours, body in enumerate(["垃圾的", "拒绝的", "通过的", "可疑的", "待审的"]):
        comment = make_aged(article, 10 - hours, body=body, suspected=body == "可疑的")
        {"通过的": comment.approve, "拒绝的": comment.reject, "垃圾的": comment.mark_spam}.get(
            body, lambda by: None
        )(by=moderator)
    bodies = [c.body for c in listed(mod_client.get(QUEUE + query))]
    if query == "?status=all":  # pending first, then the decided ones, oldest first
        expected = ["可疑的", "待审的", "垃圾的", "拒绝的", "通过的"]
    assert bodies == expected


def test_queue_filters_by_article(mod_client, article, category):
    other = make_article(category=category)
    make_comment(article, body="这篇的")
    make_comment(other, body="那篇的")
    bodies = [c.body for c in listed(mod_client.get(f"{QUEUE}?article__id__exact={other.pk}"))]
    assert bodies == ["那篇的"]


def test_queue_filters_by_date(mod_client, article):
    make_aged(article, 24 * 10, body="十天前")
    make_aged(article, 1, body="今天")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    past_week = {
        "created_at__gte": (midnight - dt.timedelta(days=6)).isoformat(),
        "created_at__lt": (midnight + dt.timedelta(days=1)).isoformat(),
    }  # the admin's "过去7天" link
    assert [c.body for c in listed(mod_client.get(QUEUE, past_week))] == ["今天"]
    ten_days_ago = timezone.localtime() - dt.timedelta(days=10)
    year = f"?created_at__year={ten_days_ago.year}&created_at__month={ten_days_ago.month}"
    assert "十天前" in [c.body for c in listed(mod_client.get(QUEUE + year))]


@pytest.mark.parametrize(
    "q, expected", [("赌场", "正文有赌场"), ("小李", "昵称小李"), ("198.51.100.77", "来自某地址")]
)
def test_queue_searches_body_nickname_and_address(mod_client, article, q, expected):
    make_comment(article, body="正文有赌场")
    make_comment(article, body="昵称小李", nickname="小李")
    make_comment(article, body="来自某地址", ip_address="198.51.100.77")
    assert [c.body for c in listed(mod_client.get(QUEUE, {"q": q}))] == [expected]


def test_queue_costs_the_same_queries_for_5_or_60_comments(
    mod_client, article, django_assert_max_num_queries
):
    for _ in range(5):
        make_comment(article)
    mod_client.get(QUEUE)  # the first visit also stores the moderator's script in the session
    with django_assert_max_num_queries(14) as five:
        mod_client.get(QUEUE)
    for _ in range(55):
        make_comment(article)
    with django_assert_max_num_queries(len(five.captured_queries)):
        mod_client.get(QUEUE)


# --- decisions --------------------------------------------------------------------------------


def test_bulk_approve_records_who_and_when_and_publishes(mod_client, article, moderator):
    first, second = make_comment(article, body="甲评论"), make_comment(article, body="乙评论")
    response = act(mod_client, "approve", [first, second])
    assert response.status_code == 302
    for comment in (first, second):
        comment.refresh_from_db()
        assert comment.status == "approved"
        assert comment.moderated_by == moderator
        assert timezone.now() - comment.moderated_at < dt.timedelta(minutes=1)
    assert Article.objects.get(pk=article.pk).comment_count == 2
    page = Client().get(article_url(article))
    assertContains(page, "甲评论")
    assertContains(page, "乙评论")


def test_bulk_reject_keeps_the_comments_and_records_the_decision(mod_client, article, moderator):
    comment = make_comment(article, body="不合适")
    act(mod_client, "reject", [comment])
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("rejected", moderator)
    assert comment.moderated_at is not None
    assertNotContains(Client().get(article_url(article)), "不合适")


def test_bulk_spam_keeps_the_comments_and_records_the_decision(mod_client, article, moderator):
    comment = make_comment(article, body="广告")
    act(mod_client, "mark_spam", [comment])
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("spam", moderator)
    assertNotContains(Client().get(article_url(article)), "广告")


def test_rejecting_an_approved_comment_unpublishes_it_and_lowers_the_count(
    mod_client, article, moderator
):
    comment = make_comment(article, body="先过后拒", approve_by=moderator)
    assert Article.objects.get(pk=article.pk).comment_count == 1
    act(mod_client, "reject", [comment], "?status=approved")
    assert Comment.objects.get(pk=comment.pk).status == "rejected"
    assert Article.objects.get(pk=article.pk).comment_count == 0
    assertNotContains(Client().get(article_url(article)), "先过后拒")


def test_approving_twice_counts_once(article, moderator):
    comment = make_comment(article)
    assert comment.approve(by=moderator) is True
    assert Comment.objects.get(pk=comment.pk).approve(by=moderator) is False
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_count_follows_every_transition(article, moderator):
    comment = make_comment(article)
    steps = [("approve", 1), ("mark_spam", 0), ("approve", 1), ("reject", 0), ("reject", 0)]
    for method, count in steps:
        getattr(comment, method)(by=moderator)
        assert Article.objects.get(pk=article.pk).comment_count == count, method
        assert Comment.objects.visible().filter(article=article).count() == count


def test_change_form_offers_the_three_decisions(mod_client, article):
    comment = make_comment(article)
    response = mod_client.get(change_url(comment))
    for name, label in (
        ("_approve", "通过（公开显示）"),
        ("_reject", "拒绝"),
        ("_spam", "标为垃圾信息"),
    ):
        assertContains(response, f'name="{name}" value="{label}"')


@pytest.mark.parametrize(
    "button, status", [("_approve", "approved"), ("_reject", "rejected"), ("_spam", "spam")]
)
def test_change_form_buttons_decide_and_record(mod_client, article, moderator, button, status):
    comment = make_comment(article)
    response = mod_client.post(change_url(comment), {button: "1"})
    assertRedirects(response, QUEUE, fetch_redirect_response=False)
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (status, moderator)
    assert comment.moderated_at is not None
    assert Article.objects.get(pk=article.pk).comment_count == int(status == "approved")


def test_moderator_cannot_edit_body_or_nickname(mod_client, article):
    comment = make_comment(article, body="原文", nickname="原名")
    page = mod_client.get(change_url(comment))
    assertNotContains(page, 'name="body"')
    assertNotContains(page, 'name="nickname"')
    assertNotContains(page, 'name="status"')
    mod_client.post(change_url(comment), {"body": "篡改", "nickname": "篡改", "status": "approved"})
    mod_client.post(change_url(comment), {"body": "篡改", "_approve": "1"})
    comment.refresh_from_db()
    assert (comment.body, comment.nickname) == ("原文", "原名")
    assert comment.status == "approved"


def test_saving_the_change_form_does_not_undo_another_moderators_decision(
    mod_client, article, moderator
):
    comment = make_comment(article)
    # The form was opened while pending; meanwhile someone approved it; then "save" is pressed.
    mod_client.get(change_url(comment))
    Comment.objects.get(pk=comment.pk).approve(by=moderator)
    mod_client.post(change_url(comment), {"_save": "1"})
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_change_form_shows_suspicion_reasons_address_and_user_agent(mod_client, article):
    comment = make_comment(
        article,
        suspected=True,
        suspicion_reasons=["屏蔽词：赌博"],
        ip_address="2001:db8::1",
        user_agent="TestBrowser/1.0",
    )
    response = mod_client.get(change_url(comment))
    assertContains(response, "屏蔽词：赌博")
    assertContains(response, "2001:db8::1")
    assertContains(response, "TestBrowser/1.0")


def test_moderation_never_deletes_and_never_adds(mod_client, article):
    comment = make_comment(article)
    assert mod_client.get(f"/admin/comments/comment/{comment.pk}/delete/").status_code == 403
    assert mod_client.get("/admin/comments/comment/add/").status_code == 403
    actions = dict(mod_client.get(QUEUE).context["action_form"].fields["action"].choices)
    assert set(actions) == {
        "",
        "approve",
        "reject",
        "mark_spam",
        "feature",
        "unfeature",
        "dismiss_reports",
    }  # no deletion
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_approval_renders_the_comment_in_every_variant(article, moderator):
    comment = make_comment(article, body="软件")
    assert comment.body_variants == {}
    comment.approve(by=moderator)
    stored = Comment.objects.get(pk=comment.pk).body_variants
    assert stored == {"zh-hans": "软件", "zh-hant": "軟件", "zh-tw": "軟體", "zh-hk": "軟件"}


# --- banned words are the moderators' to edit -------------------------------------------------


def test_moderator_adds_a_banned_word_in_the_admin_and_the_next_comment_is_flagged(
    mod_client, client, article
):
    response = mod_client.post(
        "/admin/comments/bannedword/add/", {"word": "博彩", "note": "赌博广告"}
    )
    assert response.status_code == 302
    assert BannedWord.objects.filter(word="博彩").exists()
    client.post(comment_url(article), comment_form(article, body="正规博 彩平台"))
    comment = Comment.objects.get()
    assert comment.suspected and comment.suspicion_reasons == ["屏蔽词：博彩"]
    assertContains(mod_client.get(QUEUE), "屏蔽词：博彩")


def test_removing_a_banned_word_stops_flagging(mod_client, client, article):
    word = BannedWord.objects.create(word="博彩")
    response = mod_client.post(f"/admin/comments/bannedword/{word.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.post(comment_url(article), comment_form(article, body="博彩"))
    assert not Comment.objects.get().suspected


def test_decisions_show_in_the_queue_summary_right_away(mod_client, article):
    comments = [make_comment(article) for _ in range(3)]
    act(mod_client, "approve", comments[:2])
    text = mod_client.get(QUEUE).content.decode()
    assert re.search(r'<strong id="pending-count">1</strong>', text)
