"""A reader's journeys: landing, reading, switching script, searching."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reader_from_taiwan_lands_on_zh_tw_home_and_reads_the_reference_article(open_page, demo):
    assert demo.heat == 33  # as on the reference page
    text = demo.text("zh-tw")
    page = open_page(locale="zh-TW")  # the browser sends Accept-Language: zh-TW

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/zh-tw/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")

    # The reference article is the oldest: the reader pages through the list until it shows.
    link = page.locator(".items").get_by_role("link", name=text["title"], exact=True)
    while not link.is_visible():
        page.get_by_role("link", name="下一頁").click()
    link.click()

    expect(page).to_have_url(re.compile(rf"/zh-tw/articles/{demo.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(text["title"])
    expect(page.locator(".summary")).to_contain_text("摘要")
    expect(page.locator(".summary")).to_contain_text("蘇粵合作向更高層次更寬領域邁進")
    expect(page.locator(".body p").first).to_contain_text("風從海上來，潮湧大灣區。")
    assert page.locator(".body p").count() >= 6
    # The reference page shows 33℃, as rendered before this read; the read itself is counted
    # and is in the database once folded in.
    expect(page.locator(".article-meta .heat")).to_have_text("33℃")
    Article.fold_all_reads()
    demo.refresh_from_db()
    assert demo.heat == 34
    expect(page.locator(".article-meta .comment-count")).to_have_text("0")
    expect(page.locator("#comments")).to_contain_text("暫時沒有留言")


def test_reader_switches_script_on_an_article_and_the_choice_sticks(page, demo):
    # The reference title reads the same in 繁, 臺 and 港; this demo article differs in all four
    # (网络 → 網絡 / 網路, 峰 → 峯 in Hong Kong), so each switch is visible in the title.
    article = Article.objects.get(title__startswith="5G-A网络在多个城市实现连片覆盖")
    page.goto(f"/zh-hans/articles/{article.pk}/")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text(article.text("zh-hans")["title"])
    seen = {article.text("zh-hans")["title"]}

    for label, code, lang in [
        ("繁", "zh-hant", "zh-Hant"),
        ("臺", "zh-tw", "zh-Hant-TW"),
        ("港", "zh-hk", "zh-Hant-HK"),
    ]:
        page.locator(".variants").get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/{code}/articles/{article.pk}/$"))
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expected = article.text(code)["title"]
        assert expected not in seen  # the script really changed
        seen.add(expected)
        expect(title).to_have_text(expected)
        expect(page.locator(".variants [aria-current]")).to_have_text(label)

    page.reload()
    expect(page).to_have_url(re.compile(rf"/zh-hk/articles/{article.pk}/$"))
    expect(title).to_have_text(article.text("zh-hk")["title"])
    page.goto("/")  # this browser asks for zh-CN, but the reader chose 港
    expect(page).to_have_url(re.compile(r"/zh-hk/$"))


def test_reader_searching_su_yue_in_taiwan_script_finds_the_reference_article(open_page, demo):
    text = demo.text("zh-tw")
    page = open_page(locale="zh-TW")
    page.goto("/")
    search = page.get_by_role("banner").get_by_role("searchbox")
    search.fill("蘇粵")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/zh-tw/search/\?q="))
    result = page.locator(".results").get_by_role("link", name=text["title"], exact=True)
    expect(result).to_be_visible()
    expect(result.locator("mark")).to_have_text("蘇粵")
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["title"])
