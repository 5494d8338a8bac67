"""The moderators' desk (the comments changelist, see comments/admin.py): what a card shows
beyond the comment's own row, the script the moderator reads in, and the header's figures.

Everything here costs a constant number of queries per page, whatever the backlog: a card's
commenter history is one grouped query for the whole page, never one per card, and comments
are shown in the moderator's script from renderings stored when they were posted.
"""

import html
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.db.models import Count, F, Min, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from articles.models import GlossaryTerm
from portal.variants import CODES, DEFAULT_VARIANT, path_in_variant
from portal.variants.convert import detect_script

from .desk_community import Community
from .highlight import highlight
from .models import Block, Comment, Decision, DeskPreference, render_literally

SESSION_KEY = "desk_variant"
HISTORY_STATUSES = (Comment.Status.APPROVED, Comment.Status.REJECTED, Comment.Status.SPAM)


def desk_url(comment, origin: str = "") -> str:
    """The comment on the desk; absolute (for e-mail) on ``origin`` (portal/origin.py)."""
    query = urlencode({"id": comment.pk, "status": "all"})
    return f"{origin}{reverse('admin:comments_comment_changelist')}?{query}"


# --- the moderator's script ------------------------------------------------------------------


def desk_variant(request) -> str:
    """The script this moderator reads comments in: their saved choice, else the site's
    variant their browser asked for. Kept in the session so a page costs no query for it."""
    variant = request.session.get(SESSION_KEY)
    if variant not in CODES:
        saved = DeskPreference.objects.filter(user_id=request.user.pk)
        variant = saved.values_list("variant", flat=True).first()
        if variant is None:
            variant = getattr(request, "LANGUAGE_CODE", DEFAULT_VARIANT)
            variant = variant if variant in CODES else DEFAULT_VARIANT
        request.session[SESSION_KEY] = variant
    return variant


def choose_variant(request, variant: str) -> None:
    DeskPreference.objects.update_or_create(user_id=request.user.pk, defaults={"variant": variant})
    request.session[SESSION_KEY] = variant


def ui_language(variant: str) -> str:
    """Django ships the admin in zh-hans and zh-hant: Taiwan and Hong Kong read the latter."""
    return "zh-hans" if variant == "zh-hans" else "zh-hant"


def in_desk_language(view):
    """Run an admin view, and render its response, in the moderator's interface language."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(ui_language(desk_variant(request))):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            response.headers["Content-Language"] = translation.get_language()
        return response

    return wrapped


# --- cards -------------------------------------------------------------------------------------
# A page has fifty cards: what each shows is prepared here in Python, so the card template is a
# handful of lookups. Rendered with Django's template language, labels, URLs and forms written
# out in every card took most of the page's time (bench/desk.py).


@dataclass
class Card:
    comment: Comment
    nickname: str
    body_html: SafeString
    original_html: SafeString | None
    title: str
    heat: int
    article_url: str
    status_label: str
    when: str
    reasons_html: SafeString
    history_html: SafeString
    hidden: SafeString
    decide_url: str
    block_url: str
    change_url: str
    can_block: bool
    # The community (comments/desk_community.py): 楼层/顶/精选/被举报 badges, the comment a
    # reply answers, open reports by reason; 精选 and 驳回举报 where they apply.
    badges_html: SafeString
    parents_html: SafeString
    reports_html: SafeString
    feature_url: str
    dismiss_url: str
    can_feature: bool
    can_unfeature: bool
    can_dismiss: bool


def labels() -> dict:
    """The cards' fixed words, translated once per page."""
    return {
        "select": gettext("选择这条评论"),
        "heat": gettext("文章热度"),
        "original": gettext("原文"),
        "details": gettext("详情与审核记录"),
        "approve": gettext("通过"),
        "reject": gettext("拒绝"),
        "spam": gettext("垃圾"),
        "block": gettext("屏蔽此评论者或地址…"),
        "feature": gettext("设为精选"),
        "unfeature": gettext("取消精选"),
        "dismiss": gettext("驳回举报（保留评论）"),
    }


def reason_picker(reasons) -> SafeString:
    """The rejection form's fields, the same in every card (digits choose with desk.js);
    ``reasons`` are (id, label) pairs."""
    choices = format_html_join(
        "",
        '<label class="desk-reason"><input type="radio" name="reason" value="{}" required>'
        "<kbd>{}</kbd> {}</label>",
        ((pk, n, label) for n, (pk, label) in enumerate(reasons, 1)),
    )
    return format_html(
        '<fieldset><legend>{}</legend>{}</fieldset><label class="desk-note">{}'
        '<input type="text" name="note" maxlength="500"></label>'
        '<button type="submit" class="desk-button desk-reject-confirm">{}</button>',
        gettext("拒绝原因"),
        choices,
        gettext("备注（选填，作者看不到）"),
        gettext("确认拒绝"),
    )


class _LazyGlossary:
    """The glossary, fetched only if some comment on the page has no stored rendering."""

    value = None

    def get(self):
        if self.value is None:
            self.value = GlossaryTerm.objects.as_glossary()
        return self.value


