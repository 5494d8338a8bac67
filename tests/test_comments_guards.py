"""The guards before a comment is stored, each refusing with a readable message, and the
suspicions that hold a comment for moderators without ever publishing it."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments import guards
from comments.models import BannedWord, Comment
from tests.factories import article_url, comment_form, comment_url, form_tokens, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

AWAITING = "留言已提交，审核通过后才会公开显示。"
# Time travel goes forward from now: the test articles were published in the last few hours.
START = timezone.now() + dt.timedelta(minutes=1)


def token_on_page(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def hidden_value(response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', response.content.decode()).group(1)


# --- CSRF -------------------------------------------------------------------------------------


def test_post_without_csrf_token_keeps_the_text_and_goes_through_on_the_second_click(
    article, settings
):
    """What a browser without JavaScript sees: its shared page had no tokens to send.
    The second click comes at once, and is not refused as too fast."""
    settings.COMMENT_MIN_SECONDS = 3
    browser = Client(enforce_csrf_checks=True)
    data = comment_form(article, nickname="老读者", body="没有脚本也能留言", token="")
    response = browser.post(comment_url(article), data)
    assertContains(response, "为防止恶意提交，请再点一次“发表留言”。", status_code=403)
    assertContains(
        response, "没有脚本也能留言", status_code=403
    )  # nothing the reader typed is lost
    assertContains(response, 'value="老读者"', status_code=403)
    assert not Comment.objects.exists()

    again = {
        "nickname": hidden_value(response, "nickname"),
        "body": "没有脚本也能留言",
        "website": "",
        "token": hidden_value(response, "token"),
        "csrfmiddlewaretoken": hidden_value(response, "csrfmiddlewaretoken"),
    }
    assert browser.post(comment_url(article), again).status_code == 302
    assert Comment.objects.get().body == "没有脚本也能留言"


def test_a_csrf_failure_outside_the_comment_form_gets_the_plain_notice(article):
    response = Client(enforce_csrf_checks=True).post("/zh-hans/search/", {"q": "x"})
    assertContains(response, "提交未被接受", status_code=403)
    assertNotContains(response, "comment-form", status_code=403)


def test_a_cached_page_carries_no_tokens_and_the_fetched_ones_are_accepted(article):
    browser = Client(enforce_csrf_checks=True)
    browser.get(article_url(article))
    page = browser.get(article_url(article))
    assert page["X-Page-Cache"] == "hit"
    assert hidden_value(page, "csrfmiddlewaretoken") == hidden_value(page, "token") == ""

    tokens = form_tokens(browser, article)
    data = comment_form(article, token=tokens["token"], csrfmiddlewaretoken=tokens["csrf"])
    assert browser.post(comment_url(article), data).status_code == 302
    assert Comment.objects.count() == 1


def test_tokens_are_not_handed_out_for_an_unpublished_article(client):
    from articles.models import Article

    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(f"/zh-hans/articles/{draft.pk}/comments/tokens/").status_code == 404


# --- honeypot ---------------------------------------------------------------------------------


def test_filled_honeypot_is_refused_with_a_visible_message(client, article):
    response = client.post(
        comment_url(article), comment_form(article, website="http://spam.example")
    )
    assertContains(response, "提交未被接受，请不要填写“网站”一栏。", status_code=400)
    # Said at the top of the form, not inside the hidden trap field.
    assert re.search(r'<div class="errors" role="alert"><p>提交未被接受', response.content.decode())
    assert not Comment.objects.exists()


# --- the signed render timestamp --------------------------------------------------------------


def test_form_submitted_faster_than_the_minimum_is_refused(client, article, settings):
    settings.COMMENT_MIN_SECONDS = 3
    with time_machine.travel(START, tick=False) as traveller:
        token = form_tokens(client, article)["token"]
        traveller.shift(2)
        response = client.post(comment_url(article), comment_form(article, token=token))
        assertContains(response, "提交太快了，请稍等几秒再提交。", status_code=400)
        assert not Comment.objects.exists()
        # The same form, a moment later, goes through.
        traveller.shift(2)
        response = client.post(comment_url(article), comment_form(article, token=token))
        assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_default_minimum_is_three_seconds():
    from portal import settings as project_settings  # the defaults, before test overrides

    assert project_settings.COMMENT_MIN_SECONDS == 3
    assert project_settings.COMMENT_MAX_AGE_SECONDS == 24 * 3600


def test_form_older_than_a_day_is_refused_and_offers_a_fresh_form(client, article):
    with time_machine.travel(START, tick=False) as traveller:
        token = form_tokens(client, article)["token"]
        traveller.shift(24 * 3600 + 1)
        response = client.post(comment_url(article), comment_form(article, token=token))
        assertContains(response, "页面停留时间过长，请刷新页面后重新提交。", status_code=400)
        assert not Comment.objects.exists()
        fresh = token_on_page(response)
        assert fresh != token
        assert (
            client.post(comment_url(article), comment_form(article, token=fresh)).status_code == 302
        )


def test_form_just_under_a_day_old_is_accepted(client, article):
    with time_machine.travel(START, tick=False) as traveller:
        token = form_tokens(client, article)["token"]
        traveller.shift(24 * 3600 - 5)
        assert (
            client.post(comment_url(article), comment_form(article, token=token)).status_code == 302
        )


@pytest.mark.parametrize(
    "make_bad_token",
    [
        pytest.param(lambda article: "", id="missing"),
        pytest.param(lambda article: "1:abc:def", id="forged"),
        pytest.param(lambda article: guards.make_token(article.pk)[:-2] + "xx", id="tampered"),
        pytest.param(lambda article: guards.make_token(article.pk + 1000), id="other-article"),
    ],
)
def test_form_with_a_bad_token_is_refused_with_a_readable_message(client, article, make_bad_token):
    response = client.post(
        comment_url(article), comment_form(article, token=make_bad_token(article))
    )
    assertContains(response, "表单已失效，请刷新页面后重新提交。", status_code=400)
    assert not Comment.objects.exists()


# --- rate limit per client address -----------------------------------------------------------


_stranger = Client()  # one handler for all: building one per request is slow


def post_from(address, article, n, **headers):
    """A post with no cookies at all, as a bot or a new visitor sends it."""
    _stranger.cookies.clear()
    return _stranger.post(
        comment_url(article),
        comment_form(article, body=f"第{n}条评论"),
        REMOTE_ADDR=address,
        **headers,
    )


def test_sixth_comment_in_ten_minutes_from_one_address_gets_429(article):
    for n in range(5):
        assert post_from("198.51.100.1", article, n).status_code == 302
    response = post_from("198.51.100.1", article, 5)
    assertContains(response, "留言太频繁", status_code=429)
    assertContains(response, "您的留言没有被保存", status_code=429)
    assert Comment.objects.count() == 5


def test_rate_limit_counts_per_address_not_per_session(article):
    # Every post above comes from a new Client (no cookies): the count is kept per address in
    # the shared cache, so a bot dropping cookies or hitting another worker gains nothing.
    for n in range(5):
        post_from("198.51.100.1", article, n)
    assert post_from("198.51.100.1", article, 5).status_code == 429
    assert post_from("198.51.100.2", article, 6).status_code == 302


def test_rate_limit_allows_posting_again_after_the_window(article):
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(6):
            post_from("198.51.100.1", article, n)
        traveller.shift(601)
        assert post_from("198.51.100.1", article, 7).status_code == 302
    assert Comment.objects.count() == 6


def test_rate_limit_follows_the_configured_rate(article, settings):
    settings.COMMENT_RATE = "2/60"
    assert post_from("198.51.100.1", article, 1).status_code == 302
    assert post_from("198.51.100.1", article, 2).status_code == 302
    assert post_from("198.51.100.1", article, 3).status_code == 429


def test_rate_limit_behind_a_proxy_counts_each_forwarded_client(article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMMENT_RATE = "1/600"
    proxy = {"HTTP_X_FORWARDED_FOR": "203.0.113.1"}
    assert post_from("10.0.0.1", article, 1, **proxy).status_code == 302
    assert post_from("10.0.0.1", article, 2, **proxy).status_code == 429
    other = {"HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert post_from("10.0.0.1", article, 3, **other).status_code == 302


# --- duplicates -------------------------------------------------------------------------------


def test_same_body_on_the_same_article_within_a_day_is_refused(client, article):
    assert client.post(comment_url(article), comment_form(article, body="顶")).status_code == 302
    response = Client().post(comment_url(article), comment_form(article, body="顶"))
    assertContains(response, "您已经发表过相同的留言，请勿重复提交。", status_code=400)
    assert Comment.objects.count() == 1


def test_duplicate_check_sees_through_invisible_characters(client, article):
    client.post(comment_url(article), comment_form(article, body="支持这篇报道"))
    response = client.post(
        comment_url(article), comment_form(article, body=" 支持\u200b这篇报道\n")
    )
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_same_body_is_accepted_again_after_a_day(client, article):
    with time_machine.travel(START, tick=False) as traveller:
        client.post(comment_url(article), comment_form(article, body="顶"))
        traveller.shift(24 * 3600 + 60)
        assert (
            client.post(comment_url(article), comment_form(article, body="顶")).status_code == 302
        )
    assert Comment.objects.count() == 2


def test_same_body_on_another_article_is_accepted(client, article, category):
    other = make_article(category=category)
    client.post(comment_url(article), comment_form(article, body="顶"))
    assert client.post(comment_url(other), comment_form(other, body="顶")).status_code == 302
    assert Comment.objects.count() == 2


# --- length, control and zero-width characters, NUL ------------------------------------------


def test_body_of_exactly_the_maximum_length_is_accepted(client, article):
    response = client.post(comment_url(article), comment_form(article, body="好" * 1000))
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 1000


def test_body_one_character_too_long_is_refused_with_the_limit(client, article):
    response = client.post(comment_url(article), comment_form(article, body="好" * 1001))
    assertContains(response, "留言最多 1000 个字（现在是 1001 个）。", status_code=400)
    assert not Comment.objects.exists()


def test_length_limit_counts_after_trimming_and_stripping_invisible_characters(client, article):
    body = "  " + "好\u200b" * 1000 + "\n "
    assert client.post(comment_url(article), comment_form(article, body=body)).status_code == 302
    assert Comment.objects.get().body == "好" * 1000


def test_length_limit_follows_the_setting(client, article, settings):
    from comments import forms

    settings.COMMENT_MAX_LENGTH = 10
    forms.CommentForm.base_fields["body"].limit = 10  # read at import, like Django's max_length
    try:
        response = client.post(comment_url(article), comment_form(article, body="好" * 11))
    finally:
        forms.CommentForm.base_fields["body"].limit = 1000
    assert response.status_code == 400


def test_nickname_of_thirty_characters_is_accepted_and_thirty_one_refused(client, article):
    ok = client.post(comment_url(article), comment_form(article, body="一", nickname="名" * 30))
    assert ok.status_code == 302
    long = client.post(comment_url(article), comment_form(article, body="二", nickname="名" * 31))
    assertContains(long, "昵称最多 30 个字（现在是 31 个）。", status_code=400)
    assert Comment.objects.count() == 1


def test_control_and_zero_width_characters_are_stripped_and_line_breaks_kept(client, article):
    body = "加\u200b油\u0007！\u202e\r\n第二\u2060行\ufeff\x1b"
    nickname = "\u200d老\u00ad张\u200e"
    client.post(comment_url(article), comment_form(article, body=body, nickname=nickname))
    comment = Comment.objects.get()
    assert comment.body == "加油！\n第二行"
    assert comment.nickname == "老张"


def test_body_of_only_invisible_characters_is_refused_as_empty(client, article):
    response = client.post(comment_url(article), comment_form(article, body="\u200b\u200c\ufeff"))
    assertContains(response, "请填写留言内容。", status_code=400)


@pytest.mark.parametrize("field", ["body", "nickname"])
def test_nul_character_is_refused_not_stripped(client, article, field):
    data = comment_form(article, body="正常内容")
    data[field] = data[field] + "\x00坏"
    response = client.post(comment_url(article), data)
    assertContains(response, "留言含有不允许的字符，请删除后重新提交。", status_code=400)
    assert not Comment.objects.exists()


# --- comments closed --------------------------------------------------------------------------


def test_article_closed_for_comments_shows_a_notice_instead_of_the_form(client, category):
    article = make_article(category=category, allow_comments=False)
    response = client.get(article_url(article))
    assertContains(response, "本文评论已关闭。")
    assertNotContains(response, 'name="body"')
    assertNotContains(response, f'action="/zh-hans/articles/{article.pk}/comments/')


def test_post_to_an_article_closed_for_comments_gets_403_with_the_notice(client, category):
    article = make_article(category=category, allow_comments=False)
    response = client.post(comment_url(article), comment_form(article))
    assertContains(response, "本文评论已关闭。", status_code=403)
    assert not Comment.objects.exists()


def test_closed_notice_is_in_the_readers_script(client, category):
    article = make_article(category=category, allow_comments=False)
    assertContains(client.get(article_url(article, "zh-hk")), "本文評論已關閉。")


def test_comments_close_after_the_configured_number_of_days(client, category, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = make_article(category=category, published_at=timezone.now() - dt.timedelta(days=31))
    recent = make_article(category=category, published_at=timezone.now() - dt.timedelta(days=29))
    assertContains(client.get(article_url(old)), "本文评论已关闭。")
    assertContains(
        client.post(comment_url(old), comment_form(old)), "本文评论已关闭。", status_code=403
    )
    assertNotContains(client.get(article_url(recent)), "本文评论已关闭。")
    assert client.post(comment_url(recent), comment_form(recent)).status_code == 302
    assert list(Comment.objects.values_list("article", flat=True)) == [recent.pk]


def test_comments_stay_open_forever_when_no_age_is_configured(client, category, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    old = make_article(category=category, published_at=timezone.now() - dt.timedelta(days=3000))
    assert client.post(comment_url(old), comment_form(old)).status_code == 302


# --- suspicion: held for moderators, never published, never refused -------------------------


def post_and_get(client, article, **fields) -> Comment:
    response = client.post(comment_url(article), comment_form(article, **fields), follow=True)
    assertContains(response, AWAITING)
    return Comment.objects.latest("pk")


def test_comment_with_too_many_links_is_held_with_its_reason(client, article):
    body = "看 http://a.example.com/x 和 www.b.cn 还有 c.top"
    comment = post_and_get(client, article, body=body)
    assert comment.status == "pending"
    assert comment.suspected
    assert comment.suspicion_reasons == ["链接过多（3 个）"]
    assertNotContains(Client().get(article_url(article)), "a.example.com")


def test_two_links_are_within_the_allowance(client, article):
    comment = post_and_get(client, article, body="出处 https://www.example.com/a?b=1 与 news.cn")
    assert not comment.suspected
    assert comment.status == "pending"  # still never published without a moderator


def test_link_allowance_follows_the_setting(client, article, settings):
    settings.COMMENT_MAX_LINKS = 0
    assert post_and_get(client, article, body="看example.com").suspected


@pytest.mark.parametrize(
    "body, links",
    [
        ("https://www.example.com/path", 1),  # scheme, www. and domain of one URL: one link
        ("加我看xyz.com领红包", 1),  # no spaces around a link in Chinese text
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", 1),  # full-width disguise
        ("http://a.cn，http://b.cn。c.com", 3),
        ("版本1.2.3，邮箱不算链接", 0),
    ],
)
def test_links_are_counted_once_each_however_written(body, links, settings):
    if links:
        settings.COMMENT_MAX_LINKS = links - 1
        assert guards.suspicion_reasons("", body, []) == [f"链接过多（{links} 个）"]
    settings.COMMENT_MAX_LINKS = links
    assert guards.suspicion_reasons("", body, []) == []


@pytest.mark.parametrize(
    "listed, written",
    [
        pytest.param("赌博", "网上赌博平台", id="simplified-entry-matches-simplified"),
        pytest.param("赌博", "網上賭博平台", id="simplified-entry-matches-traditional"),
        pytest.param("賭博", "网上赌博平台", id="traditional-entry-matches-simplified"),
        pytest.param("加微信", "快加微信了解", id="no-spaces-in-chinese"),
        pytest.param("加微信", "快加 微 信了解", id="spaces-between"),
        pytest.param("加微信", "快加_微_信了解", id="underscores-between"),
        pytest.param("加微信", "快加，微。信！了解", id="punctuation-between"),
        pytest.param("加微信", "快加\u200b微\u200c信了解", id="zero-width-between"),
        pytest.param("加微信", "快加\u3000微\u3000信了解", id="ideographic-spaces-between"),
        pytest.param("加微信", "快加 微 信了解", id="traditional-with-spaces"),
        pytest.param("vx", "加ＶＸ号", id="full-width-latin"),
        pytest.param("ＱＱ群", "加qq群", id="full-width-entry-matches-half-width"),
        pytest.param("代开发票", "代開發票", id="traditional-phrase"),
    ],
)
def test_banned_word_is_found_through_disguises(client, article, listed, written):
    BannedWord.objects.create(word=listed)
    comment = post_and_get(client, article, body=f"朋友们{written}吧")
    assert comment.status == "pending"
    assert comment.suspected
    assert comment.suspicion_reasons == [f"屏蔽词：{listed}"]


def test_banned_word_in_the_nickname_is_found(client, article):
    BannedWord.objects.create(word="博彩")
    comment = post_and_get(client, article, nickname="博 彩 代理", body="你好")
    assert comment.suspicion_reasons == ["屏蔽词：博彩"]


def test_comment_without_banned_words_or_links_is_not_suspected(client, article):
    BannedWord.objects.create(word="赌博")
    comment = post_and_get(client, article, body="今天的赌场新闻与博物馆")
    assert not comment.suspected
    assert comment.suspicion_reasons == []


def test_several_reasons_are_all_recorded(client, article):
    BannedWord.objects.create(word="赌博")
    BannedWord.objects.create(word="代理")
    comment = post_and_get(client, article, body="赌博代理 a.com b.com c.com")
    assert comment.suspicion_reasons == ["链接过多（3 个）", "屏蔽词：代理", "屏蔽词：赌博"]


def test_suspected_comment_gets_the_same_answer_as_any_other(client, article):
    BannedWord.objects.create(word="赌博")
    plain = client.post(comment_url(article), comment_form(article, body="普通评论"))
    suspected = client.post(comment_url(article), comment_form(article, body="赌博"))
    assert (plain.status_code, plain["Location"]) == (suspected.status_code, suspected["Location"])
    assert [c.suspected for c in Comment.objects.order_by("pk")] == [False, True]


@pytest.mark.parametrize(
    "variant, field, value, message",
    [
        ("zh-hant", "nickname", "名" * 31, "暱稱最多 30 個字（現在是 31 個）。"),
        ("zh-tw", "body", "字" * 1001, "留言最多 1000 個字（現在是 1001 個）。"),
        ("zh-hk", "body", "壞\x00", "留言含有不允許的字符，請刪除後重新提交。"),
        ("zh-tw", "token", "", "表單已失效，請重新整理頁面後重新提交。"),
    ],
)
def test_refusals_are_worded_in_the_readers_script(client, article, variant, field, value, message):
    data = comment_form(article, body="正文")
    data[field] = value
    response = client.post(comment_url(article, variant), data)
    assertContains(response, message, status_code=400)
