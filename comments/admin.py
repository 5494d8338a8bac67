"""The moderators' product: the desk (the comments changelist, as cards), the decision log,
rejection reasons, blocks and intake rules.

Every decision goes through ``Comment.decide`` (one row in the log per decision). The desk's
buttons post to the endpoints in comments/desk_views.py, added here with ``get_urls``; what a
card shows is prepared in comments/desk.py.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import (
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Value,
    When,
)
from django.db.models.functions import Now
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.variants import CODES, VARIANTS

from . import desk, intake
from .desk_views import DECISIONS, DeskEndpoints
from .models import (
    BannedWord,
    Block,
    Comment,
    Decision,
    IntakeRule,
    Refused,
    RejectionReason,
    Report,
)


def queue_summary():
    """How many comments wait and how long the oldest has waited (admin index and desk)."""
    return desk.backlog()


# --- filters -----------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the pending queue; "全部" shows every state."""

    title = gettext_lazy("状态")
    parameter_name = "status"
    ALL = "all"
    # Not a status: comments with reports no moderator has seen yet, in any status (approved
    # ones readers reported; pending ones the report threshold hid), most reported first.
    REPORTED = "reported"

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (self.REPORTED, _("被举报")), (self.ALL, _("全部"))]

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
        if self.value() == self.REPORTED:
            return queryset.filter(open_reports__gt=0)
        return queryset.filter(status=self.value())


