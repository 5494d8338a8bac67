"""An editor publishes through the admin and withdraws again; a reader sees both."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "编辑部的定时新闻"


def test_editor_publishes_an_article_scheduled_a_minute_ago_then_withdraws_it(
    open_page, editor, category
):
    desk = open_page(locale="zh-CN")
    log_in(desk, editor.username, "pw")
    desk.goto("/admin/articles/article/add/")
    desk.get_by_label("标题").fill(TITLE)
    desk.get_by_label("摘要").fill("编辑部写的摘要。")
    desk.locator(".ProseMirror[contenteditable=true]").click()
    desk.keyboard.type("第一段正文。")
    desk.keyboard.press("Enter")
    desk.keyboard.type("第二段正文。")
    desk.get_by_label("栏目").select_option(label=category.name)
    desk.get_by_label("状态").select_option(label="已发布")
    a_minute_ago = timezone.localtime(timezone.now() - timezone.timedelta(minutes=1))
    desk.locator("#id_published_at_0").fill(a_minute_ago.strftime("%Y-%m-%d"))
    desk.locator("#id_published_at_1").fill(a_minute_ago.strftime("%H:%M:%S"))
    desk.get_by_role("button", name="保存", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(TITLE)
    article = Article.objects.get(title=TITLE)

    reader = open_page(locale="zh-CN")
    reader.goto("/")
    expect(reader.locator(".items").get_by_role("link", name=TITLE)).to_be_visible()
    reader.locator(".items").get_by_role("link", name=TITLE).click()
    expect(reader).to_have_url(re.compile(rf"/zh-hans/articles/{article.pk}/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)

    desk.goto("/admin/articles/article/")
    desk.locator("#result_list tbody tr", has_text=TITLE).get_by_role("checkbox").check()
    desk.locator("select[name=action]").select_option(label="撤回所选文章（改为草稿）")
    desk.get_by_role("button", name="执行").click()
    expect(desk.locator(".messagelist")).to_contain_text("已撤回 1 篇文章。")

    response = reader.goto(f"/zh-hans/articles/{article.pk}/")
    assert response.status == 404
    expect(reader.get_by_role("heading", level=1)).to_have_text("页面不存在")
    reader.goto("/")
    expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)
