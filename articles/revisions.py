"""Every edit of an article is kept as a revision: who, when, and the whole text it saved.

A small model of our own rather than django-reversion or django-simple-history: an article's
history is one table of snapshots of the fields an editor writes (not the computed renderings,
search vector, heat or counts those libraries would copy on every save), and the three things
editors need — list, compare, restore — are a few lines each on top of it.
"""

import difflib

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import richtext

# What a revision records and a restore brings back, besides title, summary and body. Status and
# publication time are recorded but not restored: bringing back old text must not (un)publish.
RECORDED_FIELDS = (
    "category_id",
    "source",
    "author",
    "status",
    "published_at",
    "is_headline",
    "allow_comments",
    "source_script",
    "lead_photo_id",
    "responsible_editor_id",
)
NOT_RESTORED = ("status", "published_at")


class ArticleRevision(models.Model):
    class Kind(models.TextChoices):
        SAVED = "saved", "保存"
        RESTORED = "restored", "恢复"
        CONFLICT = "conflict", "冲突稿（未保存到文章）"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="revisions", verbose_name="文章"
    )
    version = models.PositiveIntegerField(
        "版本", help_text="保存后文章的版本号；冲突稿为它所基于的版本号。"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SAVED)
    note = models.CharField("说明", max_length=200, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="保存者",
    )
    saved_at = models.DateTimeField("保存时间", auto_now_add=True)
    title = models.CharField("标题", max_length=200)
    summary = models.TextField("摘要", blank=True)
    body = models.TextField("正文", blank=True)
    fields = models.JSONField("其他字段", default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-saved_at", "-id"]
        verbose_name = "文章修订版本"
        verbose_name_plural = "文章修订版本"
        indexes = [models.Index(fields=["article", "-saved_at", "-id"], name="revision_history")]

    def __str__(self):
        return f"{self.article_id} v{self.version} {self.get_kind_display()}"

    @classmethod
    def snapshot(cls, article, *, kind=Kind.SAVED, by=None, note="", values=None):
        """A revision of ``article``'s fields (or of ``values``, an unsaved form's)."""
        values = (
            values
            if values is not None
            else {
                name: getattr(article, name)
                for name in ("title", "summary", "body", *RECORDED_FIELDS)
            }
        )
        return cls.objects.create(
            article=article,
            version=values.get("version", article.version),
            kind=kind,
            note=note,
            saved_by=by,
            title=values["title"],
            summary=values["summary"],
            body=values["body"],
            fields={name: values.get(name) for name in RECORDED_FIELDS},
        )

    def apply_to(self, article) -> None:
        """Put this revision's text and fields back on ``article`` (not saved)."""
        article.title, article.summary, article.body = self.title, self.summary, self.body
        for name, value in self.fields.items():
            if name in RECORDED_FIELDS and name not in NOT_RESTORED:
                setattr(article, name, value)

    def lines(self) -> list[str]:
        """The revision as text lines, in the script it was written in, for comparing."""
        body = richtext.plain_text(self.body) if richtext.is_html(self.body) else self.body
        other = [f"{name}: {self.fields.get(name)}" for name in RECORDED_FIELDS]
        return [
            f"标题：{self.title}",
            f"摘要：{self.summary}",
            *(line.strip() for line in body.splitlines() if line.strip()),
            *other,
        ]


def _marked(a: str, b: str) -> tuple[str, str]:
    """Two versions of a line with the characters that differ in <del> and <ins>."""
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            old.append(escape(a[i1:i2]))
            new.append(escape(b[j1:j2]))
            continue
        if i2 > i1:
            old.append(f"<del>{escape(a[i1:i2])}</del>")
        if j2 > j1:
            new.append(f"<ins>{escape(b[j1:j2])}</ins>")
    return "".join(old), "".join(new)


def diff_rows(older: ArticleRevision, newer: ArticleRevision) -> list[tuple[str, SafeString]]:
    """(state, html) per line: "same", "removed", "added"; a changed line shows its old and new
    forms one after the other, the differing characters marked."""
    a, b = older.lines(), newer.lines()
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [("same", mark_safe(escape(line))) for line in a[i1:i2]]
            continue
        removed, added = a[i1:i2], b[j1:j2]
        if op == "replace" and len(removed) == len(added):
            for before, after in zip(removed, added, strict=True):
                old, new = _marked(before, after)
                rows += [("removed", mark_safe(old)), ("added", mark_safe(new))]
            continue
        rows += [("removed", mark_safe(escape(line))) for line in removed]
        rows += [("added", mark_safe(escape(line))) for line in added]
    return rows
