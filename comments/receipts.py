"""我的留言: what became of a reader's own comments — 待审核, 已通过 or 未通过 with the reason.

The author is known by the signed ``commenter`` cookie (comments/commenter.py), never by an
account. Receipts are per reader, so they are never part of a shared page: the article page
carries an empty placeholder that static/js/my-comments.js fills from a never-cached endpoint
(comments/receipt_views.py), and the cookie ``HINT_COOKIE`` tells the script whether asking is
worth a request at all (the commenter cookie is HttpOnly, and most readers never comment).
"""

import hashlib

from django.conf import settings
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from articles.models import Article, GlossaryTerm
from portal.pagecache import cached_result
from portal.variants.convert import detect_script

from .commenter import COOKIE_MAX_AGE
from .models import REPLIES_LISTED, Comment, Decision, listed_before, render_literally
from .section import COMMENTS_PER_PAGE, REPLIES_PER_PAGE

# Says only "this browser has posted a comment" (no key, nothing signed): readable by the script,
# so readers who never commented cost no request per article page.
HINT_COOKIE = "my_comments"

REFUSED = (Comment.Status.REJECTED, Comment.Status.SPAM)


def remember(response) -> None:
    """Set on posting a comment, for as long as the commenter cookie lives."""
    response.set_cookie(
        HINT_COOKIE,
        "1",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def of_commenter(key: str, variant: str):
    """The browser's comments on published articles, newest first, as ``Receipt`` rows: the
    text and the article's title in ``variant`` (renderings stored at posting and at save), and
    the reason of the refusal that stands.

    That reason is the latest refusal which is not an undo (an undo's reason says "撤销", not
    why) nor a note that keeps the status (取消精选 on a rejected comment); a refusal the site
    made itself (a blocked commenter) gives none — what was blocked is the moderators' business.
    """
    refusals = (
        Decision.objects.status_changes()
        .filter(comment=OuterRef("pk"), to_status__in=REFUSED, undoes__isnull=True)
        .order_by("-decided_at", "-id")
    )
    reason = Case(When(moderator__isnull=True, then=Value("")), default=F("reason"))
    return (
        Comment.objects.of_commenter(key)
        .filter(article__in=Article.objects.published())
        .annotate(
            shown_nickname=KeyTextTransform(variant, "nickname_variants"),
            shown_body=KeyTextTransform(variant, "body_variants"),
            article_title=KeyTextTransform(variant, "article__title_variants"),
            parent_status=F("parent__status"),
            answers_nickname=KeyTextTransform(variant, "reply_to__nickname_variants"),
            refusal_reason=Subquery(refusals.annotate(shown=reason).values("shown")[:1]),
            # The top-level comment the list shows it with: itself, or a reply's parent.
            head_featured=Coalesce("parent__featured", "featured"),
            head_floor=Coalesce("parent__floor", "floor"),
            head_id=Coalesce("parent_id", "pk"),
        )
        .annotate(**places())
        .only("pk", "article_id", "parent_id", "reply_to_id", "status", "created_at")
    )


def places() -> dict:
    """Where the article's list shows a comment, counted in the same query as the receipts (no
    query per receipt): how many top-level comments the list shows before its own, and (a
    reply) how many replies before it under that comment."""
    head = listed_before(
        OuterRef("article_id"),
        OuterRef("head_featured"),
        OuterRef("head_floor"),
        OuterRef("head_id"),
    )
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(
        created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")
    )
    replies = Comment.objects.filter(
        status=Comment.Status.APPROVED, parent_id=OuterRef("parent_id")
    )
    return {"listed_before": counted(head), "replies_before": counted(replies.filter(earlier))}


def counted(rows):
    return Subquery(rows.order_by().values(n=Func("pk", function="COUNT")))


def shown_at(comment) -> str:
    """The page showing a visible comment, at its anchor: its page of the article's list
    (``cpage``), or — a reply past the first ``REPLIES_LISTED`` under its comment — its page
    of that comment's 回复 page."""
    if comment.parent_id is not None and comment.replies_before >= REPLIES_LISTED:
        url = reverse("comments:reply", kwargs={"pk": comment.parent_id})
        name, number = "page", comment.replies_before // REPLIES_PER_PAGE + 1
    else:
        url = reverse("articles:detail", kwargs={"pk": comment.article_id})
        name, number = "cpage", comment.listed_before // COMMENTS_PER_PAGE + 1
    return f"{url}?{name}={number}#c{comment.pk}" if number > 1 else f"{url}#c{comment.pk}"


class Receipt:
    """One comment as its author sees it."""

    def __init__(self, comment: Comment, reasons: dict[str, str]):
        self.pk = comment.pk
        self.nickname = comment.shown_nickname or ""
        self.body_html = mark_safe(comment.shown_body or "")  # escaped when stored
        self.article_title = comment.article_title or ""
        # A reply says whom it answers ("" for an anonymous comment; None: not a reply).
        self.answers = (comment.answers_nickname or "") if comment.reply_to_id else None
        self.article_url = reverse("articles:detail", kwargs={"pk": comment.article_id})
        self.created_at = comment.created_at
        status = comment.status
        self.state = {Comment.Status.PENDING: "pending", Comment.Status.APPROVED: "approved"}.get(
            status, "refused"
        )
        # Approved, yet not shown: a reply whose top-level comment was hidden since.
        self.shown = status == Comment.Status.APPROVED and comment.parent_status in (
            None,
            Comment.Status.APPROVED,
        )
        self.reason = reasons.get(comment.refusal_reason or "", "") if status in REFUSED else ""
        self.url = shown_at(comment) if self.shown else ""

    @property
    def time(self) -> str:
        return timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")


def receipts(comments, variant: str) -> list[Receipt]:
    comments = list(comments)
    given = {c.refusal_reason for c in comments if c.status in REFUSED and c.refusal_reason}
    reasons = reasons_in(given, variant) if given else {}
    return [Receipt(comment, reasons) for comment in comments]


def reasons_in(reasons: set[str], variant: str) -> dict[str, str]:
    """Moderators' reasons in the reader's script. Reasons are a few labels (RejectionReason),
    so a page's set of them is converted once per glossary (a glossary change bumps the site
    generation) with one query for the glossary."""
    given = sorted(reasons)
    digest = hashlib.md5("\n".join(given).encode(), usedforsecurity=False).hexdigest()

    def convert() -> dict[str, str]:
        glossary = GlossaryTerm.objects.as_glossary()
        return {
            reason: render_literally(reason, detect_script([reason]), glossary)[variant]
            for reason in given
        }

    return cached_result(f"receipt-reasons:{variant}:{digest}", convert)
