"""The moderators' decision log (``Decision``, append-only), the reasons they reject with
(``RejectionReason``) and the ways a decision is refused (``DecisionConflict``, ``CannotUndo``,
``Refused``). A decision is taken by ``Comment.decide`` (comment.py)."""

from django.conf import settings
from django.db import IntegrityError, models
from django.utils import timezone

from .status import Status

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
        "comments.Comment", on_delete=models.CASCADE, related_name="decisions", verbose_name="评论"
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
    from_status = models.CharField("原状态", max_length=10, choices=Status.choices)
    to_status = models.CharField("新状态", max_length=10, choices=Status.choices)
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
        return self.changes_status and Status.APPROVED in (self.from_status, self.to_status)

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
