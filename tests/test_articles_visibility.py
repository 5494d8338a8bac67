"""Readers see exactly the published, due articles — on every public surface."""

import re

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article

NOW = timezone.now()
PAST = NOW - timezone.timedelta(hours=1)
FUTURE = NOW + timezone.timedelta(hours=1)

GRID = [
    (Article.Status.PUBLISHED, PAST, True),
    (Article.Status.PUBLISHED, FUTURE, False),
    (Article.Status.DRAFT, PAST, False),
    (Article.Status.DRAFT, FUTURE, False),
]


def public_responses(client, article):
    slug = article.category.slug
    return {
        "home": client.get("/zh-hans/"),
        "category": client.get(f"/zh-hans/category/{slug}/"),
        "feed": client.get("/zh-hans/feeds/latest.xml"),
        "category feed": client.get(f"/zh-hans/feeds/category/{slug}.xml"),
        "sitemap": client.get("/sitemap.xml"),
        "search": client.get("/zh-hans/search/", {"q": "独一无二的标题"}),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "published_at", "visible"), GRID)
def test_only_published_and_due_articles_reach_readers(client, status, published_at, visible):
    article = make_article(title="独一无二的标题", status=status, published_at=published_at)

    detail = client.get(f"/zh-hans/articles/{article.pk}/")
    assert detail.status_code == (200 if visible else 404)
    for surface, response in public_responses(client, article).items():
        assert response.status_code == 200, surface
        # The search page echoes the query, so look for the article's link, not its title.
        shown = re.search(rf"/articles/{article.pk}/[\"<]", response.content.decode())
        assert bool(shown) is visible, surface


@pytest.mark.django_db
def test_published_queryset_is_the_single_definition_of_visible():
    make_article(status=Article.Status.PUBLISHED, published_at=PAST)
    make_article(status=Article.Status.PUBLISHED, published_at=FUTURE)
    make_article(status=Article.Status.DRAFT, published_at=PAST)
    assert Article.objects.published().count() == 1


@pytest.mark.django_db
def test_a_scheduled_article_appears_by_itself_when_its_time_comes(client):
    article = make_article(
        title="定时发布的新闻", published_at=NOW + timezone.timedelta(minutes=30)
    )
    assert client.get(f"/zh-hans/articles/{article.pk}/").status_code == 404
    assert "定时发布的新闻" not in client.get("/zh-hans/").content.decode()

    with time_machine.travel(NOW + timezone.timedelta(minutes=31)):
        assert client.get(f"/zh-hans/articles/{article.pk}/").status_code == 200
        assert "定时发布的新闻" in client.get("/zh-hans/").content.decode()


@pytest.mark.django_db
def test_staff_who_edit_articles_preview_drafts_and_readers_get_404(client, editor):
    draft = make_article(title="尚未发布的草稿", status=Article.Status.DRAFT)
    assert client.get(f"/zh-hans/articles/{draft.pk}/").status_code == 404

    client.force_login(editor)
    response = client.get(f"/zh-hans/articles/{draft.pk}/")
    assert response.status_code == 200
    assert "尚未发布的草稿" in response.content.decode()
    assert "预览：此文章尚未对读者公开。" in response.content.decode()


@pytest.mark.django_db
def test_previewing_a_draft_does_not_count_as_a_read(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    client.get(f"/zh-hans/articles/{draft.pk}/")
    draft.refresh_from_db()
    assert draft.heat == 0


@pytest.mark.django_db
def test_moderators_cannot_preview_drafts(client, moderator):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(moderator)
    assert client.get(f"/zh-hans/articles/{draft.pk}/").status_code == 404
