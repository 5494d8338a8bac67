"""The moderators' product: a queue that opens on pending comments, oldest first."""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from .models import HEAVY_ARTICLE_FIELDS, BannedWord, Comment


class StatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the pending queue; "全部" shows every state."""

    title = "状态"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (self.ALL, "全部")]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


def queue_summary():
    """How many comments wait and how long the oldest has waited (admin index and queue)."""
    pending = Comment.objects.pending()
    oldest = pending.values_list("created_at", flat=True).first()
    return {
        "pending_count": pending.count(),
        "oldest_pending_age": timesince(oldest) if oldest else "",
    }


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "status_label",
        "excerpt",
        "display_nickname",
        "article_link",
        "reasons",
        "ip_address",
        "age",
        "moderated_by",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        StatusFilter,
        "suspected",
        "created_at",
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["article", "moderated_by"]
    search_fields = ["body", "nickname", "ip_address"]
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = ["approve", "reject", "mark_spam"]
    fields = [
        "article",
        "nickname",
        "body",
        "status",
        "reasons",
        "created_at",
        "ip_address",
        "user_agent",
        "moderated_by",
        "moderated_at",
    ]
    readonly_fields = fields
    change_form_template = "admin/comments/comment/change_form.html"
    change_list_template = "admin/comments/comment/change_list.html"

    def get_queryset(self, request):
        # A hundred rows with their articles: leave out the texts no column shows.
        return (
            super()
            .get_queryset(request)
            .defer(
                "body_variants",
                "nickname_variants",
                *(f"article__{field}" for field in HEAVY_ARTICLE_FIELDS),
            )
        )

    def get_ordering(self, request):
        # Pending first, then oldest first: the queue is worked from the top. An expression,
        # not an annotation, so the related-only article filter's DISTINCT query accepts it.
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "created_at", "id"]

    # --- what a moderator may do -------------------------------------------------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # moderation records decisions; it never destroys

    def can_moderate(self, request) -> bool:
        return request.user.has_perm("comments.moderate_comment")

    def has_moderate_permission(self, request):
        return self.can_moderate(request)

    def has_change_permission(self, request, obj=None):
        return self.can_moderate(request) or super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Every field is read-only and decisions go through the model's methods (see
        # response_change); a full save here could write back a status another moderator
        # has just changed, leaving the article's comment count wrong.
        pass

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description="状态", ordering="status")
    def status_label(self, comment):
        return format_html(
            '<strong class="comment-status-{}">{}</strong>',
            comment.status,
            comment.get_status_display(),
        )

    @admin.display(description="内容")
    def excerpt(self, comment):
        return comment.body[:60] + ("…" if len(comment.body) > 60 else "")

    @admin.display(description="昵称", ordering="nickname")
    def display_nickname(self, comment):
        return comment.nickname or "（热心网友）"

    @admin.display(description="文章", ordering="article")
    def article_link(self, comment):
        return format_html(
            '<a href="{}" target="_blank">{}</a>',
            comment.article.get_absolute_url(),
            comment.article.title[:24],
        )

    @admin.display(description="可疑原因")
    def reasons(self, comment):
        return "；".join(comment.suspicion_reasons) or "—"

    @admin.display(description="已等待", ordering="created_at")
    def age(self, comment):
        return timesince(comment.created_at, timezone.now())

    # --- decisions: one model method per comment -------------------------------------------

    def _decide(self, request, queryset, method: str, done: str):
        changed = sum(getattr(comment, method)(by=request.user) for comment in queryset)
        self.message_user(request, f"{done} {changed} 条评论。", messages.SUCCESS)

    @admin.action(description="通过所选评论（公开显示）", permissions=["moderate"])
    def approve(self, request, queryset):
        self._decide(request, queryset, "approve", "已通过")

    @admin.action(description="拒绝所选评论", permissions=["moderate"])
    def reject(self, request, queryset):
        self._decide(request, queryset, "reject", "已拒绝")

    @admin.action(description="将所选评论标为垃圾信息", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._decide(request, queryset, "mark_spam", "已标为垃圾信息：")

    DECISIONS = {"_approve": "approve", "_reject": "reject", "_spam": "mark_spam"}

    def response_change(self, request, obj):
        for button, method in self.DECISIONS.items():
            if button in request.POST and self.can_moderate(request):
                getattr(obj, method)(by=request.user)
                self.message_user(
                    request, f"评论已改为“{obj.get_status_display()}”。", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))
        return super().response_change(request, obj)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**queue_summary(), **(extra_context or {})})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {"can_moderate": self.can_moderate(request), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra)


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ["word", "note", "created_at"]
    search_fields = ["word", "note"]
