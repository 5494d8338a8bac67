"""The moderators' desk (the comments changelist, see comments/admin.py): what a card shows
beyond the comment's own row, the script the moderator reads in, and the header's figures.

Everything here costs a constant number of queries per page, whatever the backlog: a card's
commenter history is one grouped query for the whole page, never one per card, and comments
are shown in the moderator's script from renderings stored when they were posted.
"""

import html
from dataclasses import dataclass, field
from functools import wraps
from itertools import pairwise

from django.conf import settings
from django.db.models import Count, F, Min, Q, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext

from articles.models import GlossaryTerm
from portal.variants import CODES, DEFAULT_VARIANT, path_in_variant
from portal.variants.convert import detect_script

from .highlight import highlight
from .models import Block, Comment, Decision, DeskPreference, render_literally

SESSION_KEY = "desk_variant"
HISTORY_STATUSES = (Comment.Status.APPROVED, Comment.Status.REJECTED, Comment.Status.SPAM)


def desk_url(comment) -> str:
    """The comment on the desk, absolute when ``SITE_URL`` says where the site is."""
    path = reverse("admin:comments_comment_changelist") + f"?id={comment.pk}&status=all"
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


# --- the moderator's script ------------------------------------------------------------------


def desk_variant(request) -> str:
    """The script this moderator reads comments in: their saved choice, else the site's
    variant their browser asked for. Kept in the session so a page costs no query for it."""
    variant = request.session.get(SESSION_KEY)
    if variant not in CODES:
        saved = DeskPreference.objects.filter(user_id=request.user.pk)
        variant = saved.values_list("variant", flat=True).first()
        if variant is None:
            variant = getattr(request, "LANGUAGE_CODE", DEFAULT_VARIANT)
            variant = variant if variant in CODES else DEFAULT_VARIANT
        request.session[SESSION_KEY] = variant
    return variant


def choose_variant(request, variant: str) -> None:
    DeskPreference.objects.update_or_create(user_id=request.user.pk, defaults={"variant": variant})
    request.session[SESSION_KEY] = variant


def ui_language(variant: str) -> str:
    """Django ships the admin in zh-hans and zh-hant: Taiwan and Hong Kong read the latter."""
    return "zh-hans" if variant == "zh-hans" else "zh-hant"


def in_desk_language(view):
    """Run an admin view, and render its response, in the moderator's interface language."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(ui_language(desk_variant(request))):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            response.headers["Content-Language"] = translation.get_language()
        return response

    return wrapped


# --- cards -------------------------------------------------------------------------------------


@dataclass
class Card:
    comment: Comment
    nickname: str
    body_html: SafeString
    original_html: SafeString | None
    title: str
    article_url: str
    waiting: str
    history: dict = field(default_factory=dict)
    blocked: list = field(default_factory=list)
    next_id: int | None = None


class _LazyGlossary:
    """The glossary, fetched only if some comment on the page has no stored rendering."""

    value = None

    def get(self):
        if self.value is None:
            self.value = GlossaryTerm.objects.as_glossary()
        return self.value


def _stored_text(rendered_html: str) -> str:
    """A stored rendering (escaped, line breaks as <br>) back to text."""
    return html.unescape(rendered_html.replace("<br>", "\n"))


def _in_variant(comment, variant: str, glossary: _LazyGlossary) -> tuple[str, str]:
    """(nickname, body) in the moderator's script: stored at posting, else converted now
    (comments stored before renderings were made at posting)."""
    body = getattr(comment, "desk_body", None)
    if body is not None:
        return getattr(comment, "desk_nickname", None) or "", _stored_text(body)
    source = detect_script([comment.nickname, comment.body])
    return (
        render_literally(comment.nickname, source, glossary.get())[variant],
        render_literally(comment.body, source, glossary.get())[variant],
    )


def build_cards(comments, variant: str) -> list[Card]:
    comments = list(comments)
    now = timezone.now()
    history = history_counts(comments)
    blocked = active_blocks(comments)
    glossary = _LazyGlossary()
    cards = []
    for comment in comments:
        nickname, body = _in_variant(comment, variant, glossary)
        reasons = comment.suspicion_reasons or []
        article = comment.article
        cards.append(
            Card(
                comment=comment,
                nickname=nickname or gettext("热心网友"),
                body_html=highlight(body, reasons),
                original_html=highlight(comment.body, reasons) if body != comment.body else None,
                title=getattr(comment, "desk_title", None) or article.title,
                article_url=path_in_variant(article.get_absolute_url(), variant),
                waiting=timesince(comment.created_at, now),
                history={
                    "key": history.get(("key", comment.commenter_key)),
                    "address": history.get(("address", comment.address_block)),
                },
                blocked=[
                    kind
                    for kind, value in (
                        (Block.Kind.KEY, comment.commenter_key),
                        (Block.Kind.ADDRESS, comment.address_block),
                    )
                    if value and (kind, value) in blocked
                ],
            )
        )
    for card, following in pairwise(cards):
        card.next_id = following.comment.pk
    return cards


def history_counts(comments) -> dict:
    """{("key" | "address", value): {status: count, ...}} for the commenters on a page: one
    grouped query (by key, and by address block, as one UNION)."""
    keys = {c.commenter_key for c in comments if c.commenter_key}
    blocks = {c.address_block for c in comments if c.address_block}
    parts = []
    columns = (("key", "commenter_key", keys), ("address", "address_block", blocks))
    for kind, column, values in columns:
        if values:
            parts.append(
                Comment.objects.filter(**{f"{column}__in": values})
                .order_by()
                .values("status", kind=Value(kind), value=F(column))
                .annotate(n=Count("id"))
            )
    if not parts:
        return {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    counts = {}
    for row in query:
        entry = counts.setdefault((row["kind"], row["value"]), dict.fromkeys(Comment.Status, 0))
        entry[row["status"]] = row["n"]
    for entry in counts.values():
        entry["decided"] = sum(entry[status] for status in HISTORY_STATUSES)
    return counts


def active_blocks(comments) -> set:
    """{(kind, value)} of the active blocks among the page's commenters (one query)."""
    match = Q(pk__in=[])
    keys = {c.commenter_key for c in comments if c.commenter_key}
    blocks = {c.address_block for c in comments if c.address_block}
    if keys:
        match |= Q(kind=Block.Kind.KEY, value__in=keys)
    if blocks:
        match |= Q(kind=Block.Kind.ADDRESS, value__in=blocks)
    if not keys and not blocks:
        return set()
    return set(Block.objects.active().filter(match).values_list("kind", "value"))


# --- the header ----------------------------------------------------------------------------


def backlog() -> dict:
    """How many comments wait and how long the oldest has waited (one query)."""
    found = Comment.objects.filter(status=Comment.Status.PENDING).aggregate(
        n=Count("id"), oldest=Min("created_at")
    )
    return {
        "pending_count": found["n"],
        "oldest_pending_age": timesince(found["oldest"]) if found["oldest"] else "",
    }


def decisions_today() -> list[dict]:
    """Today's decisions per moderator, most first (undos count as decisions too)."""
    rows = (
        Decision.objects.today()
        .filter(moderator__isnull=False)
        .values("moderator__username")
        .annotate(n=Count("id"))
        .order_by("-n", "moderator__username")
    )
    return [{"name": row["moderator__username"], "count": row["n"]} for row in rows]


def last_undoable(user) -> Decision | None:
    return Decision.objects.undoable_by(user).select_related("comment").first()
