"""A listed comment's own HTML, rendered once per variant: at posting, and again at approval
(which knows its 楼层). Formatting fifty comments' times, default nicknames and bodies on every
request was most of an article page's rendering cost; the list now joins stored fragments.

A fragment is what never changes once the comment is approved: its floor, nickname, whom it
answers, time and text. What does change — its 顶 count, the 精选 mark, its replies — is put
around it by the section's template. Pure functions of the stored fields, so migrations can use
them too.
"""

from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

META = (
    '<p class="comment-meta">{}<span class="nickname">{}</span>{} '
    '<time datetime="{}">{}</time></p><div class="comment-body">{}</div>'
)


def item_html(
    nickname: str,
    body_html: str,
    created_at,
    variant: str,
    *,
    floor: int | None = None,
    answers: str | None = None,
) -> str:
    """``body_html`` is already escaped (line breaks as <br>). ``answers`` is the nickname of
    the comment a reply answers ("" for an anonymous one; None: not a reply to a reply)."""
    with translation.override(variant):
        name = nickname or gettext("热心网友")
        floor_html = (
            format_html('<span class="floor">{}</span> ', gettext("%(n)s楼") % {"n": floor})
            if floor
            else ""
        )
        answers_html = (
            format_html(
                ' <span class="answers">{} @{}</span>',
                gettext("回复"),
                answers or gettext("热心网友"),
            )
            if answers is not None
            else ""
        )
    local = timezone.localtime(created_at)
    return format_html(
        META,
        floor_html,
        name,
        answers_html,
        local.isoformat(),
        local.strftime("%Y-%m-%d %H:%M"),
        mark_safe(body_html),
    )


def items_html(
    nickname_variants: dict,
    body_variants: dict,
    created_at,
    *,
    floor: int | None = None,
    answers_variants: dict | None = None,
) -> dict:
    return {
        variant: item_html(
            nickname_variants.get(variant, ""),
            body,
            created_at,
            variant,
            floor=floor,
            answers=None if answers_variants is None else answers_variants.get(variant, ""),
        )
        for variant, body in body_variants.items()
    }
