"""RSS feeds, sitemap and robots.txt for crawlers."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_category


@pytest.mark.django_db
def test_latest_feed_is_rss_2_of_published_articles_newest_first(client):
    make_article(title="旧闻", published_at=timezone.now() - timezone.timedelta(days=2))
    make_article(title="新闻", published_at=timezone.now() - timezone.timedelta(hours=1))
    make_article(title="草稿", status=Article.Status.DRAFT)

    response = client.get("/zh-hans/feeds/latest.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == ["新闻", "旧闻"]


@pytest.mark.django_db
def test_category_feed_holds_only_that_category(client):
    jiangsu = make_category(name="江苏", slug="jiangsu")
    make_article(category=jiangsu, title="江苏的新闻")
    make_article(title="别处的新闻")
    root = ET.fromstring(client.get("/zh-hans/feeds/category/jiangsu.xml").content)
    assert [i.findtext("title") for i in root.iter("item")] == ["江苏的新闻"]
    assert client.get("/zh-hans/feeds/category/nowhere.xml").status_code == 404


@pytest.mark.django_db
def test_feeds_are_converted_for_the_readers_variant(client):
    make_article(title="苏粤合作新篇章")
    root = ET.fromstring(client.get("/zh-tw/feeds/latest.xml").content)
    assert [i.findtext("title") for i in root.iter("item")] == ["蘇粵合作新篇章"]


@pytest.mark.django_db
def test_sitemap_lists_published_articles_with_lastmod_and_variants(client):
    visible = make_article()
    hidden = make_article(status=Article.Status.DRAFT)
    response = client.get("/sitemap.xml")
    xml = response.content.decode()
    assert response.status_code == 200
    assert f"/zh-hans/articles/{visible.pk}/</loc>" in xml
    assert f"/zh-tw/articles/{visible.pk}/</loc>" in xml
    assert f"/articles/{hidden.pk}/" not in xml
    assert "<lastmod>" in xml
    assert 'hreflang="zh-hk"' in xml


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()
