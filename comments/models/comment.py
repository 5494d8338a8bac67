"""Readers' comments: ``Comment``, its QuerySet and everything a decision implies.

Every comment starts ``pending``; only a moderator's action approves it. All state changes go
through ``Comment.decide`` (one comment) or ``Comment.decide_many`` (a ``DecisionBatch``): the
article's ``comment_count`` is kept equal to its number of visible comments here, in the same
transaction as the state change, so lists show counts without a join.
"""

import hashlib
import re

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article, GlossaryTerm
from portal.variants import CODES
from portal.variants.convert import detect_script, render

from .. import guards, likes
from ..commenter import address_block
from ..rendering import items_html
from ..signals import comment_visibility_changed
from .decisions import CannotUndo, Decision, DecisionConflict, Refused
from .moderation import BannedWord, Block
from .status import Status

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

    def listed(self):
        """The visible top-level comments: approved ones without a parent. The same rows as
        ``visible().top_level()`` without the join to the parent, on the ``comment_listed``
        index, so deep pages of a long thread skip their OFFSET on the index alone."""
        return self.filter(status=Comment.Status.APPROVED, parent__isnull=True)

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


class Comment(models.Model):
    # The states, in a module of their own: ``Decision`` uses them too.
    Status = Status

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
                fields=["article", "-featured", "floor", "id"],
                name="comment_listed",
                condition=Q(status="approved", parent__isnull=True),
            ),
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
            floored = self.parent_id is None and self.floor is None
            if floored:
                self.floor = self.next_floor(self.article_id)
                fields.append("floor")
            if self.rendered_with != glossary_fingerprint(glossary):
                self.refresh_renderings(glossary)
                fields += ["nickname_variants", "body_variants", "rendered_with", "item_variants"]
            elif floored:
                # Only the floor is new: a reply's fragment, made at posting, stands as it is
                # (redoing it would read the comment it answers, a query per reply approved).
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
        """Set the article's ``comment_count`` to its number of visible comments, counted, and
        its ``top_level_comment_count`` (the comment list's paginator reads it) likewise.

        Counted rather than adjusted by ±1: a top-level comment's decision also shows or hides
        its approved replies, and a reply counts only under a visible parent; one indexed count
        per article and decision batch is simpler than keeping those weights right.

        The article's row is locked first, and counted by the next statement: two moderators'
        transactions deciding on one article's comments at once count one after the other, the
        second seeing the first's committed decision. (Counted in the UPDATE alone, each counted
        from a snapshot without the other's, and one decision was lost from the count.)
        """
        list(Article.objects.select_for_update().filter(pk=article_id).values_list("pk"))

        def counted(comments):
            per_article = comments.filter(article_id=OuterRef("pk")).order_by().values("article_id")
            return Coalesce(Subquery(per_article.annotate(n=Count("pk")).values("n")), 0)

        Article.objects.filter(pk=article_id).update(
            comment_count=counted(Comment.objects.visible()),
            top_level_comment_count=counted(Comment.objects.listed()),
        )

    def counted(self, article_id, decision) -> None:
        if decision.changes_visibility:
            self.articles.add(article_id)

    def finish(self) -> None:
        for article_id in sorted(self.articles):
            self.count(article_id)
            comment_visibility_changed.send(sender=Comment, article_id=article_id)
