"""The comment section of an article page: approved comments and the form (the author's own
comments come from 我的留言, fetched by the page: comments/receipts.py). Templates call it as
``{{ comment_section(article) }}`` (a context processor)."""

from django.contrib.messages import get_messages
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.functional import cached_property
from markupsafe import Markup

from portal.pagecache import is_shared

from . import guards, intake
from .forms import CommentForm
from .models import ListedComments

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
    # A page everyone shares carries no per-reader tokens: the form fetches them
    # (static/js/comment-form.js). A page made for this reader alone carries them.
    tokens = {"csrf": "", "token": ""}
    if is_open and (form.is_bound or not is_shared(request)):
        tokens = {"csrf": get_token(request), "token": guards.make_token(article.pk)}
    return {
        "request": request,
        "article": article,
        "page": page,
        # Each comment's item was rendered when it was approved (comments/rendering.py).
        "comments_html": Markup("".join(page.object_list)),
        "form": form,
        "tokens": tokens,
        "is_open": is_open,
        "paused_notice": intake.notice(pause) if pause else "",
        "messages": get_messages(request),
    }


def comment_section(request):
    """Context processor: ``comment_section(article)`` renders the section for this request."""

    def render(article) -> Markup:
        template = get_template("comments/section.html", using="jinja2")
        return Markup(template.render(section_context(request, article)))

    return {"comment_section": render}
