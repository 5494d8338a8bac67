import logging
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from markupsafe import Markup

from articles.models import Article
from articles.views import ArticleDetailView
from portal.origin import site_origin

from . import commenter, guards, intake, receipts, section, spool
from .desk import desk_url
from .forms import CommentForm
from .models import HEAVY_ARTICLE_FIELDS, Comment, Like, Report, TooManyLikes

log = logging.getLogger(__name__)


@require_POST
def post_comment(request, pk):
    """Validate, store as pending, redirect back (Post/Redirect/Get).

    Every POST counts toward the client's limit before anything else is done for it. While the
    database is down, a valid comment is spooled (comments/spool.py) and stored once it is back.
    """
    address = guards.client_address(request)
    if guards.over_post_limit(address):
        return rate_limited(request, pk)
    try:
        return store_comment(request, pk, address)
    except DatabaseError:
        return spool_comment(request, pk, address)


def store_comment(request, pk, address):
    article = get_object_or_404(Article.objects.published().defer(*HEAVY_ARTICLE_FIELDS), pk=pk)
    if not article.comments_open():
        return render(request, "comments/closed.html", {"article": article}, status=403)
    pause = intake.pause_for(article)
    if pause is not None:  # a page rendered before the pause: the reader keeps their text
        notice, body = intake.notice(pause), request.POST.get("body", "")
        context = {"article": article, "notice": notice, "body": body}
        return render(request, "comments/paused.html", context, status=403)
    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        return article_page_with_errors(request, article, form)
    comment = form.already_stored()
    if comment is None:
        if guards.over_comment_limit(address):
            return rate_limited(request, pk)
        comment, created = form.save(request, address)
        if comment is None:  # the same text, stored a moment ago from another form
            return article_page_with_errors(request, article, form)
        if created and comment.status == comment.Status.PENDING:  # not a blocked commenter's
            origin = site_origin(request)
            transaction.on_commit(lambda: notify_moderators(comment, origin))
    messages.success(request, _("留言已提交，审核通过后才会公开显示。"))
    response = redirect(article.get_absolute_url() + "#comments")
    # The author follows the comment in 我的留言 (comments/receipts.py) on every later visit.
    commenter.remember(request, response)
    receipts.remember(response)
    return response


def spool_comment(request, pk, address):
    """The database is down: keep a valid comment in the spool and say it was received (no
    session, no messages: both live in the database); give an invalid one back with its text."""
    form = CommentForm(request.POST, article=Article(pk=pk), offline=True)
    if not form.is_valid():
        context = {"article_id": pk, "form": form}
        return render(request, "comments/unavailable.html", context, status=503)
    spool.add(
        article_id=pk,
        nickname=form.cleaned_data["nickname"],
        body=form.cleaned_data["body"],
        token=form.cleaned_data["token"],
        address=address,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        commenter_key=commenter.commenter_key(request),
    )
    response = render(request, "comments/spooled.html", {"article_id": pk}, status=202)
    commenter.remember(request, response)
    receipts.remember(response)
    return response


def rate_limited(request, pk):
    return render(request, "comments/rate_limited.html", {"article_id": pk}, status=429)


@require_safe
def form_tokens(request, pk):
    """The per-reader tokens a comment form on a shared (cached) page lacks: the CSRF token
    (setting its cookie) and the signed form token. Fetched by comment-form.js."""
    article = get_object_or_404(Article.objects.published().only("pk"), pk=pk)
    response = JsonResponse({"csrf": get_token(request), "token": guards.make_token(article.pk)})
    add_never_cache_headers(response)
    return response


# --- 回复, 顶, 举报 --------------------------------------------------------------------------

NOT_VISIBLE = gettext_lazy("这条评论不存在或尚未公开。")
NOT_VISIBLE_TO_ANSWER = gettext_lazy("您回复的评论不存在或尚未公开。")
TOO_OFTEN = gettext_lazy("操作太频繁，请稍后再试。")
BAD_REASON = gettext_lazy("请选择举报原因：广告、辱骂、违法违规或其他。")


def wants_json(request) -> bool:
    """comment-actions.js asks for JSON; a form without JavaScript gets pages and redirects."""
    return "application/json" in request.headers.get("Accept", "")


