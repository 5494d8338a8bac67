"""The four variants as readers meet them: URL prefixes, negotiation, the switcher, lang and
hreflang, what is converted, and that reading a page never runs OpenCC."""

import re
from urllib.parse import unquote

import pytest
from django.conf import settings
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from tests.factories import make_article, make_category, make_comment

pytestmark = pytest.mark.django_db

LANG = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant", "zh-tw": "zh-Hant-TW", "zh-hk": "zh-Hant-HK"}
# What each variant prints for the title below, the site name and the search button.
TITLE = "优化营商环境，大力支持软件发展"
EXPECTED = {
    "zh-hans": ("优化营商环境，大力支持软件发展", "新闻门户", "搜索"),
    "zh-hant": ("優化營商環境，大力支持軟件發展", "新聞門戶", "搜索"),
    "zh-tw": ("優化營商環境，大力支持軟體發展", "新聞門戶", "搜尋"),
    "zh-hk": ("優化營商環境，大力支持軟件發展", "新聞門户", "搜尋"),
}


@pytest.fixture
def story(category):
    return make_article(category=category, title=TITLE, summary="苏粤合作迈上新台阶")


@pytest.mark.parametrize("variant", list(EXPECTED))
def test_each_prefix_serves_its_own_variant(client, story, variant):
    response = client.get(f"/{variant}/articles/{story.pk}/")
    title, site, search_button = EXPECTED[variant]
    assert response.status_code == 200
    assert response["Content-Language"] == variant
    assertContains(response, f'<html lang="{LANG[variant]}">')
    assertContains(response, f'<h1 id="article-title">{title}</h1>')
    assertContains(response, f"<title>{title} · {site}</title>")
    assertContains(response, f'<button type="submit">{search_button}</button>')


def test_zh_tw_is_not_quietly_served_as_zh_hant(client, story):
    response = client.get("/zh-tw/")
    assert response.status_code == 200
    assertContains(response, '<html lang="zh-Hant-TW">')


@pytest.mark.parametrize(
    ("variant", "notice"),
    [
        ("zh-hans", "【所有评论需要人工审核后才能显示，请勿发布垃圾信息】"),
        ("zh-hant", "【所有評論需要人工審核後才能顯示，請勿發布垃圾信息】"),
        ("zh-tw", "【所有評論需要人工審核後才能顯示，請勿發布垃圾資訊】"),
        ("zh-hk", "【所有評論需要人工審核後才能顯示，請勿發佈垃圾資訊】"),
    ],
)
def test_comment_notice_reads_naturally_in_each_variant(client, story, variant, notice):
    assertContains(client.get(f"/{variant}/articles/{story.pk}/"), notice)


# --- negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "variant"),
    [
        ("zh-TW", "zh-tw"),
        ("zh-Hant-TW", "zh-tw"),
        ("zh-HK", "zh-hk"),
        ("zh-MO", "zh-hk"),
        ("zh-Hant", "zh-hant"),
        ("zh-CN", "zh-hans"),
        ("zh-SG", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("zh", "zh-hans"),
        ("en-US", "zh-hans"),
        ("fr-FR,zh-TW;q=0.8", "zh-tw"),
        ("zh-CN;q=0.5,zh-HK;q=0.9", "zh-hk"),
        ("zh-TW;q=0,zh-HK;q=0.5", "zh-hk"),
        ("", "zh-hans"),
        ("not a header ;;; q=", "zh-hans"),
    ],
)
def test_root_redirects_by_accept_language(client, accept_language, variant):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == f"/{variant}/"


def test_saved_choice_beats_accept_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hk"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert (response.status_code, response["Location"]) == (302, "/zh-hk/")


