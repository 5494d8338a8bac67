"""The desk's decision endpoints, added to the comments' ModelAdmin (comments/admin.py) with
``get_urls``: a decision, an undo, a block, 精选, 驳回举报, the moderator's script.

Each is one POST. desk.js asks for JSON (``Accept: application/json``) and changes the card in
place; without JavaScript the answer is a redirect back to the same page of the queue, at the
card that followed (精选 and 驳回举报: at the same card). Another moderator's decision made
since the page was loaded is never overwritten: the answer is a 409 saying who decided what
(JSON, or a page offering both choices). Users without ``moderate_comment`` get a 403 in
Chinese (JSON, or the admin's error page).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portal.variants import CODES

from . import desk, intake
from .models import (
    Block,
    CannotUndo,
    Comment,
    Decision,
    DecisionConflict,
    Refused,
    RejectionReason,
)

DECISIONS = {
    "approve": Comment.Status.APPROVED,
    "reject": Comment.Status.REJECTED,
    "spam": Comment.Status.SPAM,
}
BLOCK_DAYS = {"1": 1, "7": 7, "30": 30, "": None}


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


class DeskEndpoints:
    """Views of the comments' ModelAdmin (which provides ``can_moderate`` and the admin site)."""

    @staticmethod
    def _wants_json(request) -> bool:
        return "application/json" in request.headers.get("Accept", "")

    def _refuse(self, request, message):
        if self._wants_json(request):
            return _json({"error": message}, status=403)
        raise PermissionDenied(message)

    def _back(self, request, anchor=None):
        """Where a decision made without JavaScript returns: the page of the queue it was made
        on (``next``), at the following card."""
        back = request.POST.get("next", "")
        desk_path = reverse("admin:comments_comment_changelist")
        allowed = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        if not (allowed and back.startswith(desk_path)):
            back = desk_path
        back = back.split("#")[0]
        return HttpResponseRedirect(f"{back}#card-{anchor}" if anchor else back)

    @staticmethod
    def _reason(request) -> RejectionReason | None:
        chosen = request.POST.get("reason", "")
        if not chosen.isdigit():
            return None
        return RejectionReason.objects.filter(pk=chosen).first()

    def _error(self, request, message, status=400, anchor=None):
        if self._wants_json(request):
            return _json({"error": message}, status=status)
        self.message_user(request, message, messages.ERROR)
        return self._back(request, anchor)

    @staticmethod
    def decision_json(decision: Decision | None, comment: Comment) -> dict:
        return {
            "id": comment.pk,
            "status": comment.status,
            "label": comment.get_status_display(),
            "decision": decision.pk if decision else None,
            "undo": (
                reverse("admin:comments_comment_undo", args=[decision.pk]) if decision else None
            ),
        }

    @staticmethod
    def conflict_json(conflict: DecisionConflict) -> dict:
        latest = conflict.latest
        return {
            "conflict": True,
            "status": conflict.status,
            "label": Comment.Status(conflict.status).label,
            "by": latest.moderator_name if latest else "",
            "at": date_format(timezone.localtime(latest.decided_at), "H:i") if latest else "",
            "reason": latest.reason if latest else "",
            "note": latest.note if latest else "",
        }

    @staticmethod
    def _comment(object_id) -> Comment:
        renderings = ("body_variants", "nickname_variants", "item_variants")
        return get_object_or_404(Comment.objects.defer(*renderings), pk=object_id)

    def decide_view(self, request, object_id):
        """POST ``decision`` (approve / reject / spam), ``seen`` (the status on the moderator's
        screen), for a rejection ``reason`` (a RejectionReason id) and ``note``."""
        if not self.can_moderate(request):
            return self._refuse(request, _("你没有审核评论的权限。"))
        comment = self._comment(object_id)
        status = DECISIONS.get(request.POST.get("decision", ""))
        if status is None:
            return self._error(request, _("请选择通过、拒绝或垃圾。"), anchor=comment.pk)
        reason = self._reason(request)
        if status == Comment.Status.REJECTED and reason is None:
            return self._error(request, _("请选择拒绝原因。"), anchor=comment.pk)
        seen = request.POST.get("seen")
        seen = seen if seen in Comment.Status.values else None
        note = request.POST.get("note", "").strip()
        try:
            decision = comment.decide(
                status, request.user, reason=reason.label if reason else "", note=note, seen=seen
            )
        except DecisionConflict as conflict:
            return self.conflict_response(request, comment, conflict, status, reason, note)
        intake.after_decisions()
        if self._wants_json(request):
            return _json(self.decision_json(decision, comment))
        if decision is not None:
            self.message_user(
                request,
                _("已将 %(who)s 的评论改为“%(status)s”。")
                % {
                    "who": comment.nickname or _("热心网友"),
                    "status": comment.get_status_display(),
                },
                messages.SUCCESS,
            )
        return self._back(request, request.POST.get("following") or None)

    def conflict_response(self, request, comment, conflict, status, reason, note):
        """Someone decided since the page was loaded: say who and what, and let them choose."""
        if self._wants_json(request):
            return _json(self.conflict_json(conflict), status=409)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("这条评论刚被别人处理过"),
            "comment": comment,
            "conflict": self.conflict_json(conflict),
            "wanted": {v: k for k, v in DECISIONS.items()}[status],
            "wanted_label": Comment.Status(status).label,
            "reason": reason,
            "note": note,
            "next": request.POST.get("next", ""),
            "following": request.POST.get("following", ""),
        }
        return TemplateResponse(
            request, "admin/comments/comment/conflict.html", context, status=409
        )

    def undo_view(self, request, decision_id):
        if not self.can_moderate(request):
            return self._refuse(request, _("你没有审核评论的权限。"))
        decision = get_object_or_404(Decision.objects.select_related("comment"), pk=decision_id)
        comment = decision.comment
        try:
            undo = decision.undo(by=request.user)
        except CannotUndo as refusal:
            return self._error(request, str(refusal), status=409, anchor=comment.pk)
        except DecisionConflict as conflict:
            if self._wants_json(request):
                return _json(self.conflict_json(conflict), status=409)
            return self._error(request, _("这条评论此后又被处理过，不能撤销。"), 409, comment.pk)
        comment.refresh_from_db(fields=["status"])
        if self._wants_json(request):
            return _json(self.decision_json(undo, comment))
        self.message_user(
            request,
            _("已撤销，评论回到“%(status)s”。") % {"status": comment.get_status_display()},
            messages.SUCCESS,
        )
        return self._back(request, comment.pk)

    def block_view(self, request, object_id):
        """GET: the choices; POST ``kind`` (key / address) and ``days`` (1, 7, 30 or empty:
        until lifted)."""
        if not self.can_moderate(request):
            return self._refuse(request, _("你没有审核评论的权限。"))
        comment = self._comment(object_id)
        value = {Block.Kind.KEY: comment.commenter_key, Block.Kind.ADDRESS: comment.address_block}
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("屏蔽评论者"),
                "comment": comment,
                "choices": [(kind, label, value[kind]) for kind, label in Block.Kind.choices],
                "next": request.GET.get("next", ""),
            }
            return TemplateResponse(request, "admin/comments/comment/block.html", context)
        kind = request.POST.get("kind")
        if kind not in value or not value[kind] or request.POST.get("days", "") not in BLOCK_DAYS:
            message = _("无法屏蔽：这条评论没有记录评论者或地址。")
            return self._error(request, message, anchor=comment.pk)
        days = BLOCK_DAYS[request.POST.get("days", "")]
        block = Block.objects.create(
            kind=kind,
            value=value[kind],
            until=timezone.now() + timezone.timedelta(days=days) if days else None,
            note=request.POST.get("note", "").strip()[:200],
            created_by=request.user,
        )
        message = _("已屏蔽%(kind)s %(value)s，此后的留言直接标为垃圾。") % {
            "kind": block.get_kind_display(),
            "value": block.value,
        }
        if self._wants_json(request):
            return _json({"block": block.pk, "message": message})
        self.message_user(request, message, messages.SUCCESS)
        return self._back(request, comment.pk)

    def _community_done(self, request, comment, decision, message):
        if self._wants_json(request):
            return _json(
                {
                    "id": comment.pk,
                    "featured": comment.featured,
                    "open_reports": comment.open_reports,
                    "decision": decision.pk if decision else None,
                    "message": message,
                }
            )
        self.message_user(request, message, messages.SUCCESS)
        return self._back(request, comment.pk)

    def feature_view(self, request, object_id):
        """POST ``on`` (1: 设为精选, 0: 取消精选)."""
        if not self.can_moderate(request):
            return self._refuse(request, _("你没有审核评论的权限。"))
        comment = self._comment(object_id)
        on = request.POST.get("on", "1")
        if on not in ("0", "1"):
            return self._error(request, _("请选择设为精选或取消精选。"), anchor=comment.pk)
        try:
            decision = comment.feature(request.user, on=on == "1")
        except Refused as refusal:
            return self._error(request, str(refusal), status=409, anchor=comment.pk)
        message = _("已设为精选。") if comment.featured else _("已取消精选。")
        return self._community_done(request, comment, decision, message)

    def dismiss_reports_view(self, request, object_id):
        """驳回举报: keep the approved comment and clear its open reports."""
        if not self.can_moderate(request):
            return self._refuse(request, _("你没有审核评论的权限。"))
        comment = self._comment(object_id)
        try:
            decision = comment.dismiss_reports(request.user)
        except Refused as refusal:
            return self._error(request, str(refusal), status=409, anchor=comment.pk)
        message = _("已驳回举报，评论保留。") if decision else _("这条评论没有待处理的举报。")
        return self._community_done(request, comment, decision, message)

    def script_view(self, request):
        """POST ``variant``: the script this moderator reads comments in (and the admin in)."""
        variant = request.POST.get("variant")
        if variant not in CODES:
            return self._error(request, _("没有这种字体。"))
        desk.choose_variant(request, variant)
        return self._back(request)
