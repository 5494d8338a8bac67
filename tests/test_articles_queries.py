"""Pages cost a fixed number of queries however much content there is."""

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_category

MAX_QUERIES = 8


def bulk_articles(category, count, template):
    """Many published articles at once, with the renderings copied from one saved article."""
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(
                title=f"{template.title}{n}",
                summary=template.summary,
                body=template.body,
                category=category,
                status=Article.Status.PUBLISHED,
                published_at=now - timezone.timedelta(minutes=n + 10),
                heat=n,
                title_variants=template.title_variants,
                summary_variants=template.summary_variants,
                body_variants=template.body_variants,
                source_script="zh-hans",
            )
            for n in range(count)
        ],
        batch_size=1000,  # a statement takes at most 65,535 parameters (server-side binding)
    )


@pytest.fixture(scope="module", params=[30, 10_000], ids=["30 articles", "10000 articles"])
def newsroom(request, django_db_setup, django_db_blocker):
    """Committed once for the tests that read it (10,000 articles take seconds to write);
    removed afterwards."""
    with django_db_blocker.unblock():
        category = make_category(slug="jiangsu")
        template = make_article(category=category, title="模板文章")
        bulk_articles(category, request.param, template)
        yield category, template
        Article.objects.filter(category=category).delete()
        category.delete()


PATHS = [
    "/zh-hans/",
    "/zh-hans/?page=2",
    "/zh-tw/category/jiangsu/",
    "/zh-hk/category/jiangsu/?page=2",
    "/zh-hans/articles/{pk}/",
    "/zh-tw/articles/{pk}/",
]


def test_reader_pages_need_a_constant_number_of_queries(
    db, client, newsroom, django_assert_max_num_queries
):
    _, template = newsroom
    for path in PATHS:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(path.format(pk=template.pk))
        assert response.status_code == 200, path


def test_feeds_need_a_constant_number_of_queries(
    db, client, newsroom, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert client.get("/zh-hans/feeds/latest.xml").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/zh-hans/feeds/category/jiangsu.xml").status_code == 200


@pytest.mark.django_db
def test_lists_page_through_the_newest_thousand_articles_only(client, settings):
    from articles.views import LIST_CAP

    category = make_category(slug="big")
    template = make_article(category=category)
    bulk_articles(category, 1100, template)
    assert LIST_CAP == 1000
    last = client.get("/zh-hans/category/big/?page=50")
    assert last.status_code == 200
    assert "第 50 / 50 页" in last.content.decode()
    assert client.get("/zh-hans/category/big/?page=51").status_code == 404
