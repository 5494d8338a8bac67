"""A reader posts a comment from the article page: Post/Redirect/Get, pending, seen by its author
only (in 我的留言: tests/test_comments_receipts.py); approved comments are listed in the reader's
script."""

import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from comments.models import Comment
from tests.factories import (
    article_url,
    comment_form,
    comment_url,
    form_tokens,
    make_approved_comments,
    make_comment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

AWAITING = "留言已提交，审核通过后才会公开显示。"
MINE_PENDING = "审核通过后会公开显示，现在只有您能看到。"


def my_panel(client, article, variant="zh-hans"):
    """The author's own comments on the article, as the page's script fetches them."""
    return client.get(f"/{variant}/articles/{article.pk}/comments/mine/")


def comment_count_on_page(response) -> int:
    return int(re.search(r'class="comment-count"[^>]*>(\d+)<', response.content.decode()).group(1))


def test_article_page_offers_the_comment_form_posting_to_the_comments_url(client, article):
    response = client.get(article_url(article))
    # The fragment brings a reader whose comment comes back with an error straight to the form.
    assertContains(
        response, f'action="/zh-hans/articles/{article.pk}/comments/#comment-form-heading"'
    )
    for field in ("nickname", "body", "website", "token", "csrfmiddlewaretoken"):
        assertContains(response, f'name="{field}"')


def test_posting_redirects_back_to_the_article_and_says_the_comment_awaits_moderation(
    client, article
):
    client.get(article_url(article))
    token = form_tokens(client, article)["token"]
    response = client.post(comment_url(article), comment_form(article, body="写得好", token=token))
    assertRedirects(response, article_url(article) + "#comments", fetch_redirect_response=False)
    assertContains(client.get(response["Location"]), AWAITING)


def test_readers_of_a_cached_article_page_each_get_their_own_form_token(article):
    first, second = Client(), Client()
    first.get(article_url(article))
    assert second.get(article_url(article))["X-Page-Cache"] == "hit"
    tokens = {browser: form_tokens(browser, article)["token"] for browser in (first, second)}
    assert tokens[first] != tokens[second]
    # Both comments are kept: neither is taken for a double submit of the other.
    for browser, token in tokens.items():
        data = comment_form(article, body=f"来自{id(browser)}", token=token)
        assert browser.post(comment_url(article), data).status_code == 302
    assert Comment.objects.count() == 2


def test_posted_comment_is_stored_pending_with_address_and_user_agent(client, article):
    client.post(
        comment_url(article),
        comment_form(article, nickname="老张", body="写得好"),
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 测试",
    )
    comment = Comment.objects.get()
    assert (comment.status, comment.nickname, comment.body) == ("pending", "老张", "写得好")
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.7", "Mozilla/5.0 测试")
    assert comment.moderated_by is None and comment.moderated_at is None


def test_author_sees_own_pending_comment_marked_as_awaiting_moderation_after_every_view(
    client, article
):
    client.post(comment_url(article), comment_form(article, body="我的待审评论"))
    for _ in range(2):
        # Never in the page itself (it is shared); in the panel the page fetches for its author.
        assertNotContains(client.get(article_url(article)), "我的待审评论")
        assertContains(my_panel(client, article), "我的待审评论")
        assertContains(my_panel(client, article), MINE_PENDING)


def test_pending_comment_is_hidden_from_other_readers(client, article):
    client.post(comment_url(article), comment_form(article, body="我的待审评论"))
    for variant in ("zh-hans", "zh-hant", "zh-tw", "zh-hk"):
        response = Client().get(article_url(article, variant))
        assertNotContains(response, "我的待审评论")
        assertNotContains(response, "我的待審評論")
        assert comment_count_on_page(response) == 0


def test_author_does_not_see_own_pending_comment_on_another_article(client, article, category):
    from tests.factories import make_article

    other = make_article(category=category)
    client.post(comment_url(article), comment_form(article, body="只属于第一篇"))
    assert my_panel(client, other).status_code == 204
    assertContains(my_panel(client, article), "只属于第一篇")


def test_awaiting_moderation_notice_is_in_the_readers_script(client, article):
    response = client.post(
        comment_url(article, "zh-tw"), comment_form(article, body="寫得好"), follow=True
    )
    # 審核, as the glossary says (OpenCC's s2twp says 稽核, "audit").
    assertContains(response, "留言已提交，審核通過後才會公開顯示。")
    assertContains(my_panel(client, article, "zh-tw"), "審核通過後會公開顯示，現在只有您能看到。")


def test_approved_comments_are_listed_oldest_first_with_nickname_time_and_body(
    client, article, moderator
):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() - timezone.timedelta(hours=2), tick=False):
        make_comment(article, nickname="先来的", body="第一条", approve_by=moderator)
    make_comment(article, nickname="后到的", body="第二条", approve_by=moderator)
    html = client.get(article_url(article)).content.decode()
    assert html.index("第一条") < html.index("第二条")
    assert html.index("先来的") < html.index("第一条")
    first = Comment.objects.get(body="第一条")
    local = timezone.localtime(first.created_at)
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>' in html


