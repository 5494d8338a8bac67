"""The comment section of an article page: 热门评论, the visible comments with their replies (one
level), and the form (the author's own comments come from 我的留言, fetched by the page:
comments/receipts.py). Templates call it as ``{{ comment_section(article) }}`` (a context
processor).

The page is shared by every reader and cached, so nothing in it is per reader: 顶 counts are as
of its rendering (static/js/comment-actions.js updates the one a reader changes), and 回复 and
举报 without JavaScript are links to pages of the reader's own (comments/views.py)."""

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from markupsafe import Markup

from portal.pagecache import is_shared

from . import guards, intake
from .forms import CommentForm
from .likes import unfolded
from .models import REPLY_ORDER, Comment, ListedComments, item_rows

COMMENTS_PER_PAGE = 50
REPLIES_PER_PAGE = 50  # on a comment's 回复 page


class ItemRenderer:
    """Each listed comment's stored fragment wrapped in its ``<li>`` with what changes after
    approval — its 顶 count (folded plus counted, as of this rendering), the 精选 mark — and
    its actions. Plain string joins, labels and URLs worked out once per page: a page may list
    fifty comments with ten replies each."""

    def __init__(self, counts: dict, csrf: str):
        self.counts = counts
        like, reply, report = (reverse(f"comments:{name}", args=[0]) for name in NAMES)
        self.like_url, self.reply_url, self.report_url = (
            url.replace("/0/", "/%d/") for url in (like, reply, report)
        )
        # A shared page has no token to give: an empty field in each of 550 forms was 36 KB of
        # a busy thread's page (the script sends the token it fetches; without JavaScript the
        # refused 顶 asks to confirm with a token of the reader's own).
        self.csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
            if csrf
            else ""
        )
        self.labels = {
            "like": escape(gettext("顶")),
            "reply": escape(gettext("回复")),
            "report": escape(gettext("举报")),
            "featured": escape(gettext("精选")),
            "all_replies": escape(gettext("查看全部 %(n)s 条回复")),
        }

    def item(self, row: dict, *, anchor: str = "c", replies: bool = True) -> str:
        pk, labels = row["pk"], self.labels
        likes = row["like_count"] + self.counts.get(pk, 0)
        featured = row["featured"]
        kind = "comment featured" if featured else "comment"
        parts = [
            f'<li class="{kind}" id="{anchor}{pk}" data-id="{pk}">',
            f'<span class="mark-featured">{labels["featured"]}</span>' if featured else "",
            row["html"] or "",
            '<div class="comment-actions">',
            f'<form class="like" method="post" action="{self.like_url % pk}">{self.csrf}'
            f'<button type="submit">{labels["like"]} <span class="likes">{likes}</span>'
            "</button></form>",
            f'<a class="reply" href="{self.reply_url % pk}">{labels["reply"]}</a>',
            f'<a class="report" href="{self.report_url % pk}" rel="nofollow">'
            f"{labels['report']}</a>",
            "</div>",
        ]
        if replies and row.get("replies"):
            parts.append('<ul class="replies">')
            parts += [self.item(reply, replies=False) for reply in row["replies"]]
            parts.append("</ul>")
            if row.get("reply_count", 0) > len(row["replies"]):  # the rest: on its 回复 page
                label = labels["all_replies"] % {"n": row["reply_count"]}
                parts.append(f'<a class="more-replies" href="{self.reply_url % pk}">{label}</a>')
        parts.append("</li>")
        return "".join(parts)


NAMES = ("like", "reply", "report")


def all_ids(rows) -> list[int]:
    ids = []
    for row in rows:
        ids.append(row["pk"])
        ids += [reply["pk"] for reply in row.get("replies", ())]
    return ids


def section_context(request, article) -> dict:
    listed = ListedComments(
        article.pk, translation.get_language(), count=article.top_level_comment_count
    )
    paginator = Paginator(listed, COMMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("cpage"))
    # 热门评论 head the first page only.
    hot = listed.hot(settings.COMMENT_HOT_MIN_LIKES) if page.number == 1 else []
    is_open, pause = intake.taking_comments(article)
    form = getattr(request, "comment_form", None) if is_open else None
    if is_open and form is None:
        form = CommentForm(article=article)
    # A page everyone shares carries no per-reader tokens: the form fetches them
    # (static/js/comment-form.js). A page made for this reader alone carries them.
    tokens = {"csrf": "", "token": ""}
    if is_open and (form.is_bound or not is_shared(request)):
        tokens = {"csrf": get_token(request), "token": guards.make_token(article.pk)}
    counts = unfolded(all_ids(page.object_list) + [row["pk"] for row in hot])
    items = ItemRenderer(counts, tokens["csrf"])
    return {
        "request": request,
        "article": article,
        "page": page,
        # Each comment's fragment was rendered when it was approved (comments/rendering.py).
        "comments_html": Markup("".join(items.item(row) for row in page.object_list)),
        "hot_html": Markup("".join(items.item(row, anchor="hot-c", replies=False) for row in hot)),
        "form": form,
        "replying_to": replying_to(form),
        "tokens": tokens,
        "is_open": is_open,
        "paused_notice": intake.notice(pause) if pause else "",
        "messages": get_messages(request),
    }


def replies_context(request, comment, csrf: str) -> dict:
    """All the visible replies of a top-level comment, oldest first, a page (``?page=``) at a
    time: its 回复 page, where the article page lists the first ``REPLIES_LISTED``."""
    replies = Comment.objects.visible().filter(parent_id=comment.pk).order_by(*REPLY_ORDER)
    page = Paginator(replies, REPLIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = item_rows(page.object_list, translation.get_language())
    items = ItemRenderer(unfolded([row["pk"] for row in rows]), csrf)
    html = "".join(items.item(row, replies=False) for row in rows)
    return {"page_obj": page, "replies_html": Markup(html)}


def replying_to(form) -> str:
    """Whom a form sent back with errors answers ("回复 @…"), if anyone."""
    answered = (getattr(form, "cleaned_data", None) or {}).get("parent") if form else None
    if answered is None:
        return ""
    return answered.nickname_variants.get(translation.get_language()) or gettext("热心网友")


def comment_section(request):
    """Context processor: ``comment_section(article)`` renders the section for this request."""

    def render(article) -> Markup:
        template = get_template("comments/section.html", using="jinja2")
        return Markup(template.render(section_context(request, article)))

    return {"comment_section": render}
