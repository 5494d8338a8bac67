"""Which reader pages a change touches, for the edge caches to purge (``portal/edge.py``).

An edge keys a page by its path and the query parameters that name it, each in canonical form
(``edge/portal.conf.template``), so a page here is such a URL: ``/zh-hans/articles/5/?cpage=2``.
The first page of a list or of an article's comments is reachable both without the parameter
and with ``=1``; both are purged. Every function returns nothing unless edges are configured.

What a change touches, in all four variants:

- an article's page and each of its comment pages (one more than it has, in case it just lost
  one), when its text, its state or its comments change;
- its neighbours' pages (their 上一篇/下一篇 links) when it is published, edited or unpublished;
- every page of the home list and of its category's list (one article more or less shifts them
  all; the home page's headline and 热门 ranking may name it), the latest and category feeds,
  and the sitemap;
- for a comment decision, only the list pages showing its article (they show the count).

Not purged: search results (kept 30 seconds by the edge), and the "related" box of the other
articles of a category, which names its latest five: that would be every article page of the
category on every publish, so it follows when those pages expire (``PAGE_CACHE_SECONDS``).
"""

from math import ceil

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from portal import edge
from portal.variants import CODES

# As articles/views.py and comments/section.py page them (tests/test_edge.py checks they agree).
LIST_PAGE_SIZE = 20
LIST_CAP = 1000
COMMENTS_PER_PAGE = 50


def in_every_variant(name: str, kwargs: dict | None = None, queries=("",)) -> set[str]:
    paths = set()
    for code in CODES:
        with translation.override(code):
            path = reverse(name, kwargs=kwargs)
        paths.update(path + (f"?{query}" if query else "") for query in queries)
    return paths


def numbered(parameter: str, pages: int) -> list[str]:
    """The queries naming pages 1…``pages`` (page 1 also as no query at all)."""
    return ["", *(f"{parameter}={n}" for n in range(1, pages + 1))]


def article_pages(pk: int, comment_count: int) -> set[str]:
    pages = ceil(comment_count / COMMENTS_PER_PAGE) + 1
    return in_every_variant("articles:detail", {"pk": pk}, numbered("cpage", pages))


def list_pages(name: str, kwargs: dict | None, articles: int) -> set[str]:
    pages = ceil(min(articles + 1, LIST_CAP) / LIST_PAGE_SIZE)
    return in_every_variant(name, kwargs, numbered("page", max(1, pages)))


def capped_count(articles) -> int:
    """How many, up to what the lists show (an index-only count with a LIMIT)."""
    return articles.values("pk")[:LIST_CAP].count()


def state_before(article) -> dict | None:
    """What readers could see of ``article`` before the save about to happen."""
    if not edge.enabled() or article.pk is None:
        return None
    return (
        type(article)
        .objects.filter(pk=article.pk)
        .values("status", "published_at", "category_id")
        .first()
    )


def after_save(article, before: dict | None) -> set[str]:
    """The pages an editor's save of ``article`` touched (``before``: ``state_before``)."""
    if not edge.enabled():
        return set()
    now = timezone.now()
    published = type(article).objects.published(now)
    was_visible = (
        before is not None
        and before["status"] == article.Status.PUBLISHED
        and before["published_at"] <= now
    )
    if not (article.is_visible or was_visible):
        return set()  # a draft or a scheduled article: no reader saw it or sees it
    places = {(article.category_id, article.published_at)}
    if was_visible:
        places.add((before["category_id"], before["published_at"]))
    paths = article_pages(article.pk, article.comment_count)
    others = published.exclude(pk=article.pk)
    for category_id, published_at in places:
        in_category = others.filter(category_id=category_id)
        earlier = Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=article.pk)
        previous = in_category.filter(earlier).order_by("-published_at", "-id")[:1]
        following = in_category.exclude(earlier).order_by("published_at", "id")[:1]
        for query in (previous, following):
            for neighbour in query.values("pk", "comment_count"):
                paths |= article_pages(neighbour["pk"], neighbour["comment_count"])
    paths |= list_pages("articles:home", None, capped_count(published))
    paths |= in_every_variant("articles:feed_latest")
    paths.add(reverse("sitemap"))
    categories = article._meta.get_field("category").related_model.objects
    for category_id, slug in categories.filter(
        pk__in={category_id for category_id, _ in places}
    ).values_list("pk", "slug"):
        count = capped_count(published.filter(category_id=category_id))
        paths |= list_pages("articles:category", {"slug": slug}, count)
        paths |= in_every_variant("articles:feed_category", {"slug": slug})
    return paths


def after_comments_changed(articles, article_id: int) -> set[str]:
    """The pages showing an article's comments or their count (``articles``: its manager)."""
    if not edge.enabled():
        return set()
    article = (
        articles.published()
        .filter(pk=article_id)
        .values("pk", "comment_count", "published_at", "category_id", "category__slug")
        .first()
    )
    if article is None:
        return set()  # not public: its page is a 404 everywhere
    paths = article_pages(article_id, article["comment_count"])
    newer = Q(published_at__gt=article["published_at"]) | Q(
        published_at=article["published_at"], pk__gt=article_id
    )
    before_it = articles.published().filter(newer)
    for name, kwargs, ahead in (
        ("articles:home", None, before_it),
        (
            "articles:category",
            {"slug": article["category__slug"]},
            before_it.filter(category_id=article["category_id"]),
        ),
    ):
        position = capped_count(ahead)
        if position < LIST_CAP:
            page = position // LIST_PAGE_SIZE + 1
            queries = ["", "page=1"] if page == 1 else [f"page={page}"]
            paths |= in_every_variant(name, kwargs, queries)
    return paths


def comment_pages(articles, article_ids) -> set[str]:
    """The pages of these articles (comments re-rendered after a glossary change)."""
    if not edge.enabled():
        return set()
    paths = set()
    for pk, count in articles.filter(pk__in=article_ids).values_list("pk", "comment_count"):
        paths |= article_pages(pk, count)
    return paths


def whole_site(articles, categories) -> set[str]:
    """Every cached page: a category's name is in every page's navigation. One purge per page
    and variant — about 10 per published article — so a rename is slow to send on a large
    site (in the background; the editor does not wait for it)."""
    if not edge.enabled():
        return set()
    published = articles.published()
    paths = list_pages("articles:home", None, capped_count(published))
    paths |= in_every_variant("articles:feed_latest")
    paths.add(reverse("sitemap"))
    for category_id, slug in categories.values_list("pk", "slug"):
        count = capped_count(published.filter(category_id=category_id))
        paths |= list_pages("articles:category", {"slug": slug}, count)
        paths |= in_every_variant("articles:feed_category", {"slug": slug})
    for pk, count in published.values_list("pk", "comment_count").iterator():
        paths |= article_pages(pk, count)
    return paths