def reaction_refused(request, status: int, message, comment=None):
    """A 顶 or 举报 (or a 回复 page) that could not be done: why, as JSON or as a page."""
    if wants_json(request):
        response = JsonResponse({"error": str(message)}, status=status)
    else:
        context = {"message": message, "article_id": comment.article_id if comment else None}
        response = render(request, "comments/refused.html", context, status=status)
    add_never_cache_headers(response)
    return response


def back_to(request, comment, message, data: dict):
    """The answer to a done 顶 or 举报: JSON for the script, else back to the comment with a
    message (whose cookie makes the reader's next page their own, showing the new count)."""
    if wants_json(request):
        response = JsonResponse({**data, "message": str(message)})
    else:
        messages.success(request, message)
        response = redirect(back_url(request, comment))
    commenter.remember(request, response)
    add_never_cache_headers(response)
    return response


def back_url(request, comment) -> str:
    """The comment on the page the reader acted from, read from the same-origin Referer: the
    page of the article's list (its ``cpage``) or of its comment's 回复 page (its ``page``);
    else the comment on the article's first page."""
    url = reverse("articles:detail", kwargs={"pk": comment.article_id})
    pages = {url: "cpage"}
    if comment.parent_id:
        pages[reverse("comments:reply", kwargs={"pk": comment.parent_id})] = "page"
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and referer.path in pages:
        url, name = referer.path, pages[referer.path]
        number = parse_qs(referer.query).get(name, [""])[0]
        if number.isdigit() and len(number) < 7:
            url += f"?{name}={number}"
    return f"{url}#c{comment.pk}"


def shown_comments():
    """The comments a reader may act on: visible, on an article readers may see (unpublished
    or scheduled again since, its comments are gone with it)."""
    return Comment.objects.visible().filter(article__in=Article.objects.published())


def visible_comment(pk):
    return shown_comments().only("pk", "article_id", "parent_id").filter(pk=pk).first()


@require_POST
def like_comment(request, pk):
    """顶: one per reader per comment, counted without writing the comment's or the article's
    row (comments/likes.py), so the shared article page stays as it is."""
    address = guards.client_address(request)
    if guards.over_like_limit(address):
        return reaction_refused(request, 429, TOO_OFTEN)
    comment = visible_comment(pk)
    if comment is None:
        return reaction_refused(request, 404, NOT_VISIBLE)
    reader, block = commenter.commenter_key(request), commenter.address_block(address)
    try:
        likes, counted = Like.give(comment, reader=reader, block=block)
    except TooManyLikes:
        return reaction_refused(request, 429, TOO_OFTEN, comment)
    message = _("已顶。") if counted else _("您已经顶过这条评论了。")
    return back_to(request, comment, message, {"likes": likes, "counted": counted})


@require_http_methods(["GET", "HEAD", "POST"])
def report_comment(request, pk):
    """举报 with a reason; one per reader per comment (comments/models/community.py
    ``Report.file``). GET is the 举报 link without JavaScript: the reasons, on a page of the
    reader's own."""
    if request.method != "POST":
        return report_form(request, pk)
    address = guards.client_address(request)
    if guards.over_report_limit(address):
        return reaction_refused(request, 429, TOO_OFTEN)
    reason = request.POST.get("reason", "")
    if reason not in Report.Reason.values:
        return reaction_refused(request, 400, BAD_REASON)
    comment = visible_comment(pk)
    if comment is None:
        return reaction_refused(request, 404, NOT_VISIBLE)
    reader, block = commenter.commenter_key(request), commenter.address_block(address)
    filed = Report.file(comment, reason=reason, reader=reader, block=block)
    if filed:
        message = _("举报已收到，谢谢。管理员会尽快处理。")
    else:
        message = _("您已经举报过这条评论，谢谢。")
    return back_to(request, comment, message, {"reported": True, "counted": filed})


def report_form(request, pk):
    comment = shown_comments().filter(pk=pk).first()
    if comment is None:
        return reaction_refused(request, 404, NOT_VISIBLE)
    variant = translation.get_language()
    context = {
        "comment": comment,
        "answered_html": Markup(comment.item_variants.get(variant, "")),
        "reasons": Report.Reason.choices,
        "csrf": get_token(request),
    }
    response = render(request, "comments/report.html", context)
    add_never_cache_headers(response)
    return response