class ReasonFilter(admin.SimpleListFilter):
    """Queues by why a comment was flagged (links, banned words) — or not flagged at all."""

    title = gettext_lazy("可疑原因")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [
            ("any", _("可疑")),
            ("links", _("链接过多")),
            ("words", _("屏蔽词")),
            ("none", _("无")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.filter(suspected=True)
        if value == "none":
            return queryset.filter(suspected=False)
        prefix = {"links": "链接过多", "words": "屏蔽词："}.get(value)
        if prefix:
            # Each reason starts with its kind; the JSON text of the list holds them quoted.
            return queryset.filter(suspected=True, suspicion_reasons__icontains=f'"{prefix}')
        return queryset


class SortFilter(admin.SimpleListFilter):
    """Not a filter: the queue's order. 热门优先 ranks by the article's heat × waiting time —
    the comments most readers are waiting for. Read by ``CommentAdmin.get_ordering``."""

    title = gettext_lazy("排序")
    parameter_name = "sort"

    def lookups(self, request, model_admin):
        return [("hot", _("热门优先"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("最早优先"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset


def active_reasons() -> list[tuple]:
    return [("", _("（批量拒绝时选择）")), *RejectionReason.objects.active_choices()]


class DeskActionForm(helpers.ActionForm):
    """The bulk actions, with the reason a bulk rejection records."""

    reason = forms.ChoiceField(
        choices=active_reasons, required=False, label=gettext_lazy("拒绝原因")
    )


# --- the desk ----------------------------------------------------------------------------------


@admin.register(Comment)
class CommentAdmin(DeskEndpoints, admin.ModelAdmin):
    list_display = ["nickname", "body", "status", "created_at"]  # the cards show more
    list_display_links = None
    list_filter = [StatusFilter, ReasonFilter, SortFilter, "created_at"]
    list_select_related = False
    search_fields = ["body", "nickname", "ip_address", "address_block", "commenter_key"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["approve", "reject", "mark_spam", "feature", "unfeature", "dismiss_reports"]
    action_form = DeskActionForm
    fields = [
        "article",
        "nickname",
        "body",
        "status",
        "reasons",
        "created_at",
        "ip_address",
        "address_block",
        "commenter_key",
        "user_agent",
        "moderated_by",
        "moderated_at",
        "reply_to",
        "parent",
        "floor",
        "like_count",
        "featured",
        "open_reports",
    ]
    readonly_fields = fields
    change_form_template = "admin/comments/comment/change_form.html"
    change_list_template = "admin/comments/comment/change_list.html"

    def get_queryset(self, request):
        # The comments' own columns only: renderings, titles and who decided are read for the
        # fifty cards shown (desk.shown_in), not while sorting the whole queue.
        return (
            super()
            .get_queryset(request)
            .defer(
                "body_variants",
                "nickname_variants",
                "item_variants",
                "user_agent",
                "submission_token",
            )
        )

    def get_ordering(self, request):
        # Oldest first: the queue is worked from the top (on the index, for one status). With
        # every status shown, pending ones first. Expressions, not annotations, so filters'
        # DISTINCT queries accept them.
        ordering = ["created_at", "id"]
        if request.GET.get(SortFilter.parameter_name) == "hot":
            # heat × waiting time, as an interval: PostgreSQL multiplies and sorts intervals
            # several times faster than the numeric seconds EXTRACT(epoch …) gives.
            waited = ExpressionWrapper(Now() - F("created_at"), output_field=DurationField())
            rank = ExpressionWrapper(
                (F("article__heat") + 1) * waited, output_field=DurationField()
            )
            ordering.insert(0, rank.desc())
        status = request.GET.get(StatusFilter.parameter_name)
        if status == StatusFilter.REPORTED:
            ordering.insert(0, "-open_reports")  # on the partial index comment_reported
        if status == StatusFilter.ALL:
            pending_first = Case(
                When(status=Comment.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
            ordering.insert(0, pending_first.asc())
        return ordering

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
        # Every field is read-only and decisions go through Comment.decide (see
        # response_change); a full save here could write back a status another moderator
        # has just changed, leaving the article's comment count wrong.
        pass

    @admin.display(description=gettext_lazy("可疑原因"))
    def reasons(self, comment):
        return "；".join(comment.suspicion_reasons) or "—"

    # --- bulk actions: one model method per comment ------------------------------------------

    def _decide_many(self, request, queryset, status, done):
        reason = ""
        if status == Comment.Status.REJECTED:
            chosen = request.POST.get("reason")
            found = RejectionReason.objects.filter(pk=chosen).first() if chosen else None
            reason = found.label if found else ""
        changed = Comment.decide_many(queryset.order_by("pk"), status, request.user, reason=reason)
        intake.after_decisions()
        self.message_user(request, done % {"n": changed}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("通过所选评论（公开显示）"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._decide_many(request, queryset, Comment.Status.APPROVED, _("已通过 %(n)s 条评论。"))

    @admin.action(description=gettext_lazy("拒绝所选评论"), permissions=["moderate"])
    def reject(self, request, queryset):
        self._decide_many(request, queryset, Comment.Status.REJECTED, _("已拒绝 %(n)s 条评论。"))

    @admin.action(description=gettext_lazy("将所选评论标为垃圾信息"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._decide_many(
            request, queryset, Comment.Status.SPAM, _("已标为垃圾信息：%(n)s 条评论。")
        )

    def _each(self, request, queryset, act, done):
        """A community action on each selected comment (its model method); the ones it does not
        apply to are counted and said, not failed."""
        changed = refused = 0
        for comment in queryset.order_by("pk"):
            try:
                changed += act(comment) is not None
            except Refused:
                refused += 1
        self.message_user(request, done % {"n": changed}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("%(n)s 条不适用，未改变（精选只限已通过的主评论，驳回举报只限已通过的评论）。")
                % {"n": refused},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("将所选评论设为精选"), permissions=["moderate"])
    def feature(self, request, queryset):
        self._each(
            request, queryset, lambda c: c.feature(request.user), _("已设为精选：%(n)s 条评论。")
        )

    @admin.action(description=gettext_lazy("取消所选评论的精选"), permissions=["moderate"])
    def unfeature(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: c.feature(request.user, on=False),
            _("已取消精选：%(n)s 条评论。"),
        )

    @admin.action(
        description=gettext_lazy("驳回所选评论的举报（保留评论）"), permissions=["moderate"]
    )
    def dismiss_reports(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: c.dismiss_reports(request.user),
            _("已驳回举报：%(n)s 条评论。"),
        )

    # --- views -----------------------------------------------------------------------------

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(require_POST(desk.in_desk_language(function)))

        return [
            path(
                "<int:object_id>/decide/",
                view(self.decide_view),
                name="comments_comment_decide",
            ),
            path(
                "decisions/<int:decision_id>/undo/",
                view(self.undo_view),
                name="comments_comment_undo",
            ),
            path(
                "<int:object_id>/block/",
                self.admin_site.admin_view(desk.in_desk_language(self.block_view)),
                name="comments_comment_block",
            ),
            path(
                "<int:object_id>/feature/",
                view(self.feature_view),
                name="comments_comment_feature",
            ),
            path(
                "<int:object_id>/dismiss-reports/",
                view(self.dismiss_reports_view),
                name="comments_comment_dismiss_reports",
            ),
            path("script/", view(self.script_view), name="comments_comment_script"),
            *super().get_urls(),
        ]

    @method_decorator(desk.in_desk_language)
    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context.update(self.desk_context(request, context["cl"], context["action_form"]))
        return response

    def desk_context(self, request, cl, action_form) -> dict:
        variant = desk.desk_variant(request)
        can_moderate = self.can_moderate(request)
        here = request.get_full_path()
        reasons = []
        if action_form is not None:
            # Read once: the bulk form's drop-down and every card's picker show the same list.
            choices = action_form.fields["reason"].choices = list(
                action_form.fields["reason"].choices
            )
            reasons = choices[1:]
        return {
            **desk.backlog(),
            "cards": desk.build_cards(
                cl.result_list, variant, here=here, csrf_token=get_token(request)
            ),
            "t": desk.labels(),
            "can_moderate": can_moderate,
            "reason_picker": desk.reason_picker(reasons),
            "decisions_today": desk.decisions_today(),
            "undoable": desk.last_undoable(request.user) if can_moderate else None,
            "desk_variant": variant,
            "variants": [(code, VARIANTS[code].label, VARIANTS[code].name) for code in CODES],
            "here": here,
            # Recomputed when older than half a minute: the desk is where a night's pause is
            # first seen to be over.
            "intake_paused": intake.current_state(),
            "title": _("评论审核台"),
        }

    @method_decorator(desk.in_desk_language)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {"can_moderate": self.can_moderate(request), **(extra_context or {})}
        if object_id and str(object_id).isdigit():
            extra["decisions"] = Decision.objects.filter(comment_id=object_id).select_related(
                "moderator"
            )
            extra["rejection_reasons"] = RejectionReason.objects.filter(active=True)
            extra["reports"] = Report.objects.filter(comment_id=object_id)[:200]
        return super().changeform_view(request, object_id, form_url, extra)

    @method_decorator(desk.in_desk_language)
    def history_view(self, request, object_id, extra_context=None):
        return super().history_view(request, object_id, extra_context)

    CHANGE_FORM_BUTTONS = {"_approve": "approve", "_reject": "reject", "_spam": "spam"}

    def response_change(self, request, obj):
        for button, decision in self.CHANGE_FORM_BUTTONS.items():
            if button in request.POST and self.can_moderate(request):
                reason = self._reason(request)
                obj.decide(DECISIONS[decision], request.user, reason=reason.label if reason else "")
                self.message_user(
                    request,
                    _("评论已改为“%(status)s”。") % {"status": obj.get_status_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))
        return super().response_change(request, obj)


# --- the decision log and the desk's other lists --------------------------------------------


class ModeratorFilter(admin.SimpleListFilter):
    """The moderators who have decided something (plus 网站, the site's own decisions)."""

    title = gettext_lazy("审核人")
    parameter_name = "moderator"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(
            pk__in=Decision.objects.order_by().values("moderator").distinct()
        )
        return [(str(user.pk), user.get_username()) for user in users] + [("site", _("网站"))]

    def queryset(self, request, queryset):
        if self.value() == "site":
            return queryset.filter(moderator__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(moderator_id=self.value())
        return queryset


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The log: read-only, filterable by moderator and day."""

    list_display = ["decided_at", "moderator_name", "comment_link", "change", "reason", "note"]
    list_filter = [ModeratorFilter, "to_status", "decided_at"]
    list_select_related = ["moderator", "comment"]
    date_hierarchy = "decided_at"
    search_fields = ["reason", "note", "comment__body"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("审核人"), ordering="moderator")
    def moderator_name(self, decision):
        return decision.moderator_name

    @admin.display(description=gettext_lazy("评论"))
    def comment_link(self, decision):
        from django.utils.html import format_html

        excerpt = decision.comment.body[:30] + ("…" if len(decision.comment.body) > 30 else "")
        link = desk.desk_url(decision.comment)
        return format_html('<a href="{}">{}</a>', link, excerpt)

    @admin.display(description=gettext_lazy("变化"))
    def change(self, decision):
        if not decision.changes_status:
            return f"{decision.get_to_status_display()}{_('（状态未变）')}"
        undo = _("（撤销）") if decision.undoes_id else ""
        return f"{decision.get_from_status_display()} → {decision.get_to_status_display()}{undo}"

    @method_decorator(desk.in_desk_language)
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "position", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # past decisions name them; retire one by unticking 可选


class ActiveFilter(admin.SimpleListFilter):
    title = gettext_lazy("状态")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("生效中")), ("no", _("已解除或已到期"))]

    def queryset(self, request, queryset):
        active = Block.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    """Blocks are listed and lifted here; lifting keeps the row."""

    list_display = ["value", "kind", "until", "is_active", "created_by", "created_at", "note"]
    list_filter = [ActiveFilter, "kind"]
    search_fields = ["value", "note"]
    list_select_related = ["created_by"]
    fields = [
        "kind",
        "value",
        "until",
        "note",
        "created_by",
        "created_at",
        "lifted_by",
        "lifted_at",
    ]
    actions = ["lift"]

    def get_readonly_fields(self, request, obj=None):
        recorded = ["created_by", "created_at", "lifted_by", "lifted_at"]
        return recorded if obj is None else ["kind", "value", *recorded]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("生效中"), boolean=True)
    def is_active(self, block):
        return block.is_active

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("解除所选屏蔽"), permissions=["change"])
    def lift(self, request, queryset):
        lifted = sum(block.lift(by=request.user) for block in queryset)
        self.message_user(request, _("已解除 %(n)s 项屏蔽。") % {"n": lifted}, messages.SUCCESS)


@admin.register(IntakeRule)
class IntakeRuleAdmin(admin.ModelAdmin):
    """Editors pause new comments, site-wide or per category; saving takes effect at once."""

    list_display = ["__str__", "paused", "nightly_from", "nightly_until", "backlog_limit", "now"]
    list_select_related = ["category"]
    fields = ["category", "paused", "nightly_from", "nightly_until", "backlog_limit"]

    @admin.display(description=gettext_lazy("现在"))
    def now(self, rule):
        state = intake.current_state()
        pause = state.get("site" if rule.category_id is None else str(rule.category_id))
        return intake.notice(pause) if pause else _("正常接收")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        intake.refresh()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        intake.refresh()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        intake.refresh()


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ["word", "note", "created_at"]
    search_fields = ["word", "note"]
