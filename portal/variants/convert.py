"""Every OpenCC call in the project goes through this module, so the engine could be swapped.

OpenCC alone mistranslates some news text (s2twp: 优化→最佳化, 支持→支援, 赵岩→趙巖), and the
pure-Python OpenCC takes no user dictionary. So protected spans are cut out before conversion
and put back afterwards, the way Chinese Wikipedia's ``-{…}-`` works:

- glossary terms (editors' list): kept as written, or given an explicit text per variant;
- inline markup in the text itself: ``-{不转换}-`` or ``-{zh-hans:…;zh-hant:…;zh-tw:…;zh-hk:…}-``.

Placeholders are runs of Private Use Area characters, which OpenCC's dictionaries never touch.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import opencc

from . import CODES

# Which OpenCC configuration turns text written in one variant into another (None: as written).
# zh-hant is "Traditional characters as readers use them" (s2tw: 为/着/群众 → 為/著/群眾),
# not OpenCC's own standard (s2t prints 爲/着/羣衆).
CONFIGS = {
    "zh-hans": {"zh-hans": None, "zh-hant": "s2tw", "zh-tw": "s2twp", "zh-hk": "s2hk"},
    "zh-hant": {"zh-hans": "t2s", "zh-hant": None, "zh-tw": "t2tw", "zh-hk": "t2hk"},
    "zh-tw": {"zh-hans": "tw2sp", "zh-hant": None, "zh-tw": None, "zh-hk": "t2hk"},
    "zh-hk": {"zh-hans": "hk2s", "zh-hant": None, "zh-tw": "t2tw", "zh-hk": None},
}
# Where a per-variant markup leaves a variant out, the nearest given one stands in.
FALLBACKS = {
    "zh-hans": ("zh-hans", "zh-hant", "zh-tw", "zh-hk"),
    "zh-hant": ("zh-hant", "zh-tw", "zh-hk", "zh-hans"),
    "zh-tw": ("zh-tw", "zh-hant", "zh-hk", "zh-hans"),
    "zh-hk": ("zh-hk", "zh-hant", "zh-tw", "zh-hans"),
}

MARKUP = re.compile(r"-\{(.*?)\}-", re.DOTALL)
PER_VARIANT = re.compile(r"^\s*(zh-(?:hans|hant|tw|hk))\s*:(.*)$", re.DOTALL)
_OPEN, _CLOSE, _DIGIT0 = "\ue000", "\ue001", 0xE100  # placeholder: OPEN digits… CLOSE (base 256)


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def convert(text: str, config: str | None) -> str:
    """Run one OpenCC configuration over text (None leaves it as it is)."""
    return _converter(config).convert(text) if config and text else text


@dataclass(frozen=True)
class Term:
    """A glossary entry: ``renderings`` None means "as written in every variant"."""

    written: str
    renderings: Mapping[str, str] | None = None

    def text_for(self, variant: str) -> str:
        if not self.renderings:
            return self.written
        for code in FALLBACKS[variant]:
            if self.renderings.get(code):
                return self.renderings[code]
        return self.written


@dataclass
class Glossary:
    terms: tuple[Term, ...] = ()
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self._by_written = {t.written: t for t in self.terms if t.written}
        if self._by_written:
            alternatives = sorted(self._by_written, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, alternatives)))

    def terms_in(self, text: str) -> set[str]:
        return set(self._pattern.findall(text)) if self._pattern and text else set()

    def protect(self, text: str, spans: list[Term]) -> str:
        if not self._pattern:
            return text

        def cut(match):
            spans.append(self._by_written[match.group(0)])
            return _placeholder(len(spans) - 1)

        return self._pattern.sub(cut, text)


EMPTY_GLOSSARY = Glossary()


def _placeholder(index: int) -> str:
    digits = []
    while True:
        index, digit = divmod(index, 256)
        digits.append(chr(_DIGIT0 + digit))
        if not index:
            break
    return _OPEN + "".join(reversed(digits)) + _CLOSE


_PLACEHOLDER = re.compile(f"{_OPEN}([{chr(_DIGIT0)}-{chr(_DIGIT0 + 255)}]+){_CLOSE}")


def _index(digits: str) -> int:
    value = 0
    for ch in digits:
        value = value * 256 + ord(ch) - _DIGIT0
    return value


def _markup_term(content: str) -> Term:
    if PER_VARIANT.match(content):
        renderings = {}
        for part in content.split(";"):
            match = PER_VARIANT.match(part)
            if match:
                renderings[match.group(1)] = match.group(2).strip()
        return Term(written=next(iter(renderings.values()), ""), renderings=renderings)
    return Term(written=content)


def render(text: str, source: str = "zh-hans", glossary: Glossary = EMPTY_GLOSSARY) -> dict:
    """The text in every variant, with markup resolved and glossary terms applied."""
    if not text:
        return dict.fromkeys(CODES, "")
    # The PUA characters of our placeholders are never legitimate article text.
    text = _PLACEHOLDER.sub("", text).replace(_OPEN, "").replace(_CLOSE, "")
    spans: list[Term] = []

    def cut_markup(match):
        spans.append(_markup_term(match.group(1)))
        return _placeholder(len(spans) - 1)

    masked = glossary.protect(MARKUP.sub(cut_markup, text), spans)
    rendered = {}
    for variant in CODES:
        converted = convert(masked, CONFIGS[source][variant])
        rendered[variant] = _PLACEHOLDER.sub(
            lambda m, v=variant: spans[_index(m.group(1))].text_for(v), converted
        )
    return rendered


def render_fields(
    fields: Mapping[str, str], source: str = "zh-hans", glossary: Glossary = EMPTY_GLOSSARY
) -> dict:
    """Several texts at once: ``{"title": …}`` → ``{"title": {"zh-hans": …, …}, …}``."""
    return {name: render(value, source, glossary) for name, value in fields.items()}


def strip_markup(text: str) -> str:
    """The text as a Simplified reader would see it, without ``-{…}-`` markup."""
    return render(text)["zh-hans"] if "-{" in text else text


def detect_script(texts: Iterable[str]) -> str:
    """Guess whether an author wrote in Simplified or Traditional characters."""
    simplified_only = traditional_only = 0
    for text in texts:
        for ch, as_trad in zip(text, convert(text, "s2t"), strict=False):
            simplified_only += ch != as_trad
        for ch, as_simp in zip(text, convert(text, "t2s"), strict=False):
            traditional_only += ch != as_simp
    return "zh-hant" if traditional_only > simplified_only else "zh-hans"


def to_simplified(text: str) -> str:
    """Fold any script to Simplified, NFKC-normalised: the one form search compares in."""
    return convert(unicodedata.normalize("NFKC", text), "t2s")


def simplified_forms(text: str) -> list[str]:
    """A query folded by each back-conversion (資料庫 → 数据库 needs tw2sp), distinct, in order."""
    text = unicodedata.normalize("NFKC", text)
    forms = [convert(text, config) for config in ("t2s", "tw2sp", "hk2s")]
    return list(dict.fromkeys(forms))
