"""我的留言 in a browser: an author follows their comments from 待审核 to 已通过 or 未通过 (with the
moderator's reason) across reloads and in the four scripts; another reader never sees them."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FIRST = "这个软件的信息很有用。"
SECOND = "我不同意这个观点。"
TRADITIONAL = ("已通過", "未通過", "原因：廣告")
# Per script: the two comments as the panel shows them, and (approved, refused, the reason).
SCRIPTS = {
    "zh-hans": (FIRST, SECOND, ("已通过", "未通过", "原因：广告")),
    "zh-hant": ("這個軟件的信息很有用。", "我不同意這個觀點。", TRADITIONAL),
    "zh-tw": ("這個軟體的資訊很有用。", "我不同意這個觀點。", TRADITIONAL),
    "zh-hk": ("這個軟件的信息很有用。", "我不同意這個觀點。", TRADITIONAL),
}


def post(page, body):
    page.get_by_label("留言内容").fill(body)
    page.get_by_role("button", name="发表留言").click()
    expect(page.get_by_role("status")).to_contain_text("留言已提交，审核通过后才会公开显示。")


def test_author_follows_their_comments_from_pending_to_approved_or_refused(
    open_page, article, moderator
):
    url = f"/articles/{article.pk}/"
    author = open_page(locale="zh-CN")
    author.goto(f"/zh-hans{url}")
    post(author, FIRST)
    panel = author.locator("#my-comments")
    for _ in range(2):  # after every reload, not once
        author.reload()
        expect(panel).to_be_visible()
        expect(panel.locator(".receipt", has_text=FIRST)).to_contain_text("待审核")
    expect(author.locator(".comment-list")).not_to_contain_text(FIRST)

    other = open_page(locale="zh-TW")
    other.goto(f"/zh-tw{url}")
    expect(other.locator("#comments")).to_be_visible()
    expect(other.locator("#my-comments")).to_be_hidden()
    other.goto("/zh-tw/my-comments/")
    expect(other.locator("main")).to_contain_text("這個瀏覽器上還沒有記下您的留言。")

    first = Comment.objects.get(body=FIRST)
    first.approve(by=moderator)
    author.reload()
    receipt = panel.locator(".receipt", has_text=FIRST)
    expect(receipt).to_contain_text("已通过")
    link = receipt.get_by_role("link", name="查看这条留言")
    expect(link).to_have_attribute("href", f"/zh-hans{url}#c{first.pk}")

    post(author, SECOND)
    Comment.objects.get(body=SECOND).reject(by=moderator, reason="广告")
    author.reload()
    refused = panel.locator(".receipt", has_text=SECOND)
    expect(refused).to_contain_text("未通过")
    expect(refused).to_contain_text("原因：广告")
    expect(panel.locator(".receipt", has_text=FIRST)).to_contain_text("已通过")

    for variant, (first_text, second_text, (approved, refused_badge, reason)) in SCRIPTS.items():
        author.goto(f"/{variant}{url}")
        expect(panel.locator(".receipt", has_text=first_text)).to_contain_text(approved)
        refused = panel.locator(".receipt", has_text=second_text)
        expect(refused).to_contain_text(refused_badge)
        expect(refused).to_contain_text(reason)

    # The whole list, from the footer, newest first.
    author.goto(f"/zh-tw{url}")
    author.get_by_role("link", name="我的留言").click()
    expect(author).to_have_url(re.compile(r"/zh-tw/my-comments/$"))
    receipts = author.locator(".receipt")
    expect(receipts).to_have_count(2)
    expect(receipts.nth(0)).to_contain_text("我不同意這個觀點。")
    expect(receipts.nth(0)).to_contain_text("原因：廣告")
    expect(receipts.nth(1)).to_contain_text("已通過")
    receipts.nth(1).get_by_role("link", name="檢視這條留言").click()
    expect(author).to_have_url(re.compile(rf"/zh-tw{url}#c{first.pk}$"))
