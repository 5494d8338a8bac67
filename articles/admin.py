"""The editors' product: writing, scheduling, publishing, and fixing conversions."""

from csp.decorators import csp_update
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from js_asset import Media

from portal.variants import VARIANTS

from .forms import ArticleAdminForm, PhotoUploadForm
from .models import Article, Category, GlossaryTerm
from .photos import Photo
from .revisions import diff_rows


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {}
    search_fields = ["name", "slug"]


# The editor (Tiptap inside django-prose-editor 0.28.0) inserts its base stylesheet as an inline
# <style> it gives no nonce; this allows exactly that stylesheet, on the article form only. A new
# version of the editor that changes it shows up as a refusal in tests/e2e/test_csp.py.
EDITOR_STYLE = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
editor_csp = method_decorator(csp_update({"style-src": [EDITOR_STYLE]}))


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "category",
        "status",
        "published_at",
        "visibility",
        "heat",
        "comment_count",
        "last_edited_by",
    ]
    list_filter = ["status", "category", "is_headline", "allow_comments"]
    list_select_related = ["category", "last_edited_by"]
    search_fields = ["title", "summary", "author", "source"]
    date_hierarchy = "published_at"
    ordering = ["-published_at", "-id"]
    list_per_page = 50
    actions = ["publish", "unpublish"]
    readonly_fields = [
        "heat",
        "comment_count",
        "created_at",
        "updated_at",
        "last_edited_by",
        "preview",
        "photo_library",
    ]
    autocomplete_fields = ["lead_photo"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "summary",
                    "lead_photo",
                    "body",
                    "photo_library",
                    "category",
                    "known_version",
                ]
            },
        ),
        ("发布", {"fields": ["status", "published_at", "is_headline", "allow_comments"]}),
        ("来源", {"fields": ["source", "author", "responsible_editor", "source_script"]}),
        ("四种版本预览（保存后更新）", {"classes": ["collapse"], "fields": ["preview"]}),
        (
            "统计",
            {"fields": ["heat", "comment_count", "created_at", "updated_at", "last_edited_by"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_variants", "search_vector")

    @admin.display(description="读者可见")
    def visibility(self, article):
        if article.status != Article.Status.PUBLISHED:
            return "—"
        if article.published_at > timezone.now():
            return "定时发布"
        return "✓"

    @admin.display(description="插入正文的图片")
    def photo_library(self, article):
        """The latest photos and the address to give the editor's image button."""
        rows = format_html_join(
            "",
            '<li><img src="{}" width="96" alt=""> <code>{}</code> {}</li>',
            (
                (photo.url(photo.renditions[0]["jpeg"]), photo.src, photo.caption[:30])
                for photo in Photo.objects.all()[:12]
            ),
        )
        return format_html(
            "<p>在正文工具栏点“图片”（Figure），把下面的地址粘贴进去，再写图片说明；"
            '图片须先在<a href="{}">图片</a>中上传。</p><ul class="photo-library">{}</ul>',
            reverse("admin:articles_photo_changelist"),
            rows,
        )

    @admin.display(description="预览")
    def preview(self, article):
        if not article.pk:
            return "保存后可预览四种版本。"
        cells = format_html_join(
            "",
            '<td lang="{}"><strong>{}</strong><h3>{}</h3>'
            '<p class="variant-summary">{}</p><div>{}</div></td>',
            (
                # The whole body: a slice of the safe HTML would be escaped (and could cut a tag).
                (v.html_lang, v.name, text["title"], text["summary"], text["body"])
                for v, text in ((v, article.text(v.code)) for v in VARIANTS.values())
            ),
        )
        return format_html('<table class="variant-preview"><tr>{}</tr></table>', cells)

    def save_model(self, request, obj, form, change):
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.editor = request.user
        return form

    @editor_csp
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @editor_csp
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    # --- revisions: the "历史" button lists them; compare two; restore one ------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<int:object_id>/history/<int:revision_id>/restore/",
                view(require_POST(self.restore_view)),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def _article_for(self, request, object_id, *, change=False) -> Article:
        article = get_object_or_404(Article.objects.defer("body_variants"), pk=object_id)
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_for(request, object_id)
        revisions = article.revisions.select_related("saved_by").defer("body", "summary")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"“{article.title}”的修订历史",
            "subtitle": None,
            "article": article,
            "revisions": revisions,
            "may_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def compare_view(self, request, object_id):
        article = self._article_for(request, object_id)
        chosen = sorted(
            (
                get_object_or_404(article.revisions, pk=request.GET.get(name) or 0)
                for name in ("a", "b")
            ),
            key=lambda r: (r.saved_at, r.pk),
        )
        older, newer = chosen
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"对比第 {older.version} 版与第 {newer.version} 版",
            "subtitle": None,
            "article": article,
            "older": older,
            "newer": newer,
            "rows": diff_rows(older, newer),
            "may_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, revision_id):
        article = self._article_for(request, object_id, change=True)
        revision = get_object_or_404(article.revisions, pk=revision_id)
        article.restore(revision, by=request.user)
        self.message_user(
            request,
            f"已恢复第 {revision.version} 版的内容，保存为第 {article.version} 版"
            "（发布状态与时间不变）。",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor's import map is an inline script: it runs under the CSP with this
        # request's nonce (portal/settings.py).
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description="发布所选文章", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.publish(by=request.user)
            count += 1
        self.message_user(request, f"已发布 {count} 篇文章。", messages.SUCCESS)

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.unpublish(by=request.user)
            count += 1
        self.message_user(request, f"已撤回 {count} 篇文章。", messages.SUCCESS)


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "caption", "credit", "size", "body_src", "created_at"]
    search_fields = ["caption", "credit"]
    readonly_fields = ["thumbnail", "size", "body_src", "uploaded_by", "created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["uploaded_by"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PhotoUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "caption", "credit"]
        return ["thumbnail", "caption", "credit", "size", "body_src", "uploaded_by", "created_at"]

    @admin.display(description="图片")
    def thumbnail(self, photo):
        first = photo.renditions[0]
        return format_html('<img src="{}" width="160" alt="">', photo.url(first["jpeg"]))

    @admin.display(description="尺寸")
    def size(self, photo):
        return f"{photo.width}×{photo.height}"

    @admin.display(description="正文插入地址")
    def body_src(self, photo):
        return format_html("<code>{}</code>", photo.src)

    def save_model(self, request, obj, form, change):
        glossary = GlossaryTerm.objects.as_glossary()
        if not change:
            obj.uploaded_by = request.user
            obj.store(form.image)
        obj.save(glossary=glossary)
        if change:
            Article.rerender_showing(obj, glossary)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "keep", "zh_hans", "zh_hant", "zh_tw", "zh_hk", "note", "updated_at"]
    search_fields = ["term", "zh_hant", "zh_tw", "zh_hk", "note"]
    list_filter = ["keep"]
    fields = ["term", "keep", ("zh_hans", "zh_hant", "zh_tw", "zh_hk"), "note"]

    def save_model(self, request, obj, form, change):
        old_term = form.initial.get("term") if change else None
        super().save_model(request, obj, form, change)
        count = GlossaryTerm.rerender_affected({obj.term, old_term} - {None})
        self.message_user(request, f"已重新转换 {count} 篇包含“{obj.term}”的文章。")

    def delete_model(self, request, obj):
        term = obj.term
        super().delete_model(request, obj)
        GlossaryTerm.rerender_affected({term})

    def delete_queryset(self, request, queryset):
        terms = set(queryset.values_list("term", flat=True))
        super().delete_queryset(request, queryset)
        GlossaryTerm.rerender_affected(terms)
