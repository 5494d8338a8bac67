"""Every OpenCC call in the project goes through this module, so the engine could be swapped.

OpenCC alone mistranslates some news text (s2twp: 优化→最佳化, 支持→支援, 赵岩→趙巖), and the
pure-Python OpenCC takes no user dictionary. So protected spans are cut out before conversion
and put back afterwards, the way Chinese Wikipedia's ``-{…}-`` works:

- glossary terms (editors' list): kept as written, or given an explicit text per variant;
- inline markup in the text itself: ``-{不转换}-`` or ``-{zh-hans:…;zh-hant:…;zh-tw:…;zh-hk:…}-``.

Placeholders are runs of Private Use Area characters, which OpenCC's dictionaries never touch.

Conversion always starts from what the author wrote, in whichever variant (``detect_script``
guesses it on first save; editors can correct it): ``CONFIGS`` says how each source reaches each
variant.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import opencc

from . import CODES

# Which OpenCC configuration turns text written in one variant into another.
# - zh-hant is "Traditional characters as readers use them" (s2tw: 为/着/群众 → 為/著/群眾), not
#   OpenCC's own standard (s2t prints 爲/着/羣衆), and never a change of vocabulary.
# - A Traditional original is normalised to the target's character standard even when the target
#   is its own variant (t2tw, t2hk): an author's stray 爲 or 羣衆 is not what zh-tw readers read.
# - Traditional originals keep their vocabulary in every Traditional variant (no TW phrases):
#   the glossary that guards s2twp's phrase mistakes is written for Simplified text.
# - A Taiwan original goes back to Simplified with tw2s, not tw2sp: tw2sp rewrites vocabulary and
#   gets news wrong (核心→内核, 效能→性能, 資料→数据 in 松山湖材料实验室); search folds
#   queries with tw2sp instead, where recall matters more than wording.
CONFIGS = {
    "zh-hans": {"zh-hans": None, "zh-hant": "s2tw", "zh-tw": "s2twp", "zh-hk": "s2hk"},
    "zh-hant": {"zh-hans": "t2s", "zh-hant": "t2tw", "zh-tw": "t2tw", "zh-hk": "t2hk"},
    "zh-tw": {"zh-hans": "tw2s", "zh-hant": "t2tw", "zh-tw": "t2tw", "zh-hk": "tw2hk"},
    "zh-hk": {"zh-hans": "hk2s", "zh-hant": "hk2tw", "zh-tw": "hk2tw", "zh-hk": "t2hk"},
}
# Configurations the pure-Python OpenCC lacks (tw2hk, hk2tw), see its README.
LOCAL_CONFIGS = Path(__file__).resolve().parent / "opencc"
# Characters in Traditional originals that OpenCC's tables miss: Simplified or variant forms that
# converters leave in Traditional pages and no standard writes (the reference page has 加强,
# 情况, 战畧), and Hong Kong's 衞, which t2s would leave in Simplified text. t2hk restores 衞.
TRADITIONAL_FIXES = str.maketrans({"强": "強", "况": "況", "畧": "略", "衞": "衛"})
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


class _LocalOpenCC(opencc.OpenCC):
    """OpenCC reading a configuration of ours, whose dictionaries may be ours too."""

    def _add_dict_chain(self, dict_chain, dict_dict):
        local = LOCAL_CONFIGS / dict_dict.get("file", "")
        if dict_dict.get("type") == "txt" and local.is_file():
            dict_chain.append(str(local))
        else:
            super()._add_dict_chain(dict_chain, dict_dict)


@cache
def _converter(config: str) -> opencc.OpenCC:
    local = LOCAL_CONFIGS / f"{config}.json"
    if local.exists():
        # OpenCC joins its config directory with the name; an absolute path wins that join.
        return _LocalOpenCC(str(local.with_suffix("")))
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
    """Editors' terms, matched in the text exactly as written there (longest term first)."""

    terms: tuple[Term, ...] = ()
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self._by_written = {t.written: t for t in self.terms if t.written}
        if self._by_written:
            alternatives = sorted(self._by_written, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, alternatives)))

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
# Our placeholders' characters; they are never legitimate article text.
_RESERVED = re.compile(f"[{_OPEN}{_CLOSE}{chr(_DIGIT0)}-{chr(_DIGIT0 + 255)}]")


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
    text = _RESERVED.sub("", text)
    if source != "zh-hans":
        text = text.translate(TRADITIONAL_FIXES)
    spans: list[Term] = []

    def cut_markup(match):
        spans.append(_markup_term(match.group(1)))
        return _placeholder(len(spans) - 1)

    # An unpaired delimiter (an editor's typo) must not reach readers either.
    masked = MARKUP.sub(cut_markup, text).replace("-{", "").replace("}-", "")
    masked = glossary.protect(masked, spans)
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


