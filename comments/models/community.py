"""Readers on approved comments: 顶 (``Like``, with ``TooManyLikes``) and 举报 (``Report``)."""

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import likes
from .comment import Comment


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
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                # A 顶 is worth less than its fsync: committed without waiting for the WAL to
                # reach the disk, a PostgreSQL crash may lose the last fraction of a second of
                # likes (never a comment's or a moderator's write, which stay synchronous).
                # In-process under load, a like took 21.5 ms waiting for its commit, 11.6 without.
                # Only in a transaction of its own: SET LOCAL lasts to the outermost commit.
                if outermost:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cls.objects.create(comment=comment, reader=reader, address_block=block)
                # Counted before the row commits: the same reader's request racing this one
                # sees the row only after the commit, so its answer already includes the like
                # (counted after the commit, it answered one fewer now and then).
                likes.count_like(Comment.objects, comment.pk)
        except IntegrityError:  # the same reader's other request, a moment ago
            return comment.shown_likes(), False
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
