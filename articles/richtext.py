"""The article body's formatting: what an editor may use, and the server's allow-list for it.

A body is either plain text (articles written before the rich-text editor: blank lines separate
paragraphs) or HTML from the editor. HTML is sanitised with nh3 (the Rust ``ammonia``
sanitiser, which parses like a browser, so nested and malformed tricks are resolved before the
allow-list applies) every time an article is saved, whatever saved it; readers only ever get
renderings of the sanitised HTML.
"""

import html
import re
from functools import cache

import nh3
from django.conf import settings
from django.utils.html import escape

# What a news story needs: paragraphs and line breaks, 小标题 (h2/h3), bold, links, block quotes,
# lists, and photos with captions. No classes, styles, ids or event attributes: nothing else.
TAGS = {"p", "br", "h2", "h3", "strong", "a", "blockquote", "ul", "ol", "li"}
PHOTO_TAGS = {"figure", "figcaption", "img"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}}
URL_SCHEMES = {"http", "https", "mailto"}

# The rich-text editor's configuration (django-prose-editor), matching the allow-list above.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Figure": True,
    "Caption": True,
    "Image": True,
}


def photo_url_prefix() -> str:
    """Where an image in a body may come from: the site's own photos, nowhere else."""
    return f"{settings.MEDIA_URL}photos/"


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src" and not value.startswith(photo_url_prefix()):
        return None  # a photo from elsewhere: the CSP would block it anyway
    return value


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=TAGS | PHOTO_TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel="noopener",
        strip_comments=True,
    )


EMPTY = re.compile(r"^(?:\s|<p>(?:\s|<br>)*</p>)*$")


def sanitize(body_html: str) -> str:
    """The allow-listed form of ``body_html`` (an editor's empty document becomes "")."""
    cleaned = _cleaner().clean(body_html).strip()
    return "" if EMPTY.match(cleaned) else cleaned


def is_html(body: str) -> bool:
    """Whether a stored body came from the rich-text editor (plain text never starts with <)."""
    return body.lstrip().startswith("<")


def paragraphs_html(text: str) -> str:
    """Plain text → escaped ``<p>``s: blank lines separate paragraphs, single breaks stay."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + escape(block).replace("\n", "<br>") + "</p>" for block in blocks if block
    )


def editor_html(body: str) -> str:
    """What the editor is given to edit: HTML as stored, plain text as its paragraphs."""
    return body if is_html(body) else paragraphs_html(body)


def plain_text(body_html: str) -> str:
    """The text of a body's HTML, one line per block: for search, diffs and summaries."""
    return html.unescape(re.sub(r"<[^>]+>", "\n", body_html)).strip()
