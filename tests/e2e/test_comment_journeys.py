"""Readers comment, a moderator approves: what each of them sees along the way."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BODY = "谢谢分享，苏粤合作越来越好。"
BODY_ZH_TW = "謝謝分享，蘇粵合作越來越好。"


def test_pending_comment_is_shown_only_to_its_author_until_a_moderator_approves_it(
    open_page, demo, moderator
):
    url = f"/articles/{demo.pk}/"
    author = open_page(locale="zh-CN")
    author.goto(f"/zh-hans{url}")
    author.get_by_label("昵称").fill("")  # left blank: shown as 热心网友
    author.get_by_label("留言内容").fill(BODY)
    author.get_by_role("button", name="发表留言").click()

    expect(author).to_have_url(re.compile(rf"/zh-hans{url}#comments$"))
    expect(author.get_by_role("status")).to_contain_text("留言已提交，审核通过后才会公开显示。")
    mine = author.locator("#my-comments")  # 我的留言, fetched for the author alone
    expect(mine).to_contain_text(BODY)
    expect(mine).to_contain_text("待审核")
    expect(author.locator(".comment-list")).not_to_contain_text(BODY)
    expect(author.locator(".article-meta .comment-count")).to_have_text("0")

    other = open_page(locale="zh-TW")
    other.goto(f"/zh-tw{url}")
    expect(other.locator("#comments")).to_contain_text("暫時沒有留言")
    expect(other.locator("#comments")).not_to_contain_text(BODY_ZH_TW)
    expect(other.locator("#comments")).not_to_contain_text(BODY)
    expect(other.locator(".article-meta .comment-count")).to_have_text("0")
    expect(other.locator("#my-comments")).to_be_hidden()

    # The moderator finds it in the queue from the admin's front page and approves it in bulk.
    mod = open_page(locale="zh-CN")
    log_in(mod, moderator.username, "pw")
    mod.get_by_role("link", name=re.compile("待审核评论")).click()
    expect(mod.locator("#pending-count")).to_have_text("1")
    row = mod.locator("#result_list .desk-card", has_text=BODY)
    expect(row).to_contain_text("待审核")
    row.get_by_role("checkbox").check()
    mod.locator("select[name=action]").select_option(label="通过所选评论（公开显示）")
    mod.get_by_role("button", name="执行").click()
    expect(mod.locator(".messagelist")).to_contain_text("已通过 1 条评论。")
    assert Comment.objects.get().status == Comment.Status.APPROVED

    for reader, nickname, body in [
        (author, "热心网友", BODY),
        (other, "熱心網友", BODY_ZH_TW),
    ]:
        reader.reload()
        approved = reader.locator(".comment-list .comment", has_text=body)
        expect(approved).to_contain_text(nickname)
        expect(approved).not_to_have_class(re.compile("pending"))
        expect(reader.locator(".article-meta .comment-count")).to_have_text("1")


def test_comment_form_refuses_an_empty_body_and_keeps_the_nickname(page, article):
    page.goto(f"/zh-hans/articles/{article.pk}/")
    page.get_by_label("昵称").fill("老王")
    page.get_by_role("button", name="发表留言").click()

    expect(page.get_by_role("alert")).to_have_text("请填写留言内容。")
    expect(page.get_by_label("昵称")).to_have_value("老王")
    expect(page.locator("#my-comments")).to_be_hidden()
    assert not Comment.objects.exists()


def test_a_reader_without_javascript_clicks_twice_and_loses_nothing(open_page, article):
    """The shared page's form has no tokens without comment-form.js: the first submit comes
    back with the text kept and fresh tokens, the second goes through, stored once."""
    reader = open_page(javascript=False)
    reader.goto(f"/zh-hans/articles/{article.pk}/")
    reader.get_by_label("昵称").fill("老派读者")
    reader.get_by_label("留言内容").fill(BODY)
    reader.get_by_role("button", name="发表留言").click()

    expect(reader.get_by_role("alert")).to_contain_text("请再点一次“发表留言”")
    expect(reader.get_by_label("昵称")).to_have_value("老派读者")
    expect(reader.get_by_label("留言内容")).to_have_value(BODY)
    assert not Comment.objects.exists()

    reader.get_by_role("button", name="发表留言").click()
    expect(reader.get_by_role("status")).to_contain_text("留言已提交，审核通过后才会公开显示。")
    assert Comment.objects.get().nickname == "老派读者"
    # Without JavaScript there is no panel; the footer's 我的留言 shows the comment's state.
    reader.get_by_role("link", name="我的留言").click()
    expect(reader.locator(".receipt")).to_contain_text(BODY)
    expect(reader.locator(".receipt")).to_contain_text("待审核")


def test_the_form_fetches_its_tokens_when_it_comes_into_view(open_page, article, settings):
    """A cached page's form has no tokens; they arrive when the reader reaches the form, so
    the minimum time a form must take counts from then, not from the first keystroke."""
    settings.COMMENT_MIN_SECONDS = 2
    page = open_page(viewport={"width": 1280, "height": 300})  # the form starts out of view
    page.goto(f"/zh-hans/articles/{article.pk}/")
    token = page.locator("form.comment-form input[name=token]")
    assert token.input_value() == ""  # the shared page carries none
    with page.expect_response(re.compile(r"/comments/tokens/$")):
        page.locator("form.comment-form").scroll_into_view_if_needed()
    expect(token).not_to_have_value("")
    page.wait_for_timeout(2200)  # the reader writes for a while
    page.get_by_label("留言内容").fill(BODY)
    page.get_by_role("button", name="发表留言").click()
    expect(page.get_by_role("status")).to_contain_text("留言已提交，审核通过后才会公开显示。")
    assert Comment.objects.count() == 1
