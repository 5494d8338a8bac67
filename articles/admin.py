"""The editors' product: writing, scheduling, publishing, and fixing conversions."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from js_asset import Media

from portal.variants import VARIANTS

from .forms import ArticleAdminForm
from .models import Article, Category, GlossaryTerm


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {}
    search_fields = ["name", "slug"]


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
    ]
    fieldsets = [
        (None, {"fields": ["title", "summary", "body", "category"]}),
        ("发布", {"fields": ["status", "published_at", "is_headline", "allow_comments"]}),
        ("来源", {"fields": ["source", "author", "source_script"]}),
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
