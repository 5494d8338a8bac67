from django import template
from django.core.paginator import Paginator
from django.utils import translation
from django.utils.functional import cached_property

from ..forms import CommentForm
from ..models import Comment
from ..session import take_pending

register = template.Library()
COMMENTS_PER_PAGE = 50


class CountedPaginator(Paginator):
    """The article already knows its visible-comment count; don't ask the database again."""

    def __init__(self, *args, known_count, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = known_count

    @cached_property
    def count(self):
        return self._known_count


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, article):
    """The article page's comment list, the author's own pending comments, and the form."""
    request = context["request"]
    approved = Comment.objects.filter(article=article).listed_html(translation.get_language())
    paginator = CountedPaginator(approved, COMMENTS_PER_PAGE, known_count=article.comment_count)
    page = paginator.get_page(request.GET.get("cpage"))
    is_open = article.comments_open() and article.is_visible
    form = getattr(request, "comment_form", None) if is_open else None
    if is_open and form is None:
        form = CommentForm(article=article)
    return {
        "request": request,
        "article": article,
        "page": page,
        "comments": page.object_list,
        "own_pending": take_pending(request, article.pk),
        "form": form,
        "is_open": is_open,
        "messages": context.get("messages"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def moderation_queue_summary(context):
    """Pending count and oldest age for the admin index; nothing for non-moderators."""
    if not context["request"].user.has_perm("comments.moderate_comment"):
        return None
    from ..admin import queue_summary

    return queue_summary()
