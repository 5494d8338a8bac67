"""The newsroom: categories, articles and the glossary that corrects OpenCC.

What an editor writes is stored as written; its renderings in the four script variants (and its
search document) are computed once, on save, so readers' requests never run OpenCC.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal import edge, pagecache
from portal.variants import CODES, VARIANTS
from portal.variants.convert import Glossary, Term, detect_script, render, render_fields
from portal.variants.markup import render_html

from . import heat as heat_counter
from . import photos as body_photos
from . import purge, richtext
from .photos import Photo
from .revisions import ArticleRevision
from .search import update_search_vector
from .signals import glossary_changed

SCRIPT_CHOICES = [(v.code, v.name) for v in VARIANTS.values()]


paragraphs_html = richtext.paragraphs_html  # plain-text bodies render as they always have


class GlossaryTermQuerySet(models.QuerySet):
    def as_glossary(self) -> Glossary:
        return Glossary(tuple(term.as_term() for term in self))


class GlossaryTerm(models.Model):
    """A word OpenCC gets wrong, and what each variant should print instead."""

    term = models.CharField(
        "词语",
        max_length=60,
        unique=True,
        help_text="按文章中的写法填写（简体或繁体均可），如“赵岩”“支持”。",
    )
    keep = models.BooleanField(
        "各版本保持原样",
        default=False,
        help_text="勾选后，此词在所有版本中都按原文显示，不做任何转换。",
    )
    zh_hans = models.CharField("简体", max_length=60, blank=True)
    zh_hant = models.CharField("繁體", max_length=60, blank=True)
    zh_tw = models.CharField("臺灣", max_length=60, blank=True)
    zh_hk = models.CharField("香港", max_length=60, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        verbose_name = "转换词表"
        verbose_name_plural = "转换词表"

    def __str__(self):
        return self.term

    def clean(self):
        given = any(self.renderings().values())
        if self.keep == given:
            raise ValidationError(
                "请二选一：勾选“各版本保持原样”，或填写各版本的写法（未填的版本用最接近的版本）。"
            )

    def renderings(self) -> dict:
        return {code: getattr(self, code.replace("-", "_")) for code in CODES}

    @classmethod
    def rerender_affected(cls, terms: set[str]) -> int:
        """Re-render what contains any of ``terms`` with the current glossary.

        Returns how many articles changed; approved comments follow via ``glossary_changed``.
        """
        glossary = cls.objects.as_glossary()
        terms = {t for t in terms if t}
        for term in terms:
            for category in Category.objects.filter(name__contains=term):
                category.save(glossary=glossary)
            for photo in Photo.objects.filter(Q(caption__contains=term) | Q(credit__contains=term)):
                photo.save(glossary=glossary)
                Article.rerender_showing(photo, glossary)
        seen = set()
        for term in terms:
            for article in Article.objects.containing(term).exclude(pk__in=seen):
                article.save(glossary=glossary, update_fields=Article.RENDERED_FIELDS)
                seen.add(article.pk)
        # Saving categories and articles refreshed their cached pages; the comments app does
        # the same for the comments it re-renders.
        glossary_changed.send(sender=cls, terms=terms, glossary=glossary)
        return len(seen)

    def as_term(self) -> Term:
        if self.keep:
            return Term(self.term)
        given = {code: text for code, text in self.renderings().items() if text}
        return Term(self.term, given or None)


class Category(models.Model):
    name = models.CharField("名称", max_length=20, unique=True)
    slug = models.SlugField(
        "网址名", max_length=40, unique=True, help_text="用于网址，如 jiangsu。"
    )
    position = models.PositiveSmallIntegerField("导航顺序", default=0)
    name_variants = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "栏目"
        verbose_name_plural = "栏目"

    def __str__(self):
        return self.name

    def save(self, *args, glossary: Glossary | None = None, **kwargs):
        self.refresh_renderings(glossary)
        super().save(*args, **kwargs)
        pagecache.site_changed()
        edge.purge(purge.whole_site(Article.objects, Category.objects))

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    def refresh_renderings(self, glossary: Glossary | None = None):
        glossary = glossary if glossary is not None else GlossaryTerm.objects.as_glossary()
        self.name_variants = render(self.name, detect_script([self.name]), glossary)

    def display_name(self, variant: str) -> str:
        return self.name_variants.get(variant) or self.name

    @classmethod
    def navigation(cls, variant: str) -> list[tuple[str, str]]:
        """(slug, name in ``variant``) of every category, in editors' order: on every page, so
        shared until a category or anything else on the site changes."""
        return pagecache.cached_result(
            f"navigation:{variant}",
            lambda: [(c.slug, c.display_name(variant)) for c in cls.objects.all()],
        )


RELATED = 5  # related articles on an article page


class ArticleQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None):
        """What readers may see: published, and due (a future time means scheduled)."""
        now = now if now is not None else timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def in_variant(self, variant: str, *, body: bool = False):
        """Fetch just one variant's text (``display_title`` …), not all four renderings."""
        fields = {
            "display_title": KeyTextTransform(variant, "title_variants"),
            "display_summary": KeyTextTransform(variant, "summary_variants"),
            "display_category": KeyTextTransform(variant, "category__name_variants"),
        }
        related = ["category", "lead_photo"]
        if body:
            fields["display_body"] = KeyTextTransform(variant, "body_variants")
            related.append("responsible_editor")
        return (
            self.select_related(*related)
            .defer(
                "body",
                "title_variants",
                "summary_variants",
                "body_variants",
                "search_vector",
                "category__name_variants",
            )
            .annotate(**fields)
        )

    def next_due(self):
        """When the next scheduled article goes live (None if none is scheduled)."""
        return (
            self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )

    def neighbour_rows(self, category_id, pk, published_at, variant: str, related: int = RELATED):
        """The article page's links within its category, as one lean query (kind, pk,
        display_title): the article just before and just after it, and the latest others."""
        lean = (
            self.filter(category_id=category_id)
            .exclude(pk=pk)
            .annotate(display_title=KeyTextTransform(variant, "title_variants"))
        )
        fields = ("kind", "pk", "display_title")
        older = lean.filter(published_at__lt=published_at).latest()
        newer = lean.filter(published_at__gt=published_at).order_by("published_at", "id")
        return (
            older.annotate(kind=Value("previous"))
            .values(*fields)[:1]
            .union(
                newer.annotate(kind=Value("next")).values(*fields)[:1],
                lean.latest().annotate(kind=Value("related")).values(*fields)[:related],
                all=True,
            )
        )

    def latest(self):
        return self.order_by("-published_at", "-id")

    def hot(self, days: int = 7):
        since = timezone.now() - timezone.timedelta(days=days)
        return self.filter(published_at__gte=since).order_by("-heat", "-published_at")

    def hot_ranking(self, size: int = 10):
        """The week's most read, from a ranking recomputed at most once a minute.

        Ranking a busy week means sorting every article of it by heat (40 ms with 10,000);
        the ids are shared for a minute, the rows are fetched through this queryset, so an
        article unpublished meanwhile drops out at once.
        """
        ids = cache.get_or_set(
            f"hot-ranking:{size}",
            lambda: list(Article.objects.published().hot().values_list("pk", flat=True)[:size]),
            60,
        )
        return self.filter(pk__in=ids).order_by("-heat", "-published_at")

    def containing(self, text: str):
        return self.filter(
            Q(title__contains=text) | Q(summary__contains=text) | Q(body__contains=text)
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    title = models.CharField("标题", max_length=200)
    summary = models.TextField("摘要", max_length=600, help_text="显示在标题下方的摘要框和列表中。")
    body = models.TextField(
        "正文",
        help_text="可用小标题、加粗、链接、引用、列表和图片（图片须先在“图片”中上传）。"
        "用 -{…}- 保护不应转换的文字，"
        "或用 -{zh-hans:…;zh-hant:…;zh-tw:…;zh-hk:…}- 为各版本分别指定写法。",
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name="栏目"
    )
    lead_photo = models.ForeignKey(
        Photo,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_articles",
        verbose_name="题图",
        help_text="文章页顶部的大图，也用于列表缩略图和分享（og:image）。先在“图片”中上传。",
    )
    responsible_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True},
        verbose_name="责任编辑",
        help_text="显示在文章末尾。显示姓名（未填姓名则显示用户名）。",
    )
    source = models.CharField("来源", max_length=60, blank=True)
    author = models.CharField("作者", max_length=60, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "发布时间", default=timezone.now, help_text="设为将来的时间即为定时发布，到时自动上线。"
    )
    allow_comments = models.BooleanField("允许评论", default=True)
    is_headline = models.BooleanField(
        "头条", default=False, help_text="首页头条显示最新的头条文章。"
    )
    heat = models.PositiveIntegerField("热度", default=0, editable=False)
    heat_reads_folded = models.PositiveBigIntegerField(
        "已计入热度的缓冲阅读数", default=0, editable=False
    )
    comment_count = models.PositiveIntegerField("评论数", default=0, editable=False)
    # Kept by the comments app beside comment_count, in the same statement: the paginator of
    # the comment list reads it instead of counting a long thread on every page.
    top_level_comment_count = models.PositiveIntegerField(
        "顶层评论数", default=0, editable=False, help_text="已通过的顶层评论（不含回复）。"
    )
    source_script = models.CharField(
        "原文字体",
        max_length=10,
        choices=SCRIPT_CHOICES,
        blank=True,
        help_text="留空则保存时自动识别。转换总是从原文出发。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="最后编辑",
    )
    version = models.PositiveIntegerField(
        "版本",
        default=0,
        editable=False,
        help_text="每次保存加一；编辑表单据此发现他人较新的保存。",
    )
    title_variants = models.JSONField(default=dict, editable=False)
    summary_variants = models.JSONField(default=dict, editable=False)
    body_variants = models.JSONField(default=dict, editable=False)  # sanitised HTML per variant
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    TEXT_FIELDS = ("title", "summary", "body", "source_script")
    RENDERED_FIELDS = ("title_variants", "summary_variants", "body_variants", "source_script")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "文章"
        verbose_name_plural = "文章"
        # The 热门 ranking (a week of articles by heat) reads article_latest and sorts that
        # week. Heat itself is deliberately unindexed: every read updates it, and an indexed
        # column would rule out PostgreSQL's HOT updates (measured: 3x the cost per read).
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_latest"),
            models.Index(
                fields=["category", "status", "-published_at", "-id"], name="article_category"
            ),
            models.Index(
                fields=["-published_at"], name="article_headline", condition=Q(is_headline=True)
            ),
            GinIndex(fields=["search_vector"], name="article_search"),
        ]

    def __str__(self):
        return self.title

    def save(
        self,
        *args,
        glossary: Glossary | None = None,
        revision: ArticleRevision.Kind = ArticleRevision.Kind.SAVED,
        note: str = "",
        **kwargs,
    ):
        """Render the variants and the search document when the text may have changed; keep a
        revision of every edit (re-renderings after a glossary change are not edits)."""
        update_fields = kwargs.get("update_fields")
        text_changed = update_fields is None or set(update_fields) & set(self.TEXT_FIELDS)
        edited = update_fields is None or set(update_fields) - {
            *self.RENDERED_FIELDS,
            "updated_at",
        }
        if text_changed:
            if richtext.is_html(self.body):
                self.body = richtext.sanitize(self.body)
            self.refresh_renderings(glossary)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *self.RENDERED_FIELDS}
        if edited:
            self.version += 1
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        with transaction.atomic():
            before = purge.state_before(self)
            super().save(*args, **kwargs)
            if edited:
                ArticleRevision.snapshot(self, kind=revision, by=self.last_edited_by, note=note)
            if text_changed:
                update_search_vector(self)
            pagecache.article_changed(self.pk)
            edge.purge(purge.after_save(self, before))

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def publish(self, by=None):
        self.status = self.Status.PUBLISHED
        self.last_edited_by = by or self.last_edited_by
        self.save(update_fields=["status", "last_edited_by", "updated_at"])

    def unpublish(self, by=None):
        self.status = self.Status.DRAFT
        self.last_edited_by = by or self.last_edited_by
        self.save(update_fields=["status", "last_edited_by", "updated_at"])

    @property
    def responsible_editor_name(self) -> str:
        editor = self.responsible_editor
        return (editor.get_full_name() or editor.get_username()) if editor else ""

    def restore(self, revision: ArticleRevision, by=None) -> None:
        """Bring back an earlier revision's text as a new revision (publication unchanged)."""
        revision.apply_to(self)
        self.last_edited_by = by or self.last_edited_by
        self.save(revision=ArticleRevision.Kind.RESTORED, note=f"恢复自第 {revision.version} 版")

    def refresh_renderings(self, glossary: Glossary | None = None):
        """Compute the four variants of title, summary and body from what was written."""
        glossary = glossary if glossary is not None else GlossaryTerm.objects.as_glossary()
        if not self.source_script:
            self.source_script = detect_script([self.title, self.summary, self.body])
        rendered = render_fields(
            {"title": self.title, "summary": self.summary}, self.source_script, glossary
        )
        self.title_variants = rendered["title"]
        self.summary_variants = rendered["summary"]
        self.body_variants = self.render_body(glossary)

    def render_body(self, glossary: Glossary) -> dict[str, str]:
        """The body's HTML in every variant: the editor's sanitised HTML with its text
        converted, or plain text's paragraphs exactly as before the editor existed."""
        if not richtext.is_html(self.body):
            rendered = render(self.body, self.source_script, glossary)
            return {v: paragraphs_html(text) for v, text in rendered.items()}
        rendered = render_html(self.body, self.source_script, glossary)
        keys = body_photos.keys_in(self.body)
        if not keys:
            return rendered
        photos = {p.key: p for p in Photo.objects.filter(key__in=keys)}
        return {v: body_photos.expand(html, photos, v) for v, html in rendered.items()}

    @classmethod
    def rerender_showing(cls, photo: Photo, glossary: Glossary | None = None) -> None:
        """Re-render (and so refresh the pages of) the articles that show ``photo``."""
        for article in cls.objects.filter(
            Q(lead_photo=photo) | Q(body__contains=f"photos/{photo.key}/")
        ):
            article.save(glossary=glossary, update_fields=cls.RENDERED_FIELDS)

    def text(self, variant: str) -> dict:
        """One variant's title, summary and body HTML (for the admin preview and feeds)."""
        return {
            "title": self.title_variants.get(variant, self.title),
            "summary": self.summary_variants.get(variant, self.summary),
            "body": mark_safe(self.body_variants.get(variant, "")),  # sanitised at save
        }

    # --- the article page ----------------------------------------------------------------------

    @classmethod
    def for_reader(cls, pk: int, variant: str) -> "Article | None":
        """The published article ``pk`` with its text in ``variant``, as its page shows it.

        Shared by every rendering of its page (a reader with a session, another comment page,
        another host) until the article or the site changes: building this query's SQL cost
        more than running it. Its heat stays right: ``shown_heat`` reads the live counter, and
        a fold changes ``heat`` and ``heat_reads_folded`` alike. Not found is never kept, so a
        scheduled article shows once it is due.
        """
        return pagecache.cached_result(
            f"article:{pk}:{variant}",
            lambda: cls.objects.published().in_variant(variant, body=True).filter(pk=pk).first(),
            article_id=pk,
        )

    def neighbours(self, variant: str) -> dict:
        """Published articles of its category: previous, next and the latest others (dicts of
        pk and display_title). One query, shared until the site changes."""

        def rows():
            return list(
                Article.objects.published().neighbour_rows(
                    self.category_id, self.pk, self.published_at, variant
                )
            )

        found = {"previous": None, "next": None, "related": []}
        for row in pagecache.cached_result(f"neighbours:{self.pk}:{variant}", rows):
            if row["kind"] == "related":
                found["related"].append(row)
            else:
                found[row["kind"]] = row
        return found

    # --- heat (articles/heat.py) ---------------------------------------------------------------

    @classmethod
    def count_read(cls, article_id: int) -> None:
        """Count one read of the article (one increment in the shared counters cache)."""
        heat_counter.count_read(cls.objects, article_id)

    @property
    def shown_heat(self) -> int:
        """The heat its page shows: the row plus the reads counted since the last fold."""
        return heat_counter.shown(self.pk, self.heat, self.heat_reads_folded)

    @classmethod
    def fold_all_reads(cls) -> int:
        """Fold every article's counted reads into its row; return how many."""
        return heat_counter.fold_all(cls.objects)

    @classmethod
    def fold_edge_reads(cls) -> int:
        """Add the reads the edges served themselves (EDGE_READ_LOGS); return how many."""
        return heat_counter.fold_edge_logs(cls.objects, EdgeReadLog.objects)

    def comments_open(self) -> bool:
        if not self.allow_comments:
            return False
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return not days or self.published_at >= timezone.now() - timezone.timedelta(days=days)


class EdgeReadLog(models.Model):
    """How far ``fold_heat`` has read an edge's log of the article reads it served (heat.py)."""

    path = models.CharField("日志文件", max_length=500, unique=True)
    inode = models.BigIntegerField(default=0)
    offset = models.BigIntegerField("已读到的字节", default=0)

    class Meta:
        verbose_name = "边缘缓存阅读日志"
        verbose_name_plural = "边缘缓存阅读日志"

    def __str__(self):
        return f"{self.path} @ {self.offset}"
