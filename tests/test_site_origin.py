"""Absolute links come from the configured origin, never from the scheme a request claims
(issue 14, case 2: a page cached after a request with ``X-Forwarded-Proto: https`` carried
https links to every reader)."""

import re
import secrets
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from tests.factories import make_article, make_category
from tests.servers import (
    drop_database,
    get,
    gunicorn,
    production_env,
    sibling_database_url,
)
from tests.test_foundation import SETUP, run_python

HTTPS_CLAIM = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_SSL": "on"}


def absolute_links(html: str) -> list[str]:
    """Every canonical / hreflang / og:url / RSS link of a reader page."""
    links = re.findall(r'<link rel="(?:canonical|alternate)"[^>]* href="([^"]+)"', html)
    links += re.findall(r'<meta property="og:url" content="([^"]+)"', html)
    return [link for link in links if "://" in link]


def crawler_links(client, **headers) -> list[str]:
    """Every absolute link of the latest feed, the sitemap and robots.txt."""
    feed = ET.fromstring(client.get("/zh-hans/feeds/latest.xml", **headers).content)
    links = [feed.findtext("channel/link")] + [i.findtext("link") for i in feed.iter("item")]
    atom = "{http://www.w3.org/2005/Atom}link"
    links += [element.get("href") for element in feed.iter(atom)]
    sitemap = client.get("/sitemap.xml", **headers).content.decode()
    links += re.findall(r"<loc>([^<]+)</loc>", sitemap)
    links += re.findall(r'href="(http[^"]+)"', sitemap)
    robots = client.get("/robots.txt", **headers).content.decode()
    links += re.findall(r"^Sitemap: (\S+)$", robots, re.MULTILINE)
    return links


@pytest.fixture
def published(db):
    category = make_category(slug="jiangsu")
    return make_article(category=category)


def test_a_claimed_https_scheme_does_not_reach_pages_cached_for_other_readers(client, published):
    pages = ["/zh-hans/", f"/zh-hans/articles/{published.pk}/", "/zh-hans/category/jiangsu/"]
    for path in pages:
        poisoned = client.get(path, **HTTPS_CLAIM)
        assert poisoned.status_code == 200
        assert poisoned["X-Page-Cache"] == "miss"
        assert not poisoned.wsgi_request.is_secure()  # only gunicorn may say so (see below)
        links = absolute_links(poisoned.content.decode())
        assert len(links) == 6  # canonical, four hreflang, og:url
        assert all(link.startswith("http://testserver/") for link in links), links

        served = client.get(path)
        assert served["X-Page-Cache"] == "hit"
        assert absolute_links(served.content.decode()) == links


def test_feeds_sitemap_and_robots_ignore_a_claimed_https_scheme(client, published):
    for headers in (HTTPS_CLAIM, {}):
        links = crawler_links(client, **headers)
        assert len(links) > 5
        assert all(link.startswith("http://testserver/") for link in links), links


def test_site_url_is_the_origin_of_every_absolute_link(client, published, settings):
    settings.SITE_URL = "https://news.example.com"
    page = client.get(f"/zh-tw/articles/{published.pk}/").content.decode()
    canonical = f"https://news.example.com/zh-tw/articles/{published.pk}/"
    assert f'<link rel="canonical" href="{canonical}">' in page
    links = absolute_links(page) + crawler_links(client)
    assert all(link.startswith("https://news.example.com/") for link in links), links
    feed = ET.fromstring(client.get("/zh-hans/feeds/latest.xml").content)
    assert feed.findtext("channel/item/link") == (
        f"https://news.example.com/zh-hans/articles/{published.pk}/"
    )


def test_without_site_url_the_scheme_is_the_configured_one_and_the_host_the_requests(
    client, published, settings
):
    settings.HTTPS = True  # behind a TLS proxy; the test client itself speaks plain http
    settings.ALLOWED_HOSTS = ["news.example.org"]
    page = client.get("/zh-hans/", HTTP_HOST="news.example.org").content.decode()
    assert '<link rel="canonical" href="https://news.example.org/zh-hans/">' in page
    robots = client.get("/robots.txt", HTTP_HOST="news.example.org").content.decode()
    assert "Sitemap: https://news.example.org/sitemap.xml" in robots


def test_the_moderators_e_mail_links_to_the_comment_on_the_site_url(
    client, published, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from comments.models import Comment
    from tests.factories import comment_form, comment_url

    settings.SITE_URL = "https://news.example.com"
    settings.COMMENT_NOTIFY_EMAILS = ["mod@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url(published), comment_form(published, body="请审核"), **HTTPS_CLAIM)
    link = f"https://news.example.com/admin/comments/comment/{Comment.objects.get().pk}/change/"
    assert link in mailoutbox[0].body


@pytest.mark.parametrize(
    "value", ["news.example.com", "https://news.example.com/portal", "ftp://news.example.com"]
)
def test_a_site_url_that_is_not_an_origin_is_refused_at_start(value):
    result = run_python(SETUP + "django.setup()", DEBUG="true", SITE_URL=value)
    assert result.returncode != 0
    assert "SITE_URL must be an origin" in result.stderr


# --- under gunicorn, as served ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_env(prepared_site):
    name = f"portal_origin_{secrets.token_hex(3)}"
    env = production_env(sibling_database_url(name, template=prepared_site), PAGE_CACHE_SECONDS=600)
    try:
        yield env
    finally:
        drop_database(name)


def test_gunicorn_believes_x_forwarded_proto_only_from_forwarded_allow_ips(site_env):
    # 192.0.2.1 is a documentation address: this test's own requests come from an untrusted peer.
    untrusted = {**site_env, "HTTPS": "true", "FORWARDED_ALLOW_IPS": "192.0.2.1"}
    with gunicorn(untrusted, workers=1) as base:
        status, headers, _ = get(f"{base}/zh-hans/", {"X-Forwarded-Proto": "https"})
        assert status == 301
        assert headers["Location"].startswith("https://")
    trusted = {**site_env, "HTTPS": "true", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with gunicorn(trusted, workers=1) as base:
        status, _, page = get(f"{base}/zh-hans/", {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert '<link rel="canonical" href="https://127.0.0.1' in page
        assert get(f"{base}/zh-hans/")[0] == 301  # the proxy did not say https


@pytest.fixture(scope="module")
def served(site_env):
    """The site under gunicorn, whose peer (this test, on 127.0.0.1) is not a trusted proxy."""
    with gunicorn({**site_env, "FORWARDED_ALLOW_IPS": "192.0.2.1"}, workers=2) as base:
        yield base


def test_gunicorn_serves_no_page_with_https_links_after_an_untrusted_claim(served):
    for path in ("/zh-hans/", "/zh-hans/feeds/latest.xml", "/sitemap.xml", "/robots.txt"):
        claimed = get(served + path, {"X-Forwarded-Proto": "https"})
        plain = get(served + path)
        for status, _, body in (claimed, plain):
            assert status == 200
            assert f"{served}/" in body
            assert served.replace("http://", "https://") not in body


def test_a_load_balancers_head_check_finds_the_site_up_under_gunicorn(served):
    for path in ("/healthz", "/robots.txt", "/zh-hk/", "/sitemap.xml"):
        request = urllib.request.Request(served + path, method="HEAD")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, path
            assert response.read() == b""
            assert response.headers["Content-Type"]
