"""The queries readers' pages run on every render, built and compiled once per process
(portal/prepared.py): building and compiling them took longer than PostgreSQL took to answer.
Each starts from ``Article.objects.published(now)``, as every reader's list does."""

from datetime import datetime
from functools import lru_cache

from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.prepared import PreparedQuery

from .models import Article, Category

PAGE_ARTICLE = PreparedQuery(
    lambda pk, variant, now: (
        Article.objects.published(now).in_variant(variant, body=True).filter(pk=pk)
    ),
    pk=int,
    variant=str,
    now=datetime,
)
NAVIGATION = PreparedQuery(
    lambda variant: Category.objects.annotate(
        shown=Coalesce(
            KeyTextTransform(variant, "name_variants"), "name", output_field=models.CharField()
        )
    ).values_list("slug", "shown"),
    variant=str,
)
NEIGHBOURS = PreparedQuery(
    lambda category_id, pk, published_at, variant, now: Article.objects.published(
        now
    ).neighbour_rows(category_id, pk, published_at, variant),
    category_id=int,
    pk=int,
    published_at=datetime,
    variant=str,
    now=datetime,
)


class NewestArticles:
    """What list pages show: the newest published articles, of one category or all, with their
    text in a variant, sliced by the page's paginator. Each page window's query is compiled once
    per process (portal/prepared.py)."""

    ordered = True
    cap = 1000  # lists page through the newest 1,000 (50 pages); older news is found by search

    def __init__(self, variant: str, category_id: int | None = None):
        self.values = {"variant": variant, "now": timezone.now()}
        if category_id is not None:
            self.values["category_id"] = category_id

    @staticmethod
    def select(variant: str, now: datetime, category_id: int | None = None):
        articles = Article.objects.published(now).in_variant(variant)
        if category_id is not None:
            articles = articles.filter(category_id=category_id)
        return articles.latest()

    def count(self) -> int:
        """How many, up to ``cap``: counting 100,000 rows cost more than rendering the page;
        counting at most 1,000 ids is an index-only scan with a LIMIT."""
        return self.select(**self.values).values("pk")[: self.cap].count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list["Article"]:
        start, stop = window.start or 0, window.stop
        if stop is not None and stop <= start:
            return []
        return _newest_window(start, stop, "category_id" in self.values)(**self.values)

    @classmethod
    def headline(cls, variant: str) -> "Article | None":
        """The newest published article marked as the headline."""
        found = HEADLINE(variant=variant, now=timezone.now())
        return found[0] if found else None


@lru_cache(maxsize=128)
def _newest_window(start: int, stop: int | None, by_category: bool) -> PreparedQuery:
    kinds = {"variant": str, "now": datetime, **({"category_id": int} if by_category else {})}
    return PreparedQuery(lambda **values: NewestArticles.select(**values)[start:stop], **kinds)


HEADLINE = PreparedQuery(
    lambda variant, now: NewestArticles.select(variant, now).filter(is_headline=True)[:1],
    variant=str,
    now=datetime,
)