def test_blank_nickname_shows_the_default_name_in_the_readers_script(client, article, moderator):
    make_comment(article, nickname="", body="无名评论", approve_by=moderator)
    expected = {
        "zh-hans": "热心网友",
        "zh-hant": "熱心網友",
        "zh-tw": "熱心網友",
        "zh-hk": "熱心網友",
    }
    for variant, name in expected.items():
        html = client.get(article_url(article, variant)).content.decode()
        item = re.search(r'<li class="comment" id="c.*?</li>', html, re.S).group(0)
        assert f'<span class="nickname">{name}</span>' in item


def test_approved_comment_is_shown_in_the_readers_script(client, article, moderator):
    make_comment(article, body="这个软件的网络很快", approve_by=moderator)
    expected = {
        "zh-hans": "这个软件的网络很快",
        "zh-hant": "這個軟件的網絡很快",
        "zh-tw": "這個軟體的網路很快",
        "zh-hk": "這個軟件的網絡很快",
    }
    for variant, text in expected.items():
        assertContains(client.get(article_url(article, variant)), text)


def test_comment_body_keeps_line_breaks(client, article, moderator):
    make_comment(article, body="第一行\n第二行", approve_by=moderator)
    assertContains(client.get(article_url(article)), "第一行<br>第二行")


def test_reader_markup_in_a_comment_is_shown_as_written(client, article, moderator):
    # -{…}- is the editors' conversion markup; in a reader's comment it is just text.
    make_comment(article, body="-{zh-hans:好;zh-hant:坏}- 测试", approve_by=moderator)
    assertContains(client.get(article_url(article)), "-{zh-hans:好;zh-hant:坏}- 测试")


@pytest.mark.parametrize(
    "variant, text",
    [
        ("zh-hans", "暂时没有留言"),
        ("zh-hant", "暫時沒有留言"),
        ("zh-tw", "暫時沒有留言"),
        ("zh-hk", "暫時沒有留言"),
    ],
)
def test_article_without_comments_says_so_in_the_readers_script(client, article, variant, text):
    assertContains(client.get(article_url(article, variant)), text)


def test_comments_are_paginated_fifty_a_page(client, article):
    make_approved_comments(article, 51)
    first = client.get(article_url(article)).content.decode()
    assert first.count('<li class="comment" id="c') == 50
    assert "已通过的评论0<" in first and "已通过的评论49<" in first
    assert "已通过的评论50<" not in first
    assert "?cpage=2#comments" in first
    second = client.get(article_url(article) + "?cpage=2").content.decode()
    assert second.count('<li class="comment" id="c') == 1
    assert "已通过的评论50<" in second


def test_comment_count_beside_the_heat_is_the_approved_count(client, article, moderator):
    for status in ("approve", "approve", "reject", "mark_spam", None):
        comment = make_comment(article)
        if status:
            getattr(comment, status)(by=moderator)
    response = client.get(article_url(article))
    assert comment_count_on_page(response) == 2
    assert response.content.decode().count('<li class="comment" id="c') == 2


# --- notification -----------------------------------------------------------------------------


def test_moderators_are_mailed_when_a_comment_enters_the_queue(
    client, article, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENT_NOTIFY_EMAILS = ["mod@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url(article), comment_form(article, body="请审核我"))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["mod@example.com"]
    assert "请审核我" in mailoutbox[0].body
    desk = f"/admin/comments/comment/?id={Comment.objects.get().pk}&status=all"
    assert desk in mailoutbox[0].body  # the comment on the moderators' desk


def test_no_mail_is_sent_without_notify_addresses(
    client, article, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENT_NOTIFY_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url(article), comment_form(article))
    assert mailoutbox == []
    assert Comment.objects.count() == 1


def test_a_failing_mail_server_loses_no_comment(
    client, article, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.COMMENT_NOTIFY_EMAILS = ["mod@example.com"]

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("comments.views.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url(article), comment_form(article))
    assert response.status_code == 302
    assert Comment.objects.pending().count() == 1


# --- the client's address ---------------------------------------------------------------------


def posted_address(client, article, **headers) -> str | None:
    client.post(comment_url(article), comment_form(article, body=str(headers)), **headers)
    return Comment.objects.latest("pk").ip_address


def test_address_is_remote_addr_and_forwarded_for_is_ignored_without_trusted_proxy(
    client, article, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    address = posted_address(
        client, article, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert address == "198.51.100.9"


def test_address_comes_from_forwarded_for_behind_one_trusted_proxy(client, article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client may send its own X-Forwarded-For; only what our proxy appended is believed.
    address = posted_address(
        client, article, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9"
    )
    assert address == "198.51.100.9"


def test_address_comes_from_the_right_hop_behind_two_trusted_proxies(client, article, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    address = posted_address(
        client,
        article,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 2001:db8::7, 10.0.0.1",
    )
    assert address == "2001:db8::7"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "300.1.1.1"])
def test_missing_or_garbage_forwarded_for_falls_back_to_remote_addr(
    client, article, settings, forwarded
):
    settings.TRUSTED_PROXY_COUNT = 1
    address = posted_address(
        client, article, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert address == "10.0.0.2"
