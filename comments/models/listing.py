"""The public list of an article's comments: ``ListedComments``, fed to the paginator."""

from django.db.models import Count, Q, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import RowNumber

from .comment import Comment

# Replies listed under a comment on the article page (oldest first), then a link to its 回复
# page, which lists them all: one comment with 300 replies made a huge article page.
REPLIES_LISTED = 10
REPLY_ORDER = ("created_at", "id")

# What comment pages and the queue never need of an article: its text in four variants.
HEAVY_ARTICLE_FIELDS = (
    "body",
    "title_variants",
    "summary_variants",
    "body_variants",
    "search_vector",
)


def listed_before(article_id, featured, floor, pk):
    """The listed comments of an article shown before one with these values (``OuterRef``s
    will do), in ``ListedComments.ORDER``: 精选 first, then by 楼层. Their number says which
    page of the list holds it."""
    return (
        Comment.objects.listed()
        .filter(article_id=article_id)
        .filter(
            Q(featured__gt=featured)
            | Q(featured=featured, floor__lt=floor)
            | Q(featured=featured, floor=floor, pk__lt=pk)
        )
    )


def item_rows(comments, variant: str, *extra) -> list[dict]:
    """What the list shows of each comment: its id, parent, folded 顶, 精选 and its stored list
    item in ``variant`` (plus ``extra`` fields)."""
    html = KeyTextTransform(variant, "item_variants")
    fields = ("pk", "parent_id", "like_count", "featured", *extra)
    return list(comments.values(*fields, html=html))


class ListedComments:
    """An article's visible top-level comments for the public list, sliceable for the paginator:
    精选 first, then by 楼层; each a dict of its id, stored list item (comments/rendering.py,
    no model instances, no formatting), folded 顶 count, 精选 flag and visible replies (oldest
    first, at most ``REPLIES_LISTED``; ``reply_count`` says how many there are). Their number
    is the article's stored count; one query fetches a page, one its replies — however many
    there are.

    Deep pages (page 200 of 10,000 comments) are fetched by a deferred join: their OFFSET is
    skipped on the narrow columns alone and only the 50 rows shown are read whole.
    """

    ordered = True
    # As the ``comment_listed`` index (an approved top-level comment always has its floor).
    ORDER = ("-featured", "floor", "id")

    def __init__(self, article_id: int, variant: str, *, count: int):
        self.article_id = article_id
        self.variant = variant
        # The article's ``top_level_comment_count``, kept with each decision (DecisionBatch):
        # counting 10,000 rows for the paginator cost 2 ms on every page of a long thread.
        self.total = count
        self.empty = not count  # no query at all

    def top_level(self):
        return Comment.objects.listed().filter(article_id=self.article_id)

    def count(self) -> int:
        return self.total

    def rows(self, comments, *extra) -> list[dict]:
        return item_rows(comments, self.variant, *extra)

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop = window.start or 0, window.stop
        if self.empty or (stop is not None and stop <= start):
            return []
        shown = self.top_level().order_by(*self.ORDER)
        if start:
            ids = shown.values("pk")[start:stop]
            shown, start, stop = Comment.objects.filter(pk__in=ids).order_by(*self.ORDER), 0, None
        top = self.rows(shown[start:stop])
        by_id = {row["pk"]: {**row, "replies": []} for row in top}
        if by_id:
            # Their parents are listed, so approved is visible: no join to the parent.
            # The first REPLIES_LISTED of each, and how many there are, in the same query.
            under = (
                Comment.objects.filter(status=Comment.Status.APPROVED, parent_id__in=list(by_id))
                .annotate(
                    nth=Window(RowNumber(), partition_by="parent_id", order_by=REPLY_ORDER),
                    reply_count=Window(Count("pk"), partition_by="parent_id"),
                )
                .filter(nth__lte=REPLIES_LISTED)
            )
            for reply in self.rows(under.order_by(*REPLY_ORDER), "reply_count"):
                parent = by_id[reply["parent_id"]]
                parent["replies"].append(reply)
                parent["reply_count"] = reply["reply_count"]
        return list(by_id.values())

    def hot(self, minimum: int, size: int = 3) -> list[dict]:
        """热门评论: the most liked top-level comments with at least ``minimum`` folded 顶."""
        if self.empty:
            return []
        liked = self.top_level().filter(like_count__gte=max(1, minimum))
        return self.rows(liked.order_by("-like_count", *self.ORDER[1:])[:size])