def _differences(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False))


def detect_script(texts: Iterable[str]) -> str:
    """Guess which variant an author wrote in; editors can correct it in the admin.

    Simplified or Traditional: which conversion would change more characters. For Traditional,
    which character standard the text is further from: Taiwan text is (nearly) unchanged by the
    Hong Kong → Taiwan table and much changed by the reverse (著/裡/群/說 → 着/裏/羣/説), and vice
    versa. Neither clearly: OpenCC's own standard or a mixture, called zh-hant.
    """
    text = "\n".join(t for t in texts if t)
    simplified_only = _differences(text, convert(text, "s2t"))
    traditional_only = _differences(text, convert(text, "t2s"))
    if traditional_only <= simplified_only:
        return "zh-hans"
    text = text.translate(TRADITIONAL_FIXES)
    off_taiwan = _differences(text, convert(text, "hk2tw"))
    off_hong_kong = _differences(text, convert(text, "tw2hk"))
    if off_hong_kong > 2 * off_taiwan:
        return "zh-tw"
    if off_taiwan > 2 * off_hong_kong:
        return "zh-hk"
    return "zh-hant"


@cache
def _character_forms() -> dict[str, str]:
    """Simplified character → itself and every Traditional form OpenCC may print for it."""
    dictionaries = Path(opencc.__file__).resolve().parent / "dictionary"
    variants: dict[str, set[str]] = {}
    for name in ("TWVariants.txt", "HKVariants.txt"):
        for line in (dictionaries / name).read_text("utf-8").splitlines():
            key, values = line.split("\t")
            variants.setdefault(key, set()).update(values.split())
    forms: dict[str, str] = {}
    for line in (dictionaries / "STCharacters.txt").read_text("utf-8").splitlines():
        key, values = line.split("\t")
        chars = {key, *values.split()}
        for ch in list(chars):
            chars |= variants.get(ch, set())
        forms[key] = "".join(sorted(chars))
    return forms


def any_script_pattern(simplified: str) -> str:
    """A regex matching ``simplified`` in any script, character by character (优化 → 優化).

    Lets pages mark a reader's search terms in stored renderings without converting them.
    """
    forms = _character_forms()
    return "".join(
        f"[{re.escape(forms[ch])}]" if len(forms.get(ch, "")) > 1 else re.escape(ch)
        for ch in simplified
    )


@cache
def _t2s_changes() -> tuple[frozenset[str], tuple[str, ...]]:
    """What t2s converts: characters, and the phrases that contain none of those (瞭解 → 了解)."""
    dictionaries = Path(opencc.__file__).resolve().parent / "dictionary"

    def entries(name):
        for line in (dictionaries / name).read_text("utf-8").splitlines():
            key, values = line.split("\t")
            if values.split()[0] != key:
                yield key

    chars = frozenset(entries("TSCharacters.txt"))
    phrases = tuple(p for p in entries("TSPhrases.txt") if chars.isdisjoint(p))
    return chars, phrases


def to_simplified(text: str) -> str:
    """Fold any script to Simplified, NFKC-normalised: the one form search compares in."""
    text = unicodedata.normalize("NFKC", text)
    # Most text indexed is Simplified already: then skip the (pure-Python, slow) conversion.
    chars, phrases = _t2s_changes()
    if chars.isdisjoint(text) and not any(phrase in text for phrase in phrases):
        return text
    return convert(text, "t2s")


def simplified_forms(text: str) -> list[str]:
    """A query folded by each back-conversion (資料庫 → 数据库 needs tw2sp), distinct, in order."""
    text = unicodedata.normalize("NFKC", text)
    forms = [convert(text, config) for config in ("t2s", "tw2sp", "hk2s")]
    return list(dict.fromkeys(forms))