def test_a_forged_saved_choice_is_ignored(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert response["Location"] == "/zh-tw/"


def test_unprefixed_public_paths_redirect_keeping_path_and_query(client, story):
    response = client.get(f"/articles/{story.pk}/", HTTP_ACCEPT_LANGUAGE="zh-HK")
    assert (response.status_code, response["Location"]) == (302, f"/zh-hk/articles/{story.pk}/")
    response = client.get("/search/", {"q": "苏粤"}, HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert response.status_code == 302
    assert unquote(response["Location"]) == "/zh-tw/search/?q=苏粤"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


# --- the switcher ---------------------------------------------------------------------------


def switcher_links(html: str) -> dict:
    """{variant code: next URL} of the switcher's links."""
    nav = re.search(r'<nav class="variants".*?</nav>', html, re.DOTALL).group(0)
    return dict(re.findall(r'href="/variant/([^/]+)/\?next=([^"]+)"', nav))


def test_switcher_on_the_page_leads_to_the_same_page_in_each_variant(client, story):
    html = client.get(f"/zh-hans/articles/{story.pk}/").content.decode()
    links = switcher_links(html)
    assert set(links) == set(EXPECTED)
    for code, next_url in links.items():
        assert unquote(next_url) == f"/{code}/articles/{story.pk}/"
    for label in "简繁臺港":
        assert f">{label}</a>" in html


def test_switching_saves_the_choice_and_shows_the_same_page(client, story):
    response = client.get(f"/variant/zh-tw/?next=/zh-hans/articles/{story.pk}/")
    assert (response.status_code, response["Location"]) == (302, f"/zh-tw/articles/{story.pk}/")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-tw" and cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE
    page = client.get(response["Location"])
    assertContains(page, '<html lang="zh-Hant-TW">')
    # The choice survives: the next visit to / goes to the saved variant.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Location"] == "/zh-tw/"


def test_switcher_keeps_the_search_query_and_page(client, story):
    html = client.get("/zh-hans/search/", {"q": "苏粤", "page": "1", "utm": "x"}).content.decode()
    links = switcher_links(html)
    assert unquote(unquote(links["zh-hk"])) == "/zh-hk/search/?q=苏粤&page=1"


def test_switcher_works_for_article_urls_with_a_slug(client, story):
    response = client.get(f"/variant/zh-hk/?next=/zh-hans/articles/{story.pk}/a-slug/")
    assert response["Location"] == f"/zh-hk/articles/{story.pk}/a-slug/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/zh-hans/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_switcher_never_redirects_off_site(client, next_url):
    response = client.get("/variant/zh-tw/", {"next": next_url})
    assert (response.status_code, response["Location"]) == (302, "/zh-tw/")


def test_switcher_refuses_unknown_variants(client):
    response = client.get("/variant/en/?next=/zh-hans/")
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- lang, hreflang, canonical --------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/zh-tw/", "/zh-tw/category/{slug}/", "/zh-tw/articles/{pk}/", "/zh-tw/search/?q=苏粤"]
)
def test_every_page_lists_hreflang_alternates_and_a_canonical_url(client, story, path):
    path = path.format(slug=story.category.slug, pk=story.pk)
    html = client.get(path).content.decode()
    base = path.split("?")[0]
    assert f'<link rel="canonical" href="http://testserver{base}">' in html
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert set(alternates) == set(LANG.values())
    for code, lang in LANG.items():
        assert unquote(alternates[lang]).startswith(f"http://testserver/{code}/")
        assert unquote(alternates[lang]).endswith(unquote(path)[len("/zh-tw/") :])


# --- what is converted, and when ------------------------------------------------------------


def test_category_names_are_converted(client):
    category = make_category(name="广东", slug="guangdong")
    make_article(category=category)
    assertContains(client.get("/zh-tw/"), ">廣東<")
    assertContains(client.get("/zh-hans/"), ">广东<")


def test_approved_comment_and_default_nickname_read_in_the_readers_variant(
    client, story, moderator
):
    make_comment(story, approve_by=moderator, body="支持优化营商环境")
    response = client.get(f"/zh-tw/articles/{story.pk}/")
    assertContains(response, "支持優化營商環境")
    assertContains(response, "熱心網友")
    assertNotContains(response, "热心网友")


def test_feed_is_in_the_readers_variant(client, story):
    response = client.get("/zh-tw/feeds/latest.xml")
    assert response.status_code == 200
    assertContains(response, "<language>zh-tw</language>")
    assertContains(response, f"<title>{EXPECTED['zh-tw'][0]}</title>")
    assertContains(response, f"http://testserver/zh-tw/articles/{story.pk}/")


MARKUP_ARTICLE = {
    "title": "-{支持}-苏粤合作",
    "summary": "用-{zh-hans:鼠标;zh-tw:滑鼠;zh-hk:鼠標}-点击查看",
    "body": "第一段-{不转换}-。\n\n第二段-{zh-hans:出租车;zh-tw:計程車}-",
}


@pytest.mark.parametrize("variant", list(EXPECTED))
def test_markup_never_reaches_readers(client, category, variant):
    article = make_article(category=category, **MARKUP_ARTICLE)
    pages = [
        f"/{variant}/articles/{article.pk}/",
        f"/{variant}/",
        f"/{variant}/category/{category.slug}/",
        f"/{variant}/feeds/latest.xml",
        f"/{variant}/search/?q=苏粤合作",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "-{" not in html and "}-" not in html, page
    article_page = client.get(pages[0]).content.decode()
    mouse = {"zh-hans": "鼠标", "zh-hant": "滑鼠", "zh-tw": "滑鼠", "zh-hk": "鼠標"}[variant]
    assert f'<meta name="description" content="用{mouse}' in article_page
    search_page = client.get(pages[-1]).content.decode()
    assert f"用{mouse}" in search_page


def test_reading_pages_never_runs_opencc(client, story, monkeypatch):
    from portal.variants import convert

    def refuse(config):
        raise AssertionError(f"OpenCC ({config}) ran during a request")

    monkeypatch.setattr(convert, "_converter", refuse)
    for variant in EXPECTED:
        for path in (
            f"/{variant}/",
            f"/{variant}/articles/{story.pk}/",
            f"/{variant}/category/{story.category.slug}/",
            f"/{variant}/feeds/latest.xml",
        ):
            assert client.get(path).status_code == 200, path


def test_source_script_is_detected_on_save_and_editable(category):
    traditional = make_article(
        category=category, title="他說，我們都肩負著使命", summary="著眼未來"
    )
    assert traditional.source_script == "zh-tw"
    assert traditional.title_variants["zh-hans"] == "他说，我们都肩负着使命"

    traditional.source_script = "zh-hant"  # an editor's correction is respected
    traditional.save()
    traditional.refresh_from_db()
    assert traditional.source_script == "zh-hant"
    assert traditional.title_variants["zh-hans"] == "他说，我们都肩负著使命"  # t2s, as chosen


def test_renderings_are_stored_not_computed_per_request(category):
    article = make_article(category=category, title="优化")
    stored = Article.objects.filter(pk=article.pk).values_list("title_variants", flat=True)[0]
    assert stored == {"zh-hans": "优化", "zh-hant": "優化", "zh-tw": "優化", "zh-hk": "優化"}
