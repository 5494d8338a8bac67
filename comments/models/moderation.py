"""What the moderators set up ahead of comments: words that make a comment suspected
(``BannedWord``), blocked commenters (``Block``), when comments are accepted (``IntakeRule``)
and each moderator's desk settings (``DeskPreference``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.variants import CODES


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
