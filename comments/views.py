import logging

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article
from articles.views import ArticleDetailView
from portal.origin import site_origin

from . import commenter, guards, intake, receipts, spool
from .desk import desk_url
from .forms import CommentForm
from .models import HEAVY_ARTICLE_FIELDS

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
    return render(request, "comments/csrf_failure.html", status=403)
