"""The comment community on the desk's cards (comments/desk.py): the comment a reply answers,
shown beside it; a reported comment's open reports by reason; 楼层, 顶 and 精选.

Each is one query for the whole page, never one per card, and only when some card needs it.
"""

import html

from django.db.models import Count, F, Max, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from .models import Comment, Report

PARENT_TEXT_LENGTH = 140  # enough to know what is answered; the parent has its own card


def answered(comments, variant: str) -> dict:
    """The comments the page's replies answer, and their top-level comments, in the moderator's
    script (one query): {id: {status, floor, nickname, text}}."""
    ids = {c.reply_to_id for c in comments if c.reply_to_id}
    ids |= {c.parent_id for c in comments if c.parent_id}
    if not ids:
        return {}
    rows = Comment.objects.filter(pk__in=ids).values(
        "pk",
        "status",
        "floor",
        "nickname",
        "body",
        nickname_shown=KeyTextTransform(variant, "nickname_variants"),
        body_shown=KeyTextTransform(variant, "body_variants"),
    )
    found = {}
    for row in rows:
        # The stored rendering is escaped HTML with <br>: back to text, escaped again on output.
        shown = row["body_shown"]
        text = html.unescape(shown.replace("<br>", "\n")) if shown is not None else row["body"]
        found[row["pk"]] = {
            "status": row["status"],
            "floor": row["floor"],
            "nickname": row["nickname_shown"] if shown is not None else row["nickname"],
            "text": Truncator(text).chars(PARENT_TEXT_LENGTH),
        }
    return found


def open_reports(comments) -> dict:
    """The open reports of the page's reported comments, per reason (one grouped query):
    {id: [(reason, count, latest), ...]}, most frequent reason first.

    Open reports are a comment's latest ``open_reports`` ones: a report adds one to the count
    and a moderator's decision sets it back to 0, while the Report rows themselves are kept."""
    reported = [c.pk for c in comments if c.open_reports]
    if not reported:
        return {}
    latest_first = [F("created_at").desc(), F("id").desc()]
    ranked = (
        Report.objects.filter(comment_id__in=reported)
        .annotate(rank=Window(RowNumber(), partition_by=[F("comment_id")], order_by=latest_first))
        .filter(rank__lte=F("comment__open_reports"))
        .values("pk")
    )
    rows = (
        Report.objects.filter(pk__in=ranked)
        .order_by()
        .values("comment_id", "reason")
        .annotate(n=Count("id"), latest=Max("created_at"))
        .order_by("comment_id", "-n", "reason")
    )
    found = {}
    for row in rows:
        found.setdefault(row["comment_id"], []).append((row["reason"], row["n"], row["latest"]))
    return found


class Community:
    """What one page's cards show of the community, fetched once and rendered per card."""

    def __init__(self, comments, variant: str):
        self.answered = answered(comments, variant)
        self.reports = open_reports(comments)
        self.reasons = dict(Report.Reason.choices)
        self.statuses = dict(Comment.Status.choices)
        self.anonymous = gettext("热心网友")
        self.floor = gettext("%(n)s楼")
        self.likes = gettext("顶")
        self.featured = gettext("精选")
        self.reported = gettext("被举报 ×%(n)s")
        self.replies_to, self.under = gettext("回复"), gettext("所属主评论")
        self.hidden_parent = {
            True: gettext("上级评论未公开，这条回复暂不显示。"),
            False: gettext("上级评论未公开，通过后也暂不显示。"),
        }
        self.reports_label = gettext("举报")
        self.latest = gettext("最近 %(time)s")

    def badges(self, comment) -> SafeString:
        """楼层, 顶, 精选 and 被举报 ×N for the card's header."""
        parts = []
        if comment.floor:
            floor = self.floor % {"n": comment.floor}
            parts.append(format_html('<span class="desk-floor">{}</span>', floor))
        if comment.featured:
            parts.append(format_html('<span class="desk-featured">{}</span>', self.featured))
        if comment.like_count:
            parts.append(
                format_html('<span class="desk-likes">{} {}</span>', self.likes, comment.like_count)
            )
        if comment.open_reports:
            parts.append(
                format_html(
                    '<span class="desk-reported">{}</span>',
                    self.reported % {"n": comment.open_reports},
                )
            )
        return mark_safe(" ".join(parts))

    def _quoted(self, pk, label) -> SafeString:
        row = self.answered.get(pk)
        if row is None:
            return mark_safe("")
        floor = f" · {self.floor % {'n': row['floor']}}" if row["floor"] else ""
        return format_html(
            '<div class="desk-parent status-{}"><p class="desk-parent-head">{} '
            '<strong>{}</strong>{} <span class="desk-parent-status">{}</span></p>'
            '<blockquote class="desk-parent-body">{}</blockquote></div>',
            row["status"],
            label,
            row["nickname"] or self.anonymous,
            floor,
            self.statuses.get(row["status"], row["status"]),
            row["text"],
        )

    def parents(self, comment) -> SafeString:
        """A reply's card: the comment it answers, its top-level comment if that is another one,
        and a warning when that top-level comment is not public (the reply cannot be either)."""
        if comment.parent_id is None:
            return mark_safe("")
        answered = comment.reply_to_id or comment.parent_id
        parts = [self._quoted(answered, self.replies_to)]
        if comment.parent_id != answered:
            parts.append(self._quoted(comment.parent_id, self.under))
        parent = self.answered.get(comment.parent_id)
        if parent is not None and parent["status"] != Comment.Status.APPROVED:
            approved = comment.status == Comment.Status.APPROVED
            parts.append(
                format_html('<p class="desk-parent-hidden">{}</p>', self.hidden_parent[approved])
            )
        return format_html(
            '<div class="desk-parents">{}</div>', mark_safe("".join(str(p) for p in parts))
        )

    def reports_html(self, comment) -> SafeString:
        """The open reports: how many per reason, and when the latest of each came."""
        rows = self.reports.get(comment.pk)
        if not rows:
            return mark_safe("")
        items = format_html_join(
            "",
            '<li><strong>{}</strong> ×{} <time datetime="{}">{}</time></li>',
            (
                (
                    self.reasons.get(reason, reason),
                    n,
                    latest.isoformat(),
                    self.latest % {"time": date_format(timezone.localtime(latest), "m-d H:i")},
                )
                for reason, n, latest in rows
            ),
        )
        return format_html(
            '<ul class="desk-reports" aria-label="{}">{}</ul>', self.reports_label, items
        )
