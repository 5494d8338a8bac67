"""A comment's states. Apart from ``Comment`` (as ``Comment.Status``) because ``Decision``
records moves between them and ``Comment`` in turn records its decisions: both import this."""

from django.db import models


class Status(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已拒绝"
    SPAM = "spam", "垃圾信息"
