"""Every public GET URL answers HEAD as it answers GET, without a body (issue 14, case 3: a load
balancer's HEAD health check saw 405 on /healthz, /robots.txt and uncached pages)."""

import pytest

from tests.factories import make_article, make_category

# Differ between two responses by nature, not by method.
VOLATILE = {"date", "x-page-cache", "set-cookie", "content-length", "expires"}


@pytest.fixture
def site(db):
    category = make_category(slug="jiangsu")
    return make_article(category=category)


def public_urls(article):
    """The public GET URLs of DESIGN.md, with the admin's way in."""
    return [
        "/",
        "/zh-hans/",
        "/zh-tw/",
        "/zh-hant/category/jiangsu/",
        f"/zh-hans/articles/{article.pk}/",
        f"/zh-hk/articles/{article.pk}/some-slug/",
        f"/zh-hans/articles/{article.pk}/comments/tokens/",
        "/zh-hans/feeds/latest.xml",
        "/zh-hans/feeds/category/jiangsu.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        f"/variant/zh-tw/?next=/zh-hans/articles/{article.pk}/",
        "/admin/",
        "/admin/login/",
        "/zh-hans/articles/999999/",  # 404 either way
        f"/zh-hans/articles/{article.pk}/comments/",  # POST only: 405 either way
    ]


# The search page is the lead's (articles/views.py); it answers HEAD once its view is
# require_safe, and then this mark fails the run as a reminder to remove it.
SEARCH = "/zh-hans/search/?q=测试"


def assert_head_mirrors_get(client, url):
    head = client.head(url)  # first, on a cold page cache: HEAD must not depend on a hit
    client.cookies.clear()  # as the same new visitor (the variant switch sets a cookie)
    get = client.get(url)
    assert head.status_code == get.status_code, url
    assert head.content == b""
    assert get.status_code != 200 or get.content
    head_headers = {k.lower(): v for k, v in head.headers.items() if k.lower() not in VOLATILE}
    get_headers = {k.lower(): v for k, v in get.headers.items() if k.lower() not in VOLATILE}
    assert head_headers == get_headers, url


def test_every_public_url_answers_head_as_it_answers_get(client, site):
    statuses = {}
    for url in public_urls(site):
        client.cookies.clear()
        assert_head_mirrors_get(client, url)
        client.cookies.clear()
        statuses[url] = client.get(url).status_code
    assert statuses["/healthz"] == statuses["/robots.txt"] == statuses["/sitemap.xml"] == 200
    assert statuses[f"/zh-hans/articles/{site.pk}/"] == 200


@pytest.mark.parametrize("url", [SEARCH])
def test_the_search_page_answers_head(client, site, url):
    assert_head_mirrors_get(client, url)
