"""The comment section of an article page: approved comments, the author's own pending ones,
and the form. Called from the article template as ``{{ comment_section(article) }}``."""

from django.contrib.messages import get_messages
from django.core.paginator import Paginator
from django.utils import translation
from django.utils.functional import cached_property
from jinja2 import pass_context
from markupsafe import Markup

from . import intake
from .forms import CommentForm
from .models import ListedComments
from .session import take_pending

COMMENTS_PER_PAGE = 50


class CountedPaginator(Paginator):
    """The article already knows its visible-comment count; don't ask the database again."""

    def __init__(self, *args, known_count, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = known_count

    @cached_property
    def count(self):
        return self._known_count


def section_context(request, article) -> dict:
    approved = ListedComments(article.pk, translation.get_language())
    paginator = CountedPaginator(approved, COMMENTS_PER_PAGE, known_count=article.comment_count)
    page = paginator.get_page(request.GET.get("cpage"))
    is_open = article.comments_open() and article.is_visible
    pause = intake.pause_for(article) if is_open else None
    is_open = is_open and pause is None
    form = getattr(request, "comment_form", None) if is_open else None
    if is_open and form is None:
        form = CommentForm(article=article)
    return {
        "request": request,
        "article": article,
        "page": page,
        # Each comment's item was rendered when it was approved (comments/rendering.py).
        "comments_html": Markup("".join(page.object_list)),
        "own_pending": take_pending(request, article.pk),
        "form": form,
        "is_open": is_open,
        "paused_notice": intake.notice(pause) if pause else "",
        "messages": get_messages(request),
    }


@pass_context
def comment_section(context, article) -> Markup:
    template = context.environment.get_template("comments/section.html")
    return Markup(template.render(section_context(context["request"], article)))
