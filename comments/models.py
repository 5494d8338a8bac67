"""Readers' comments. Every comment starts ``pending``; only a moderator's action approves it.

The article's ``comment_count`` is kept equal to its number of approved comments here, in the
same transaction as the state change, so lists show counts without a join.
"""

import re

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article, GlossaryTerm
from portal.variants import CODES
from portal.variants.convert import detect_script, render

from . import guards
from .rendering import items_html
from .signals import comment_visibility_changed

# What comment pages and the queue never need of an article: its text in four variants.
HEAVY_ARTICLE_FIELDS = (
    "body",
    "title_variants",
    "summary_variants",
    "body_variants",
    "search_vector",
)

MARKUP_DELIMITER = re.compile(r"(-\{|\}-)")


def render_literally(text: str, source: str, glossary) -> dict:
    """A reader's text in every variant. Unlike an editor's, ``-{…}-`` in it is not markup:
    a reader can't choose per-variant text that the moderator never saw."""
    pieces = MARKUP_DELIMITER.split(text)
    rendered = [
        dict.fromkeys(CODES, piece)
        if MARKUP_DELIMITER.fullmatch(piece)
        else render(piece, source, glossary)
        for piece in pieces
    ]
    return {variant: "".join(part[variant] for part in rendered) for variant in CODES}


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What the public may see: approved comments, nothing else."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING).order_by("created_at", "id")

    def duplicate_of(self, article_id: int, body: str, token: str = ""):
        """Comments with this text on this article in the last day (not from this very form)."""
        since = timezone.now() - timezone.timedelta(days=1)
        return self.filter(article_id=article_id, body=body, created_at__gte=since).exclude(
            submission_token=token or None
        )


class Duplicate(Exception):
    """The same text on the same article was stored a moment ago from another form."""


class ListedComments:
    """An article's approved comments as their pre-rendered list items, oldest first (no model
    instances, no formatting), sliceable for the paginator. How many there are is the article's
    ``comment_count`` (comments/section.py), never counted here.

    Deep pages (page 200 of 10,000 comments) are fetched by a deferred join: their OFFSET is
    skipped on the narrow index alone and only the 50 rows shown are read from the table.
    """

    ordered = True

    def __init__(self, article_id: int, variant: str):
        self.article_id = article_id
        self.variant = variant

    def __getitem__(self, window: slice) -> list[str]:
        start, stop = window.start or 0, window.stop
        if stop is not None and stop <= start:
            return []  # an article without comments: page 1 is empty
        approved = Comment.objects.visible().filter(article_id=self.article_id)
        if start:
            ids = approved.order_by("created_at", "id").values("pk")[start:stop]
            approved, start, stop = Comment.objects.filter(pk__in=ids), 0, None
        items = (
            approved.order_by("created_at", "id")
            .annotate(html=KeyTextTransform(self.variant, "item_variants"))
            .values_list("html", flat=True)
        )
        return list(items[start:stop])


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已拒绝"
        SPAM = "spam", "垃圾信息"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name="文章"
    )
    nickname = models.CharField("昵称", max_length=30, blank=True)
    body = models.TextField("内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    suspected = models.BooleanField("可疑", default=False)
    suspicion_reasons = models.JSONField("可疑原因", default=list, blank=True)
    # The signed token of the form it came from: a form submitted twice stores one comment.
    submission_token = models.CharField(  # noqa: DJ001 (NULL: rows without a form token)
        max_length=120, unique=True, null=True, editable=False
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    nickname_variants = models.JSONField(default=dict, editable=False)
    body_variants = models.JSONField(default=dict, editable=False)  # escaped HTML per variant
    item_variants = models.JSONField(default=dict, editable=False)  # the listed <li> per variant

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "评论"
        verbose_name_plural = "评论"
        indexes = [
            models.Index(fields=["article", "status", "created_at", "id"], name="comment_public"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
            models.Index(fields=["ip_address", "created_at"], name="comment_address"),
        ]
        permissions = [("moderate_comment", "可以审核评论（通过、拒绝、标为垃圾）")]

    def __str__(self):
        return f"{self.nickname or '热心网友'}: {self.body[:30]}"

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.article_id}) + "#comments"

    @classmethod
    def submit(cls, *, article_id, nickname, body, token, address="", user_agent=""):
        """Store a reader's comment, pending; ``(comment, created)``.

        Exactly once: the form's token is unique (a form arriving twice stores one row), and
        identical texts on one article are serialised by a transaction-scoped advisory lock, so
        eight forms posting the same text at the same moment store one row and seven
        ``Duplicate``s — the check and the insert are one step, not check-then-insert.
        """
        words = BannedWord.objects.values_list("word", flat=True)
        reasons = guards.suspicion_reasons(nickname, body, words)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        [f"comment:{article_id}:{body}"],
                    )
                if cls.objects.duplicate_of(article_id, body, token).exists():
                    raise Duplicate
                comment = cls.objects.create(
                    article_id=article_id,
                    nickname=nickname,
                    body=body,
                    ip_address=address or None,
                    user_agent=user_agent[:300],
                    suspected=bool(reasons),
                    suspicion_reasons=reasons,
                    submission_token=token,
                )
        except IntegrityError:
            # The same form arrived twice at the same moment: the other request stored it.
            return cls.objects.get(submission_token=token), False
        return comment, True

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.APPROVED

    def refresh_renderings(self, glossary=None):
        glossary = glossary if glossary is not None else GlossaryTerm.objects.as_glossary()
        source = detect_script([self.nickname, self.body])
        self.nickname_variants = render_literally(self.nickname, source, glossary)
        self.body_variants = {
            variant: escape(text).replace("\n", "<br>")
            for variant, text in render_literally(self.body, source, glossary).items()
        }
        self.item_variants = items_html(self.nickname_variants, self.body_variants, self.created_at)

    # --- moderation: one place for everything a decision implies ----------------------------

    def approve(self, by):
        return self._moderate(self.Status.APPROVED, by)

    def reject(self, by):
        return self._moderate(self.Status.REJECTED, by)

    def mark_spam(self, by):
        return self._moderate(self.Status.SPAM, by)

    def _moderate(self, status: str, by) -> bool:
        """Record the decision; keep the article's count right. False if nothing changed."""
        with transaction.atomic():
            current = Comment.objects.select_for_update().get(pk=self.pk)
            if current.status == status:
                return False
            was_visible = current.is_visible
            self.status = status
            self.moderated_by = by
            self.moderated_at = timezone.now()
            fields = ["status", "moderated_by", "moderated_at"]
            if status == self.Status.APPROVED:
                self.refresh_renderings()
                fields += ["nickname_variants", "body_variants", "item_variants"]
            self.save(update_fields=fields)
            delta = int(self.is_visible) - int(was_visible)
            if delta:
                Article.objects.filter(pk=self.article_id).update(
                    comment_count=F("comment_count") + delta
                )
                # Receivers that must wait for the commit (cache refresh) use on_commit.
                comment_visibility_changed.send(sender=Comment, article_id=self.article_id)
        return True


class BannedWord(models.Model):
    """A word that makes a comment suspected (never refused, never published automatically)."""

    word = models.CharField(
        "词语",
        max_length=50,
        unique=True,
        help_text="简繁体、全角半角、中间夹空格或符号的写法都会被识别。",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        ordering = ["word"]
        verbose_name = "屏蔽词"
        verbose_name_plural = "屏蔽词"

    def __str__(self):
        return self.word