@require_safe
def reply_form(request, pk):
    """The 回复 link without JavaScript: the comment answered, all its replies (the article
    page lists the first few: ``REPLIES_LISTED``) and the form answering it, on a page of this
    reader's own (with their tokens, never cached). A page of its own rather than ``?reply=``
    on the shared article page, whose caches (and the edge) ignore other parameters: one
    reader's 回复 must never become everyone's page. Closed for comments, it still lists them."""
    comment = Comment.objects.visible().filter(pk=pk).first()
    if comment is None:
        return reaction_refused(request, 404, NOT_VISIBLE_TO_ANSWER)
    variant = translation.get_language()
    article = Article.for_reader(comment.article_id, variant)
    if article is None:
        return reaction_refused(request, 404, NOT_VISIBLE_TO_ANSWER)
    is_open, pause = intake.taking_comments(article)
    csrf = get_token(request)
    context = {
        "article": article,
        "answered_html": Markup(comment.item_variants.get(variant, "")),
        "is_open": is_open,
        "paused_notice": intake.notice(pause) if pause else "",
        "form": CommentForm(article=article, initial={"parent": comment.pk}) if is_open else None,
        "replying_to": comment.nickname_variants.get(variant) or _("热心网友"),
        "tokens": {"csrf": csrf, "token": guards.make_token(article.pk) if is_open else ""},
    }
    if comment.parent_id is None:
        context.update(section.replies_context(request, comment, csrf))
    response = render(request, "comments/reply.html", context)
    add_never_cache_headers(response)
    return response


def article_page_with_errors(request, article, form, status=400):
    """The article page again, with the reader's input and what was wrong with it."""
    request.comment_form = form
    view = ArticleDetailView()
    view.setup(request, pk=article.pk)
    response = view.get(request, pk=article.pk).render()
    response.status_code = status
    return response


def notify_moderators(comment, origin: str):
    """E-mail the moderators, linking the comment on the desk (and its details page) on the
    site's origin."""
    if not settings.COMMENT_NOTIFY_EMAILS:
        return
    details = origin + reverse("admin:comments_comment_change", args=[comment.pk])
    try:
        send_mail(
            f"新评论待审核：{comment.article.title[:40]}",
            f"{comment.nickname or '热心网友'}：\n{comment.body}\n\n"
            f"审核：{desk_url(comment, origin)}\n详情：{details}",
            None,
            settings.COMMENT_NOTIFY_EMAILS,
        )
    except Exception:  # a mail outage must never lose or fail a reader's comment
        log.exception("could not notify moderators of comment %s", comment.pk)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the reader is told, in the site's own page, what to do next.

    A comment refused here is not lost: the article page comes back with the reader's text in
    the form and fresh tokens (and the CSRF cookie), so submitting again goes through. This is
    also the way in for a browser without JavaScript, whose shared page had no tokens.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match and match.view_name == "comments:post" and request.method == "POST":
        # A refused POST still counts toward the limit (floods without tokens included).
        if guards.over_post_limit(guards.client_address(request)):
            return rate_limited(request, match.kwargs["pk"])
        articles = Article.objects.published().defer(*HEAVY_ARTICLE_FIELDS)
        article = articles.filter(pk=match.kwargs["pk"]).first()
        if article is not None and article.comments_open():
            reason = _("为防止恶意提交，请再点一次“发表留言”。")
            form = CommentForm.to_submit_again(request.POST, article=article, reason=reason)
            return article_page_with_errors(request, article, form, status=403)
    if match and match.view_name in REACTIONS and request.method == "POST":
        return confirm_reaction(request, match)
    return render(request, "comments/csrf_failure.html", status=403)


REACTIONS = {"comments:like": gettext_lazy("顶"), "comments:report": gettext_lazy("举报")}


def confirm_reaction(request, match):
    """A 顶 or 举报 from a shared page without JavaScript has no CSRF token: ask the reader to
    confirm, on a page with a fresh one (and its cookie). Floods count as the action's own."""
    address = guards.client_address(request)
    if match.view_name == "comments:like":
        over = guards.over_like_limit(address)
    else:
        over = guards.over_report_limit(address)
    if over:
        return reaction_refused(request, 429, TOO_OFTEN)
    reason = request.POST.get("reason", "")
    context = {
        "action": request.path,
        "label": REACTIONS[match.view_name],
        "reason": reason if reason in Report.Reason.values else "",
        "reason_label": Report.Reason(reason).label if reason in Report.Reason.values else "",
        "csrf": get_token(request),
    }
    return render(request, "comments/confirm.html", context, status=403)
