"""The reader's pages: home, category, article; their structure, metadata and bad input."""

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from tests.factories import make_article, make_category


@pytest.mark.django_db
def test_reference_article_renders_like_the_reference_page(client, reference_article):
    response = client.get(f"/zh-hans/articles/{reference_article.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert reference_article.title in html
    assertContains(response, '<span class="heat" title="热度">33℃</span>')  # as the seed
    assertContains(response, 'href="#comments" title="评论数">0</a>')
    assertContains(response, "摘要")
    assertContains(response, "<p>风从海上来，潮涌大湾区。")
    assert html.count("<p>") >= 6  # six body paragraphs
    assertContains(response, "暂时没有留言")
    assertContains(response, "【所有评论需要人工审核后才能显示，请勿发布垃圾信息】")
    assertContains(response, "2023-10-18 08:00")


@pytest.mark.django_db
def test_article_body_is_escaped_and_split_into_paragraphs(client, category):
    article = make_article(
        category=category, body="第一段<script>alert(1)</script>\n第二行\n\n第二段"
    )
    response = client.get(f"/zh-hans/articles/{article.pk}/")
    assertContains(
        response, "<p>第一段&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行</p><p>第二段</p>"
    )
    assertNotContains(response, "<script>alert(1)</script>")


@pytest.mark.django_db
def test_article_page_has_title_description_canonical_and_opengraph(client, article):
    response = client.get(f"/zh-hans/articles/{article.pk}/")
    html = response.content.decode()
    assert f"<title>{article.title} · 新闻门户</title>" in html
    assert f'<meta name="description" content="{article.summary}">' in html
    assert f'<link rel="canonical" href="http://testserver/zh-hans/articles/{article.pk}/">' in html
    assert f'<meta property="og:title" content="{article.title}">' in html
    assert f'<meta property="og:description" content="{article.summary}">' in html


@pytest.mark.django_db
def test_article_page_links_previous_and_next_in_its_category_and_related(client, category):
    now = timezone.now()
    older = make_article(
        category=category, title="较早的文章", published_at=now - timezone.timedelta(days=3)
    )
    middle = make_article(
        category=category, title="中间的文章", published_at=now - timezone.timedelta(days=2)
    )
    newer = make_article(
        category=category, title="较新的文章", published_at=now - timezone.timedelta(days=1)
    )
    make_article(title="别的栏目的文章")  # other category: never a neighbour

    response = client.get(f"/zh-hans/articles/{middle.pk}/")
    html = response.content.decode()
    prev_next = html[html.index('class="prev-next"') :]
    assert re.search(rf'href="/zh-hans/articles/{older.pk}/" rel="prev">', prev_next)
    assert re.search(rf'href="/zh-hans/articles/{newer.pk}/" rel="next">', prev_next)
    related = html[html.index('class="related"') :]
    assert "较早的文章" in related and "较新的文章" in related
    assert "别的栏目的文章" not in html


@pytest.mark.django_db
def test_drafts_and_scheduled_articles_are_never_neighbours_and_related_is_the_latest_five(
    client, category
):
    from articles.models import Article

    now = timezone.now()
    shown = make_article(
        category=category, title="本文", published_at=now - timezone.timedelta(days=9)
    )
    others = [
        make_article(
            category=category, title=f"旧闻{n}", published_at=now - timezone.timedelta(days=n)
        )
        for n in range(1, 8)
    ]
    make_article(
        category=category, title="定时稿件", published_at=now + timezone.timedelta(hours=1)
    )
    make_article(category=category, title="草稿稿件", status=Article.Status.DRAFT)

    html = client.get(f"/zh-hans/articles/{shown.pk}/").content.decode()
    assert "定时稿件" not in html and "草稿稿件" not in html
    assert 'rel="prev"' not in html  # nothing older
    assert re.search(rf'href="/zh-hans/articles/{others[-1].pk}/" rel="next">', html)
    related = html[html.index('class="related"') :]
    assert re.findall(r"旧闻(\d)", related) == ["1", "2", "3", "4", "5"]  # newest first


@pytest.mark.django_db
def test_a_slug_after_the_id_is_accepted_but_never_required(client, article):
    assert client.get(f"/zh-hans/articles/{article.pk}/").status_code == 200
    assert client.get(f"/zh-hans/articles/{article.pk}/any-words/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/zh-hans/articles/999999/",
        "/zh-hans/articles/abc/",
        "/zh-hans/articles/1.5/",
        "/zh-hans/category/no-such-category/",
        "/zh-hans/?page=abc",
        "/zh-hans/?page=99999",
        "/zh-hans/?page=-1",
        "/zh-xx/",
    ],
)
def test_bad_addresses_get_the_sites_404_page_never_a_500(client, article, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_home_shows_headline_latest_twenty_and_hot_ranking(client, category):
    now = timezone.now()
    for n in range(25):
        make_article(
            category=category,
            title=f"列表文章{n:02d}",
            published_at=now - timezone.timedelta(hours=n + 1),
        )
    make_article(
        category=category,
        title="头条新闻",
        is_headline=True,
        published_at=now - timezone.timedelta(days=1),
    )
    old_hot = make_article(
        category=category, title="很久以前的热门", published_at=now - timezone.timedelta(days=30)
    )
    hot = make_article(
        category=category, title="本周最热", published_at=now - timezone.timedelta(days=2)
    )
    Article.objects.filter(pk=hot.pk).update(heat=900)
    Article.objects.filter(pk=old_hot.pk).update(heat=5000)

    response = client.get("/zh-hans/")
    html = response.content.decode()
    headline = html[html.index('class="headline"') : html.index('id="latest-heading"')]
    assert "头条新闻" in headline
    latest = html[html.index('id="latest-heading"') : html.index('id="hot-heading"')]
    assert latest.count('class="item"') == 20
    assert "列表文章00" in latest and "列表文章19" in latest and "列表文章20" not in latest
    ranking = html[html.index('id="hot-heading"') :]
    assert ranking.index("本周最热") < ranking.index("列表文章00")
    assert "很久以前的热门" not in ranking  # older than 7 days

    page2 = client.get("/zh-hans/?page=2").content.decode()
    assert "列表文章20" in page2


@pytest.mark.django_db
def test_home_does_not_repeat_the_headline_in_the_latest_list(client, category):
    now = timezone.now()
    for n in range(25):
        make_article(
            category=category,
            title=f"列表文章{n:02d}",
            published_at=now - timezone.timedelta(hours=n + 1),
        )
    without_headline = queries_of_an_uncached(client, "/zh-hans/")
    make_article(category=category, title="头条新闻", is_headline=True, published_at=now)

    assert queries_of_an_uncached(client, "/zh-hans/") == without_headline
    html = client.get("/zh-hans/").content.decode()
    headline = html[html.index('class="headline"') : html.index('id="latest-heading"')]
    latest = html[html.index('id="latest-heading"') : html.index('id="hot-heading"')]
    assert "头条新闻" in headline
    assert "头条新闻" not in latest
    assert latest.count('class="item"') == 20
    assert "列表文章00" in latest and "列表文章19" in latest
    page2 = client.get("/zh-hans/?page=2").content.decode()
    page2_latest = page2[page2.index('id="latest-heading"') : page2.index('id="hot-heading"')]
    assert page2_latest.count('class="item"') == 5  # 列表文章20–24: none dropped, none twice
    assert "头条新闻" not in page2_latest


def queries_of_an_uncached(client, path) -> int:
    """How many queries ``path`` costs when no cache holds the page or its parts."""
    for alias in settings.CACHES:
        caches[alias].clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_category_page_lists_only_its_articles_paginated(client):
    jiangsu, other = make_category(name="江苏", slug="jiangsu"), make_category()
    for n in range(21):
        make_article(category=jiangsu, title=f"江苏新闻{n:02d}")
    make_article(category=other, title="外省新闻")
    response = client.get("/zh-hans/category/jiangsu/")
    html = response.content.decode()
    assert "<h1" in html and "江苏" in html
    assert html.count('class="item"') == 20
    assert "外省新闻" not in html
    assert 'rel="next"' in html
    assert "江苏新闻20" in client.get("/zh-hans/category/jiangsu/?page=2").content.decode()


@pytest.mark.django_db
def test_category_navigation_follows_editors_order(client):
    make_category(name="乙栏目", slug="b", position=2)
    make_category(name="甲栏目", slug="a", position=1)
    html = client.get("/zh-hans/").content.decode()
    nav = html[html.index('class="categories"') :]
    assert nav.index("甲栏目") < nav.index("乙栏目")


@pytest.mark.django_db
def test_hot_ranking_is_shared_for_a_minute_but_never_shows_an_unpublished_article(client):
    # Within the ranked week whatever the factories' counter has reached (it ages articles).
    an_hour_ago = timezone.now() - timezone.timedelta(hours=1)
    first = make_article(title="最热的新闻", published_at=an_hour_ago)
    second = make_article(title="次热的新闻", published_at=an_hour_ago)
    Article.objects.filter(pk=first.pk).update(heat=500)
    Article.objects.filter(pk=second.pk).update(heat=400)
    assert list(Article.objects.published().hot_ranking()) == [first, second]

    first.unpublish()
    assert list(Article.objects.published().hot_ranking()) == [second]
    ranking = client.get("/zh-hans/").content.decode().split('id="hot-heading"')[1]
    assert "最热的新闻" not in ranking and "次热的新闻" in ranking
