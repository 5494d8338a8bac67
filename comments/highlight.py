"""Marking, in a comment's text, what made it suspected: the banned words and the links.

The guards match banned words on a squeezed form of the text (comments/guards.py ``squeeze``:
NFKC, Simplified, lower case, letters and digits only), so 加 微 信 and 加微信 both match 加微信.
To mark the match in the text as written, the squeezed form is built here together with where
each of its characters came from, and a match is marked from its first source character to its
last — spaces and symbols the writer put between them included.
"""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.variants.convert import to_simplified

from .guards import LINK, squeeze

WORD_REASON = "屏蔽词："
LINK_REASON = "链接过多"


def _normalised(text: str) -> tuple[str, list[int]]:
    """NFKC text, and for each of its characters the index of the one it came from."""
    chars, origins = [], []
    for index, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch):
            chars.append(out)
            origins.append(index)
    return "".join(chars), origins


def _squeezed(text: str) -> tuple[str, list[int]]:
    """``squeeze(text)`` with the source index of every character."""
    normal, origins = _normalised(text)  # invisible characters are dropped below (not L/N)
    simplified = to_simplified(normal)
    if len(simplified) != len(normal):  # a phrase changed length: fold character by character
        simplified = "".join(to_simplified(ch)[:1] or ch for ch in normal)
    chars, kept = [], []
    for ch, origin in zip(simplified.lower(), origins, strict=False):
        if unicodedata.category(ch)[0] in "LN":
            chars.append(ch)
            kept.append(origin)
    return "".join(chars), kept


def word_spans(text: str, words) -> list[tuple[int, int]]:
    squeezed, origins = _squeezed(text)
    spans = []
    for word in words:
        target = squeeze(word)
        if not target:
            continue
        start = squeezed.find(target)
        while start != -1:
            end = start + len(target) - 1
            spans.append((origins[start], origins[end] + 1))
            start = squeezed.find(target, start + 1)
    return spans


def link_spans(text: str) -> list[tuple[int, int]]:
    normal, origins = _normalised(text)
    return [(origins[m.start()], origins[m.end() - 1] + 1) for m in LINK.finditer(normal)]


def _merged(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, reasons: list[str]) -> SafeString:
    """The text as HTML, line breaks kept, with ``<mark>`` on what the ``reasons`` name."""
    words = [r[len(WORD_REASON) :] for r in reasons if r.startswith(WORD_REASON)]
    spans = word_spans(text, words) if words else []
    if any(r.startswith(LINK_REASON) for r in reasons):
        spans += link_spans(text)
    pieces, at = [], 0
    for start, end in _merged(spans):
        pieces.append(escape(text[at:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    pieces.append(escape(text[at:]))
    return mark_safe("".join(pieces).replace("\n", "<br>"))