def _stored_text(rendered_html: str) -> str:
    """A stored rendering (escaped, line breaks as <br>) back to text."""
    return html.unescape(rendered_html.replace("<br>", "\n"))


def _in_variant(comment, shown: dict, variant: str, glossary: _LazyGlossary) -> tuple[str, str]:
    """(nickname, body) in the moderator's script: stored at posting, else converted now
    (comments stored before renderings were made at posting)."""
    if shown.get("body_shown") is not None:
        return shown.get("nickname_shown") or "", _stored_text(shown["body_shown"])
    source = detect_script([comment.nickname, comment.body])
    return (
        render_literally(comment.nickname, source, glossary.get())[variant],
        render_literally(comment.body, source, glossary.get())[variant],
    )


MARKER = 2_147_483_647  # an id no comment has: reversed once per page, replaced per card


def _per_comment(name: str):
    """``pk -> url`` for an admin URL taking a comment id, reversed once for the page."""
    head, _marker, tail = reverse(name, args=[MARKER]).partition(str(MARKER))
    return lambda pk: f"{head}{pk}{tail}"


class _Page:
    """What the cards of one page share, prepared once: words, URLs, the forms' hidden fields."""

    def __init__(self, variant: str, here: str, csrf_token: str):
        self.variant, self.now = variant, timezone.now()
        self.waiting, self.site = gettext("已等待 %(time)s"), gettext("网站")
        self.anonymous, self.reasons = gettext("热心网友"), gettext("可疑原因")
        self.decide = _per_comment("admin:comments_comment_decide")
        self.block = _per_comment("admin:comments_comment_block")
        self.change = _per_comment("admin:comments_comment_change")
        self.feature = _per_comment("admin:comments_comment_feature")
        self.dismiss = _per_comment("admin:comments_comment_dismiss_reports")
        self.block_query = "?" + urlencode({"next": here})
        self.desk = reverse("admin:comments_comment_changelist")
        self.article_urls = {}
        self.hidden = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}">',
            csrf_token,
            here,
        )
        counts = " · ".join(f"{gettext(word)} {{}}" for word in ("通过", "拒绝", "垃圾"))
        self.history = {
            Block.Kind.KEY: (
                '<span class="desk-history-part">' + gettext("此评论者") + "{}：" + counts
            ),
            Block.Kind.ADDRESS: (
                '<span class="desk-history-part">' + gettext("此地址") + " <code>{}</code>{}："
            )
            + counts,
        }
        self.everything = ' <a href="{}?{}">' + gettext("全部留言") + "</a></span>"
        self.blocked = format_html(' <span class="desk-blocked">{}</span>', gettext("已屏蔽"))

    def article_url(self, article_id) -> str:
        if article_id not in self.article_urls:
            url = reverse("articles:detail", kwargs={"pk": article_id})
            self.article_urls[article_id] = path_in_variant(url, self.variant)
        return self.article_urls[article_id]

    def when(self, comment, moderator: str | None) -> str:
        if comment.status == Comment.Status.PENDING:
            return self.waiting % {"time": timesince(comment.created_at, self.now)}
        if comment.moderated_at is None:
            return ""
        moderated = date_format(timezone.localtime(comment.moderated_at), "m-d H:i")
        return f"{moderator or self.site} · {moderated}"

    def history_html(self, comment, history: dict, blocked: set) -> SafeString:
        parts = []
        for kind, value in (
            (Block.Kind.KEY, comment.commenter_key),
            (Block.Kind.ADDRESS, comment.address_block),
        ):
            if not value:
                continue
            counts = history.get((kind, value)) or {}
            numbers = [counts.get(status, 0) for status in HISTORY_STATUSES]
            badge = self.blocked if (kind, value) in blocked else ""
            shown = [badge] if kind == Block.Kind.KEY else [value, badge]
            link = urlencode({"status": "all", COLUMNS[kind]: value})
            parts.append(
                format_html(self.history[kind], *shown, *numbers)
                + format_html(self.everything, self.desk, link)
            )
        return mark_safe(" ".join(parts))

    def hidden_fields(self, comment, following) -> SafeString:
        """What each of the card's forms posts besides the decision (see admin.py)."""
        return self.hidden + format_html(
            '<input type="hidden" name="seen" value="{}">'
            '<input type="hidden" name="following" value="{}">',
            comment.status,
            following.pk if following else "",
        )


COLUMNS = {Block.Kind.KEY: "commenter_key", Block.Kind.ADDRESS: "address_block"}


