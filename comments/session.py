"""The author's own pending comments, remembered in their session and shown to them once."""

from django.conf import settings

SESSION_KEY = "pending_comments"


def remember_pending(request, comment) -> None:
    if comment.is_visible:
        return
    pending = request.session.get(SESSION_KEY, [])
    if comment.pk not in pending:
        request.session[SESSION_KEY] = [*pending, comment.pk][-20:]


def take_pending(request, article_id):
    """The reader's pending comments on this article, forgotten once shown (no session: none)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return []
    ids = request.session.get(SESSION_KEY)
    if not ids:
        return []
    from .models import Comment

    mine = list(
        Comment.objects.pending()
        .filter(pk__in=ids, article_id=article_id)
        .select_related("reply_to")
    )
    shown = {c.pk for c in mine}
    request.session[SESSION_KEY] = [pk for pk in ids if pk not in shown]
    return mine
