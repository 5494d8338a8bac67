"""Readers' comments. Every comment starts ``pending``; only a moderator's action approves it.

The article's ``comment_count`` is kept equal to its number of approved comments here, in the
same transaction as the state change, so lists show counts without a join.
"""

import hashlib
import re

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article, GlossaryTerm
from portal.variants import CODES
from portal.variants.convert import detect_script, render

from . import guards, likes
from .commenter import address_block
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


def glossary_fingerprint(glossary) -> str:
    """Names a glossary's content: equal fingerprints, equal renderings."""
    return hashlib.md5(repr(glossary.terms).encode(), usedforsecurity=False).hexdigest()


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What the public may see: approved comments, and of replies only those whose
        top-level comment is approved too (a reply goes when its parent goes)."""
        return self.filter(status=Comment.Status.APPROVED).filter(
            Q(parent__isnull=True) | Q(parent__status=Comment.Status.APPROVED)
        )

    def top_level(self):
        return self.filter(parent__isnull=True)

    def of_commenter(self, key: str):
        """One browser's comments (its signed ``commenter`` cookie), newest first: the receipts
        of 我的留言. An empty key is nobody."""
        return self.filter(commenter_key=key).exclude(commenter_key="").order_by("-created_at")

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
    """An article's visible top-level comments for the public list, sliceable for the paginator:
    精选 first, then by 楼层; each a dict of its id, stored list item (comments/rendering.py,
    no model instances, no formatting), folded 顶 count, 精选 flag and visible replies (oldest
    first). One query counts them, one fetches a page, one its replies — however many there are.

    Deep pages (page 200 of 10,000 comments) are fetched by a deferred join: their OFFSET is
    skipped on the narrow columns alone and only the 50 rows shown are read whole.
    """

    ordered = True
    ORDER = ("-featured", models.F("floor").asc(nulls_last=True), "created_at", "id")

    def __init__(self, article_id: int, variant: str, *, empty: bool = False):
        self.article_id = article_id
        self.variant = variant
        self.empty = empty  # the article counts no visible comment: no query at all

    def top_level(self):
        return Comment.objects.visible().top_level().filter(article_id=self.article_id)

    def count(self) -> int:
        return 0 if self.empty else self.top_level().count()

    def rows(self, comments) -> list[dict]:
        html = KeyTextTransform(self.variant, "item_variants")
        return list(comments.values("pk", "parent_id", "like_count", "featured", html=html))

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
            under = Comment.objects.visible().filter(parent_id__in=list(by_id))
            for reply in self.rows(under.order_by("created_at", "id")):
                by_id[reply["parent_id"]]["replies"].append(reply)
        return list(by_id.values())

    def hot(self, minimum: int, size: int = 3) -> list[dict]:
        """热门评论: the most liked top-level comments with at least ``minimum`` folded 顶."""
        if self.empty:
            return []
        liked = self.top_level().filter(like_count__gte=max(1, minimum))
        return self.rows(liked.order_by("-like_count", *self.ORDER[1:])[:size])


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已拒绝"
        SPAM = "spam", "垃圾信息"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name="文章"
    )
    # One level of nesting: ``parent`` is always a top-level comment; ``reply_to`` is the comment
    # actually answered (the parent or another reply under it: "回复 @昵称").
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name="所属评论",
    )
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回复对象",
    )
    # 楼层: given to a top-level comment at its first approval, in order, and never changed.
    floor = models.PositiveIntegerField("楼层", null=True, blank=True, editable=False)
    featured = models.BooleanField("精选", default=False)
    # 顶: the folded count (comments/likes.py adds what is not folded yet).
    like_count = models.PositiveIntegerField("顶", default=0, editable=False)
    # 举报 not yet looked at by a moderator (the desk's 被举报 queue); a decision clears it.
    open_reports = models.PositiveIntegerField("待处理举报", default=0, editable=False)
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
    # Who wrote it, without accounts (comments/commenter.py): the moderators' history and blocks.
    commenter_key = models.CharField("评论者标识", max_length=32, blank=True, editable=False)
    address_block = models.CharField("地址段", max_length=50, blank=True, editable=False)
    # Which glossary the renderings were made with (at posting): approval re-renders only if
    # the glossary has changed since, so approving 500 comments does not convert them again.
    rendered_with = models.CharField(max_length=32, blank=True, editable=False)
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
            # A commenter's history on the desk: counts per state, by key and by address block.
            models.Index(fields=["commenter_key", "status"], name="comment_commenter"),
            models.Index(fields=["address_block", "status"], name="comment_address_block"),
            models.Index(fields=["parent", "status", "created_at"], name="comment_replies"),
            models.Index(
                fields=["article", "-like_count"],
                name="comment_hot",
                condition=Q(status="approved", parent__isnull=True, like_count__gt=0),
            ),
            models.Index(
                fields=["-open_reports", "created_at"],
                name="comment_reported",
                condition=Q(open_reports__gt=0),
            ),
            models.Index(fields=["commenter_key", "-created_at"], name="comment_receipts"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "floor"], name="comment_floor_once", condition=Q(floor__gt=0)
            ),
        ]
        permissions = [("moderate_comment", "可以审核评论（通过、拒绝、标为垃圾）")]

    def __str__(self):
        return f"{self.nickname or '热心网友'}: {self.body[:30]}"

    def save(self, *args, **kwargs):
        if self.ip_address and not self.address_block:
            self.address_block = address_block(self.ip_address)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.article_id}) + "#comments"

    @classmethod
    def submit(
        cls,
        *,
        article_id,
        nickname,
        body,
        token,
        address="",
        user_agent="",
        commenter_key="",
        reply_to=None,
    ):
        """Store a reader's comment, pending; ``(comment, created)``.

        Exactly once: the form's token is unique (a form arriving twice stores one row), and
        identical texts on one article are serialised by a transaction-scoped advisory lock, so
        eight forms posting the same text at the same moment store one row and seven
        ``Duplicate``s — the check and the insert are one step, not check-then-insert.

        A blocked commenter's comment (``Block``, by key or address block) is stored straight as
        spam, by a decision of the site's own. The comment is rendered in the four scripts now,
        so the moderators' desk shows it in each moderator's script without converting fifty
        comments per page view (approval reuses the renderings unless the glossary changed).

        ``reply_to`` is the comment answered (a visible one: ``visible()``); the reply hangs under
        its top-level comment.
        """
        words = BannedWord.objects.values_list("word", flat=True)
        reasons = guards.suspicion_reasons(nickname, body, words)
        comment = cls(
            article_id=article_id,
            nickname=nickname,
            body=body,
            ip_address=address or None,
            user_agent=user_agent[:300],
            suspected=bool(reasons),
            suspicion_reasons=reasons,
            submission_token=token,
            commenter_key=commenter_key,
            reply_to=reply_to,
            parent_id=(reply_to.parent_id or reply_to.pk) if reply_to is not None else None,
        )
        comment.refresh_renderings()
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        [f"comment:{article_id}:{body}"],
                    )
                if cls.objects.duplicate_of(article_id, body, token).exists():
                    raise Duplicate
                comment.save(force_insert=True)
                blocked = Block.objects.active().matching(commenter_key, comment.address_block)
                block = blocked.first()
                if block is not None:
                    comment.mark_spam(by=None, reason=block.reason)
        except IntegrityError:
            # The same form arrived twice at the same moment: the other request stored it.
            return cls.objects.get(submission_token=token), False
        return comment, True

    @property
    def is_visible(self) -> bool:
        """Approved, and (a reply) under an approved comment."""
        if self.status != self.Status.APPROVED:
            return False
        return self.parent_id is None or self.parent.status == self.Status.APPROVED

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    def shown_likes(self) -> int:
        """The 顶 count as a page rendered now shows it: folded, plus counted since."""
        pending = likes.unfolded([self.pk]).get(self.pk, 0)
        folded = Comment.objects.filter(pk=self.pk).values_list("like_count", flat=True)
        return (folded.first() or 0) + pending

    def refresh_renderings(self, glossary=None):
        glossary = glossary if glossary is not None else GlossaryTerm.objects.as_glossary()
        source = detect_script([self.nickname, self.body])
        self.nickname_variants = render_literally(self.nickname, source, glossary)
        self.body_variants = {
            variant: escape(text).replace("\n", "<br>")
            for variant, text in render_literally(self.body, source, glossary).items()
        }
        self.refresh_item()
        self.rendered_with = glossary_fingerprint(glossary)

    def refresh_item(self):
        """The listed fragment per variant (comments/rendering.py): no conversion, only
        formatting, so approval redoes it to add the floor."""
        answers = None
        if self.reply_to_id is not None and self.reply_to_id != self.parent_id:
            answers = self.reply_to.nickname_variants
        self.item_variants = items_html(
            self.nickname_variants,
            self.body_variants,
            self.created_at,
            floor=self.floor,
            answers_variants=answers,
        )

    # --- moderation: one place for everything a decision implies ----------------------------

    def approve(self, by, **details) -> bool:
        return self.decide(self.Status.APPROVED, by, **details) is not None

    def reject(self, by, **details) -> bool:
        return self.decide(self.Status.REJECTED, by, **details) is not None

    def mark_spam(self, by, **details) -> bool:
        return self.decide(self.Status.SPAM, by, **details) is not None

    def decide(
        self,
        status: str,
        by,
        *,
        reason: str = "",
        note: str = "",
        seen: str | None = None,
        undoes: "Decision | None" = None,
        batch: "DecisionBatch | None" = None,
    ) -> "Decision | None":
        """Move the comment to ``status`` and record the decision (a ``Decision`` row) in the same
        transaction, keeping the article's count right. None when it already was in ``status``.

        ``seen`` is the status the moderator was looking at: when someone else decided since,
        ``DecisionConflict`` is raised rather than overwriting their decision. ``by`` is None for
        decisions the site takes itself (a blocked commenter's comment goes straight to spam).
        ``batch`` (``decide_many``) holds the lock, the glossary, the counts and the cache
        refreshes for many decisions at once.
        """
        # No savepoint of its own (a savepoint per comment was a third of a bulk approval's
        # round trips): refusals leave the block before raising, having written nothing, so a
        # caller's transaction goes on; a failure while writing fails the caller's too.
        refusal = None
        with transaction.atomic(savepoint=False):
            if batch is not None:
                was = batch.statuses.get(self.pk, status)  # (a row gone meanwhile: nothing to do)
            else:
                was = Comment.objects.select_for_update().only("status").get(pk=self.pk).status
            if was == status:
                self.status = status
                return None
            if seen is not None and was != seen:
                refusal = DecisionConflict(was, self.decisions.status_changes().first())
            elif undoes is not None and self.decisions.filter(pk__gt=undoes.pk).exists():
                refusal = CannotUndo("这条评论此后又有了新的决定，不能撤销。")
            else:
                decision = self._record(status, by, was, reason, note, undoes, batch)
                if batch is not None:
                    batch.statuses[self.pk] = status
                    batch.counted(self.article_id, decision)
                elif decision.changes_visibility:
                    DecisionBatch.count(self.article_id)
                    # Receivers that must wait for the commit (cache refresh) use on_commit.
                    comment_visibility_changed.send(sender=Comment, article_id=self.article_id)
        if refusal is not None:
            raise refusal
        return decision

    def _record(self, status, by, was, reason, note, undoes, batch) -> "Decision":
        """The writes of a decision (inside ``decide``'s transaction, the row locked)."""
        now = timezone.now()
        self.status, self.moderated_by, self.moderated_at = status, by, now
        fields = ["status", "moderated_by", "moderated_at"]
        if by is not None and self.open_reports:
            self.open_reports = 0  # a moderator has looked at the reports
            fields.append("open_reports")
        if status == self.Status.APPROVED:
            glossary = batch.glossary if batch else GlossaryTerm.objects.as_glossary()
            if self.parent_id is None and self.floor is None:
                self.floor = self.next_floor(self.article_id)
                fields.append("floor")
            if self.rendered_with != glossary_fingerprint(glossary):
                self.refresh_renderings(glossary)
                fields += ["nickname_variants", "body_variants", "rendered_with"]
            else:
                self.refresh_item()
            fields.append("item_variants")
        self.save(update_fields=fields)
        return Decision.objects.create(
            comment=self,
            moderator=by,
            decided_at=now,
            from_status=was,
            to_status=status,
            reason=reason[:100],
            note=note[:500],
            undoes=undoes,
        )

    # --- the community on the desk: 精选 and dismissed reports, recorded in the same log --------
    # Neither changes the status, so their log rows go from a status to the same one, with the
    # reason saying what happened: the comment's history shows who did it and when.

    FEATURED = "设为精选"
    UNFEATURED = "取消精选"
    REPORTS_DISMISSED = "驳回举报"

    def feature(self, by, on: bool = True) -> "Decision | None":
        """精选 (``on``) or not: only an approved top-level comment is featured; unfeaturing is
        always possible. Refreshes the article's pages, where featured comments come first.
        None when it already was so; ``Refused`` says why not."""
        with transaction.atomic():
            locked = Comment.objects.select_for_update().only("status", "parent", "featured")
            was = locked.get(pk=self.pk)
            if on and (was.status != self.Status.APPROVED or was.parent_id is not None):
                raise Refused("只有已通过的主评论（不是回复）可以设为精选。")
            self.featured = on
            if was.featured == on:
                return None
            Comment.objects.filter(pk=self.pk).update(featured=on)
            decision = self._note(by, was.status, self.FEATURED if on else self.UNFEATURED)
            comment_visibility_changed.send(sender=Comment, article_id=self.article_id)
        return decision

    def dismiss_reports(self, by) -> "Decision | None":
        """驳回举报: a moderator keeps an approved comment as it is and clears its open reports
        (the Report rows stay). A comment hidden by reports is pending: approving it does this.
        None when there was nothing to dismiss; ``Refused`` says why not."""
        with transaction.atomic():
            was = Comment.objects.select_for_update().only("status", "open_reports").get(pk=self.pk)
            if was.status != self.Status.APPROVED:
                raise Refused("只有已通过的评论可以驳回举报；待审核的请直接通过或拒绝。")
            self.open_reports = 0
            if not was.open_reports:
                return None
            Comment.objects.filter(pk=self.pk).update(open_reports=0)
            return self._note(by, was.status, self.REPORTS_DISMISSED)

    def _note(self, by, status, reason) -> "Decision":
        return Decision.objects.create(
            comment=self, moderator=by, from_status=status, to_status=status, reason=reason
        )

    @staticmethod
    def next_floor(article_id: int) -> int:
        """The next 楼层 of an article. Approvals of one article's comments are serialised by a
        transaction-scoped advisory lock, so two moderators approving at once get 7 and 8, not
        7 twice (and the unique constraint would refuse that loudly anyway)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"floor:{article_id}"]
            )
        top = Comment.objects.filter(article_id=article_id, floor__isnull=False)
        return (top.aggregate(last=models.Max("floor"))["last"] or 0) + 1

    @classmethod
    def decide_many(cls, comments, status: str, by, *, reason: str = "", note: str = "") -> int:
        """``decide`` for each comment (the admin's bulk actions), in one transaction: the rows
        locked and read in one query, one glossary, one count update and one cache refresh per
        article. Returns how many changed."""
        comments = list(comments)
        changed = 0
        with transaction.atomic():
            batch = DecisionBatch(comments, approving=status == cls.Status.APPROVED)
            for comment in comments:
                decision = comment.decide(status, by, reason=reason, note=note, batch=batch)
                changed += decision is not None
            batch.finish()
        return changed


class DecisionBatch:
    """Many decisions in one transaction (``Comment.decide_many``): their comments' statuses
    read under one lock, and what each decision implies for its article — the visible-comment
    count, the page caches — applied once per article at the end."""

    def __init__(self, comments, *, approving: bool):
        locked = Comment.objects.select_for_update().filter(pk__in=[c.pk for c in comments])
        self.statuses = dict(locked.order_by("pk").values_list("pk", "status"))
        self.glossary = GlossaryTerm.objects.as_glossary() if approving else None
        self.articles: set[int] = set()

    @staticmethod
    def count(article_id) -> None:
        """Set the article's ``comment_count`` to its number of visible comments, counted.

        Counted rather than adjusted by ±1: a top-level comment's decision also shows or hides
        its approved replies, and a reply counts only under a visible parent; one indexed count
        per article and decision batch is simpler than keeping those weights right.
        """
        visible = (
            Comment.objects.visible()
            .filter(article_id=OuterRef("pk"))
            .order_by()
            .values("article_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Article.objects.filter(pk=article_id).update(comment_count=Coalesce(Subquery(visible), 0))

    def counted(self, article_id, decision) -> None:
        if decision.changes_visibility:
            self.articles.add(article_id)

    def finish(self) -> None:
        for article_id in sorted(self.articles):
            self.count(article_id)
            comment_visibility_changed.send(sender=Comment, article_id=article_id)


class Like(models.Model):
    """One reader's 顶 of a comment: one per reader (``commenter`` cookie) per comment, and at
    most ``COMMENT_LIKES_PER_ADDRESS`` per address block against cleared cookies. The comment's
    shown count is its folded ``like_count`` (comments/likes.py); a like never writes the comment
    or the article row when given."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    reader = models.CharField("读者标识", max_length=32)
    address_block = models.CharField("地址段", max_length=50, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "顶"
        verbose_name_plural = "顶"
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader"], name="like_once_per_reader")
        ]
        indexes = [models.Index(fields=["comment", "address_block"], name="like_address")]

    def __str__(self):
        return f"顶 #{self.comment_id}"

    @classmethod
    def give(cls, comment: "Comment", *, reader: str, block: str) -> tuple[int, bool]:
        """One reader's 顶 of a visible comment: ``(likes shown now, counted)``. A second 顶 of
        the same reader is not counted (the unique row decides, also for two at one moment).
        ``TooManyLikes`` past ``COMMENT_LIKES_PER_ADDRESS`` from one address block (readers
        clearing their cookie). Writes the ``Like`` row and a counter, never the article."""
        given = cls.objects.filter(comment=comment).aggregate(
            mine=Count("pk", filter=Q(reader=reader)),
            here=Count("pk", filter=Q(address_block=block)),
        )
        if given["mine"]:
            return comment.shown_likes(), False
        if block and given["here"] >= settings.COMMENT_LIKES_PER_ADDRESS:
            raise TooManyLikes
        try:
            with transaction.atomic():
                cls.objects.create(comment=comment, reader=reader, address_block=block)
        except IntegrityError:  # the same reader's other request, a moment ago
            return comment.shown_likes(), False
        likes.count_like(Comment.objects, comment.pk)
        return comment.shown_likes(), True


class TooManyLikes(Exception):
    """This address block has given this comment as many 顶 as one address may."""


class Report(models.Model):
    """A reader's 举报 of an approved comment, one per reader per comment. Reports not yet
    looked at are counted on the comment (``open_reports``): the desk's 被举报 queue; at
    ``COMMENT_REPORT_THRESHOLD`` the comment is hidden until a moderator decides again."""

    class Reason(models.TextChoices):
        AD = "ad", "广告"
        ABUSE = "abuse", "辱骂"
        ILLEGAL = "illegal", "违法违规"
        OTHER = "other", "其他"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name="评论"
    )
    reason = models.CharField("原因", max_length=10, choices=Reason.choices)
    reader = models.CharField("读者标识", max_length=32)
    address_block = models.CharField("地址段", max_length=50, blank=True)
    created_at = models.DateTimeField("举报时间", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "举报"
        verbose_name_plural = "举报"
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader"], name="report_once_per_reader")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} #{self.comment_id}"

    @classmethod
    def file(cls, comment: "Comment", *, reason: str, reader: str, block: str) -> bool:
        """One reader's report of a visible comment; False if they had reported it already.

        Each new report adds one to the comment's ``open_reports``; when the reports since the
        last moderator's decision reach ``COMMENT_REPORT_THRESHOLD``, the comment is hidden —
        back to pending, a decision of the site's own — until a moderator decides again.
        """
        try:
            with transaction.atomic():
                cls.objects.create(
                    comment=comment, reason=reason, reader=reader, address_block=block
                )
        except IntegrityError:  # one report per reader, also for two at one moment
            return False
        with transaction.atomic():
            reported = Comment.objects.filter(pk=comment.pk)
            reported.update(open_reports=models.F("open_reports") + 1)
            comment.open_reports = reported.values_list("open_reports", flat=True).get()
        if comment.open_reports >= settings.COMMENT_REPORT_THRESHOLD:
            reason = f"被举报 {comment.open_reports} 次，等待复审"
            comment.decide(Comment.Status.PENDING, None, reason=reason)
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


# --- the moderators' desk: decisions, reasons, blocks, intake, preferences -------------------

UNDO_WINDOW = timezone.timedelta(minutes=1)


class DecisionConflict(Exception):
    """Someone else decided on the comment after the moderator's page was loaded."""

    def __init__(self, status: str, latest: "Decision | None"):
        super().__init__(status)
        self.status, self.latest = status, latest


class CannotUndo(Exception):
    """Why a decision cannot be undone (a sentence for the moderator)."""


class Refused(Exception):
    """Why a moderator's action on the community (精选, 驳回举报) cannot be done (a sentence
    for the moderator)."""


class DecisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The decision log is append-only: decisions are never updated.")

    def delete(self):
        raise TypeError("The decision log is append-only: decisions are never deleted.")

    def today(self):
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return self.filter(decided_at__gte=start)

    def status_changes(self):
        """Decisions proper: without the log's notes that keep the status (精选, 驳回举报)."""
        return self.exclude(from_status=models.F("to_status"))

    def undoable_by(self, user):
        """The user's own decisions of the last minute that are not undos and not undone (精选
        is taken back with 取消精选 instead; dismissed reports are not reopened)."""
        return self.status_changes().filter(
            moderator=user,
            decided_at__gte=timezone.now() - UNDO_WINDOW,
            undoes__isnull=True,
            undone_by__isnull=True,
        )


class Decision(models.Model):
    """One moderation decision: who moved which comment from what to what, when, and why.

    Append-only, like django-contrib-comments' CommentFlag: a row is never changed (the model,
    its QuerySet and a trigger in the database refuse it) and goes only with its comment.
    An undo is a decision of its own that points at the one it undoes.
    """

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="decisions", verbose_name="评论"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
        help_text="空：网站自动作出（如被屏蔽的评论者）。",
    )
    decided_at = models.DateTimeField("时间", default=timezone.now)
    from_status = models.CharField("原状态", max_length=10, choices=Comment.Status.choices)
    to_status = models.CharField("新状态", max_length=10, choices=Comment.Status.choices)
    reason = models.CharField("原因", max_length=100, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    undoes = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="undone_by",
        verbose_name="撤销的决定",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        indexes = [
            models.Index(fields=["comment", "decided_at"], name="decision_comment"),
            models.Index(fields=["moderator", "decided_at"], name="decision_moderator"),
            models.Index(fields=["decided_at"], name="decision_day"),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The decision log is append-only: decisions are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The decision log is append-only: decisions are never deleted.")

    @property
    def changes_status(self) -> bool:
        """False for the log's notes that keep the status (精选, 驳回举报: see the reason)."""
        return self.from_status != self.to_status

    @property
    def changes_visibility(self) -> bool:
        return self.changes_status and Comment.Status.APPROVED in (self.from_status, self.to_status)

    @property
    def moderator_name(self) -> str:
        if self.moderator is None:
            return "网站"
        return self.moderator.get_full_name() or self.moderator.get_username()

    def undo(self, by) -> "Decision":
        """Put the comment back as it was before this decision — a decision of its own."""
        if self.undoes_id is not None:
            raise CannotUndo("撤销本身不能再撤销。")
        if not self.changes_status:
            raise CannotUndo("精选和驳回举报不能撤销：精选可以直接取消。")
        if by is None or self.moderator_id != by.pk:
            raise CannotUndo("只能撤销自己的决定。")
        if timezone.now() - self.decided_at > UNDO_WINDOW:
            raise CannotUndo("已超过一分钟，不能再撤销。")
        try:
            decision = self.comment.decide(
                self.from_status, by, reason="撤销", seen=self.to_status, undoes=self
            )
        except IntegrityError:  # undone at the same moment from another tab
            raise CannotUndo("这个决定已经撤销过了。") from None
        if decision is None:
            raise CannotUndo("这个决定已经撤销过了。")
        return decision


class RejectionReasonQuerySet(models.QuerySet):
    def active_choices(self) -> list[tuple[int, str]]:
        return list(self.filter(active=True).values_list("pk", "label"))


class RejectionReason(models.Model):
    """What a moderator picks when rejecting; the author sees it with their rejected comment."""

    label = models.CharField("原因", max_length=50, unique=True)
    position = models.PositiveSmallIntegerField("顺序", default=0, help_text="小的排在前面。")
    active = models.BooleanField("可选", default=True, help_text="取消勾选即不再出现在选项中。")

    objects = RejectionReasonQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "拒绝原因"
        verbose_name_plural = "拒绝原因"

    def __str__(self):
        return self.label


class BlockQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            models.Q(until__isnull=True) | models.Q(until__gt=now)
        )

    def matching(self, commenter_key: str, address_block: str):
        match = models.Q(pk__in=[])
        if commenter_key:
            match |= models.Q(kind=Block.Kind.KEY, value=commenter_key)
        if address_block:
            match |= models.Q(kind=Block.Kind.ADDRESS, value=address_block)
        return self.filter(match)


class Block(models.Model):
    """A commenter (by key) or an address block whose new comments are stored straight as spam:
    kept, never shown. Lifting keeps the row."""

    class Kind(models.TextChoices):
        KEY = "key", "评论者"
        ADDRESS = "address", "地址段"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    value = models.CharField(
        "评论者标识或地址段",
        max_length=64,
        help_text="IPv4 写完整地址，IPv6 按 /64 地址段，如 2001:db8:1:2::/64。",
    )
    until = models.DateTimeField("屏蔽至", null=True, blank=True, help_text="留空表示一直屏蔽。")
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("屏蔽时间", default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="解除人",
    )
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "屏蔽"
        verbose_name_plural = "屏蔽"
        indexes = [models.Index(fields=["kind", "value"], name="block_value")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None and (self.until is None or self.until > timezone.now())

    def lift(self, by) -> bool:
        if self.lifted_at is not None:
            return False
        self.lifted_by, self.lifted_at = by, timezone.now()
        self.save(update_fields=["lifted_by", "lifted_at"])
        return True

    @property
    def reason(self) -> str:
        """The decision reason of a comment this block sent to spam."""
        return f"已屏蔽的{self.get_kind_display()}"


class IntakeRule(models.Model):
    """When new comments are not accepted, site-wide or in one category: at once, every night,
    or while too many wait for a moderator. Readers see a notice instead of the form; comments
    already posted are not affected. See comments/intake.py."""

    category = models.ForeignKey(
        "articles.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="栏目",
        help_text="留空表示全站。",
    )
    paused = models.BooleanField("立即暂停", default=False)
    nightly_from = models.TimeField(
        "每天暂停自", null=True, blank=True, help_text="如 23:00；与下一项同时填写。"
    )
    nightly_until = models.TimeField("每天恢复于", null=True, blank=True, help_text="如 07:00。")
    backlog_limit = models.PositiveIntegerField(
        "待审核上限",
        null=True,
        blank=True,
        help_text="待审核的评论超过这个数时自动暂停，降下来后自动恢复；留空表示不限。",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "评论接收"
        verbose_name_plural = "评论接收"
        constraints = [
            models.UniqueConstraint(
                fields=["category"], name="intake_rule_scope", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=models.Q(nightly_from__isnull=True, nightly_until__isnull=True)
                | models.Q(nightly_from__isnull=False, nightly_until__isnull=False),
                name="intake_rule_nightly_pair",
                violation_error_message="“每天暂停自”和“每天恢复于”要同时填写或同时留空。",
            ),
        ]

    def __str__(self):
        return f"{self.category or '全站'}"

    def pause(self, now, backlog: int) -> dict | None:
        """Why this rule pauses intake at local time ``now`` with ``backlog`` pending, or None."""
        if self.paused:
            return {"why": "paused"}
        if self.nightly_from is not None and self.nightly_until is not None:
            start, end, time = self.nightly_from, self.nightly_until, now.time()
            at_night = start <= time < end if start <= end else time >= start or time < end
            if at_night:
                return {
                    "why": "nightly",
                    "from": start.strftime("%H:%M"),
                    "until": end.strftime("%H:%M"),
                }
        if self.backlog_limit is not None and backlog > self.backlog_limit:
            return {"why": "backlog"}
        return None


class DeskPreference(models.Model):
    """A moderator's desk settings: the script comments are read in (the admin follows)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    variant = models.CharField("阅读字体", max_length=10, choices=[(c, c) for c in CODES])

    class Meta:
        verbose_name = "审核台设置"
        verbose_name_plural = "审核台设置"

    def __str__(self):
        return f"{self.user} {self.variant}"