def build_cards(comments, variant: str, *, here: str = "", csrf_token: str = "") -> list[Card]:
    comments = list(comments)
    page = _Page(variant, here, csrf_token)
    history = history_counts(comments)
    blocked = active_blocks(comments)
    shown = shown_in(variant, [comment.pk for comment in comments])
    glossary = _LazyGlossary()
    community = Community(comments, variant)
    cards = []
    for comment, following in zip(comments, [*comments[1:], None], strict=False):
        details = shown.get(comment.pk, {})
        nickname, body = _in_variant(comment, details, variant, glossary)
        reasons = comment.suspicion_reasons or []
        pk = comment.pk
        approved = comment.status == Comment.Status.APPROVED
        cards.append(
            Card(
                comment=comment,
                nickname=nickname or page.anonymous,
                body_html=highlight(body, reasons),
                original_html=highlight(comment.body, reasons) if body != comment.body else None,
                title=details.get("title_shown") or details.get("article__title", ""),
                heat=details.get("article__heat", 0),
                article_url=page.article_url(comment.article_id),
                status_label=comment.get_status_display(),
                when=page.when(comment, details.get("moderated_by__username")),
                reasons_html=format_html(
                    '<ul class="desk-reasons" aria-label="{}">{}</ul>',
                    page.reasons,
                    format_html_join("", "<li>{}</li>", ((r,) for r in reasons)),
                )
                if reasons
                else "",
                history_html=page.history_html(comment, history, blocked),
                hidden=page.hidden_fields(comment, following),
                decide_url=page.decide(pk),
                block_url=page.block(pk) + page.block_query,
                change_url=page.change(pk),
                can_block=bool(comment.commenter_key or comment.address_block),
                badges_html=community.badges(comment),
                parents_html=community.parents(comment),
                reports_html=community.reports_html(comment),
                feature_url=page.feature(pk),
                dismiss_url=page.dismiss(pk),
                can_feature=approved and comment.parent_id is None and not comment.featured,
                can_unfeature=comment.featured,
                can_dismiss=approved and comment.open_reports > 0,
            )
        )
    return cards


def shown_in(variant: str, ids) -> dict:
    """What the cards show besides the comment's own row, in the moderator's script, for the
    page's comments (one query): {id: {body_shown, nickname_shown, title_shown, article__title,
    article__heat, moderated_by__username}}.

    Kept out of the changelist's own query, which may sort 10,000 pending comments (热门优先,
    reason queues): there every selected expression was computed for every row before the sort,
    reading each row's renderings, while this reads fifty."""
    if not ids:
        return {}
    rows = Comment.objects.filter(pk__in=ids).values(
        "pk",
        "article__title",
        "article__heat",
        "moderated_by__username",
        body_shown=KeyTextTransform(variant, "body_variants"),
        nickname_shown=KeyTextTransform(variant, "nickname_variants"),
        title_shown=KeyTextTransform(variant, "article__title_variants"),
    )
    return {row["pk"]: row for row in rows}


def history_counts(comments) -> dict:
    """{("key" | "address", value): {status: count, ...}} for the commenters on a page: one
    grouped query (by key, and by address block, as one UNION)."""
    keys = {c.commenter_key for c in comments if c.commenter_key}
    blocks = {c.address_block for c in comments if c.address_block}
    parts = []
    columns = (("key", "commenter_key", keys), ("address", "address_block", blocks))
    for kind, column, values in columns:
        if values:
            parts.append(
                Comment.objects.filter(**{f"{column}__in": values})
                .order_by()
                .values("status", kind=Value(kind), value=F(column))
                .annotate(n=Count("id"))
            )
    if not parts:
        return {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    counts = {}
    for row in query:
        entry = counts.setdefault((row["kind"], row["value"]), dict.fromkeys(Comment.Status, 0))
        entry[row["status"]] = row["n"]
    for entry in counts.values():
        entry["decided"] = sum(entry[status] for status in HISTORY_STATUSES)
    return counts


def active_blocks(comments) -> set:
    """{(kind, value)} of the active blocks among the page's commenters (one query)."""
    match = Q(pk__in=[])
    keys = {c.commenter_key for c in comments if c.commenter_key}
    blocks = {c.address_block for c in comments if c.address_block}
    if keys:
        match |= Q(kind=Block.Kind.KEY, value__in=keys)
    if blocks:
        match |= Q(kind=Block.Kind.ADDRESS, value__in=blocks)
    if not keys and not blocks:
        return set()
    return set(Block.objects.active().filter(match).values_list("kind", "value"))


# --- the header ----------------------------------------------------------------------------


def backlog() -> dict:
    """How many comments wait and how long the oldest has waited (one query)."""
    found = Comment.objects.filter(status=Comment.Status.PENDING).aggregate(
        n=Count("id"), oldest=Min("created_at")
    )
    return {
        "pending_count": found["n"],
        "oldest_pending_age": timesince(found["oldest"]) if found["oldest"] else "",
    }


def decisions_today() -> list[dict]:
    """Today's decisions per moderator, most first (undos count as decisions too)."""
    rows = (
        Decision.objects.today()
        .filter(moderator__isnull=False)
        .values("moderator__username")
        .annotate(n=Count("id"))
        .order_by("-n", "moderator__username")
    )
    return [{"name": row["moderator__username"], "count": row["n"]} for row in rows]


def last_undoable(user) -> Decision | None:
    return Decision.objects.undoable_by(user).select_related("comment").first()
