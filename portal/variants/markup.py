"""Script conversion of HTML: the text between tags is converted, the tags never are.

Each tag (with its attributes and URLs) is cut out and replaced by a placeholder of Private Use
Area characters before conversion, as ``convert.render`` does for glossary terms, so the whole
text still converts in one OpenCC call (phrases, the glossary and ``-{…}-`` markup work across
inline tags such as ``<strong>``) and the tags come back byte for byte. The HTML given must be
well-formed and double-quoted, as the sanitiser (``nh3``) serialises it.
"""

import re

from .convert import EMPTY_GLOSSARY, Glossary, render

# A tag: '<', then anything but '>' outside double-quoted attribute values, then '>'.
TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')
_OPEN, _CLOSE, _DIGIT0 = "\ue002", "\ue003", 0xE200  # outside convert.py's reserved range
_PLACEHOLDER = re.compile(f"{_OPEN}([{chr(_DIGIT0)}-{chr(_DIGIT0 + 255)}]+){_CLOSE}")
_RESERVED = re.compile(f"[{_OPEN}{_CLOSE}{chr(_DIGIT0)}-{chr(_DIGIT0 + 255)}]")


def _placeholder(index: int) -> str:
    digits = []
    while True:
        index, digit = divmod(index, 256)
        digits.append(chr(_DIGIT0 + digit))
        if not index:
            break
    return _OPEN + "".join(reversed(digits)) + _CLOSE


def _index(digits: str) -> int:
    value = 0
    for ch in digits:
        value = value * 256 + ord(ch) - _DIGIT0
    return value


def render_html(
    html: str, source: str = "zh-hans", glossary: Glossary = EMPTY_GLOSSARY
) -> dict[str, str]:
    """``html`` in every variant: text nodes converted, tags and attributes as they were."""
    tags: list[str] = []

    def cut(match):
        tags.append(match.group(0))
        return _placeholder(len(tags) - 1)

    masked = TAG.sub(cut, _RESERVED.sub("", html))
    return {
        variant: _PLACEHOLDER.sub(lambda m: tags[_index(m.group(1))], text)
        for variant, text in render(masked, source, glossary).items()
    }
