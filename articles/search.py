"""Chinese full-text search in plain PostgreSQL.

PostgreSQL's parsers do not segment Chinese, so we index overlapping character bigrams (plus
single characters, and Latin words and numbers whole) of the text folded to Simplified + NFKC,
as a weighted ``tsvector`` (title A, summary B, body C) with a GIN index. A query is folded the
same way (once per back-conversion, so 資料庫 also finds 数据库), its bigrams joined by phrase
adjacency, terms ANDed. Positions are assigned identically on both sides so ``<N>`` distances
line up across a change from Chinese to Latin text.
"""

import re
import unicodedata

from django.db.models import BooleanField, F, FloatField, Func
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.variants.convert import render, simplified_forms, strip_markup, to_simplified

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# A run of Han characters, or a run of letters/digits (after NFKC, so ＧＤＰ is GDP).
TOKEN = re.compile(r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<word>[^\W_]+)")
TERM = re.compile(r'"([^"]*)"|(\S+)')


def _units(text: str):
    """(position, lexeme) pairs: each Han character and bigram, each Latin word or number."""
    position = 1
    for match in TOKEN.finditer(text.lower()):
        if match.group("han"):
            han = match.group("han")
            for i, ch in enumerate(han):
                yield position + i, ch
                if i + 1 < len(han):
                    yield position + i, han[i : i + 2]
            position += len(han)
        else:
            word = match.group("word")
            # Han characters outside the ranges above stay out; a word is letters and digits.
            if word.isascii() or not any("\u2e80" <= c <= "\u9fff" for c in word):
                yield position, word[:60]
                position += 1


def tsvector_literal(text: str, weight: str) -> str:
    """A tsvector in PostgreSQL's text syntax, with our own positions (capped at 16383)."""
    lexemes: dict[str, list[int]] = {}
    for position, lexeme in _units(to_simplified(text)):
        lexemes.setdefault(lexeme, []).append(min(position, 16383))
    return " ".join(
        "'{}':{}".format(
            lexeme.replace("\\", "\\\\").replace("'", "''"),
            ",".join(f"{p}{weight}" for p in positions[:256]),
        )
        for lexeme, positions in lexemes.items()
    )


def update_search_vector(article) -> None:
    from .models import Article

    parts = [
        tsvector_literal(strip_markup(article.title), "A"),
        tsvector_literal(strip_markup(article.summary), "B"),
        tsvector_literal(strip_markup(article.body), "C"),
    ]
    Article.objects.filter(pk=article.pk).update(
        search_vector=RawSQL("%s::tsvector || %s::tsvector || %s::tsvector", parts)
    )


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase(text: str) -> str | None:
    """One term as a tsquery: bigrams chained by their distances, or a single unit."""
    units = []
    for match in TOKEN.finditer(text.lower()):
        if match.group("han"):
            han = match.group("han")
            units.append(("han", han))
        else:
            units.append(("word", match.group("word")[:60]))
    if not units:
        return None
    pieces: list[str] = []
    gap = 0  # positions between the previous lexeme and the next
    for kind, value in units:
        if kind == "han" and len(value) > 1:
            lexemes = [value[i : i + 2] for i in range(len(value) - 1)]
            width = len(value)
        else:
            lexemes = [value]
            width = len(value) if kind == "han" else 1
        for lexeme in lexemes:
            if pieces:
                pieces.append(f"<{gap}>" if gap != 1 else "<->")
            pieces.append(_quote(lexeme))
            gap = 1
        # The next unit starts after this one's last position.
        gap = width - (len(lexemes) - 1)
    return "(" + " ".join(pieces) + ")"


def parse_query(q: str) -> tuple[str, list[str], bool]:
    """Reader's text → (tsquery text, display terms, truncated?). Empty tsquery: no search."""
    q = unicodedata.normalize("NFKC", q.replace("\x00", ""))
    truncated = len(q) > MAX_QUERY_LENGTH
    q = q[:MAX_QUERY_LENGTH]
    terms = [m.group(1) or m.group(2) for m in TERM.finditer(q)]
    terms = [t.strip() for t in terms if t and t.strip()][:MAX_TERMS]
    clauses, shown = [], []
    for term in terms:
        alternatives = [p for form in simplified_forms(term) if (p := _phrase(form))]
        alternatives = list(dict.fromkeys(alternatives))
        if alternatives:
            clauses.append("(" + " | ".join(alternatives) + ")")
            shown.append(term)
    return " & ".join(clauses), shown, truncated


def search(queryset, q: str):
    """Filter and rank ``queryset`` by the reader's query; returns (queryset, terms, truncated)."""
    tsquery, terms, truncated = parse_query(q)
    if not tsquery:
        return queryset.none(), terms, truncated
    query = RawSQL("%s::tsquery", [tsquery])
    rank = Func(F("search_vector"), query, function="ts_rank_cd", output_field=FloatField())
    matches = Func(
        F("search_vector"),
        query,
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )
    results = queryset.filter(matches).annotate(rank=rank).order_by("-rank", "-published_at", "-id")
    return results, terms, truncated


def highlight(text: str, terms: list[str], variant: str) -> str:
    """Escape text and wrap each term (in the reader's script and as typed) in <mark>."""
    if not text:
        return ""
    candidates = set()
    for term in terms:
        candidates.add(term)
        for form in simplified_forms(term):
            candidates.add(form)
            candidates.add(render(form)[variant])
    candidates = sorted((escape(c) for c in candidates if c.strip()), key=len, reverse=True)
    escaped = escape(text)
    if not candidates:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(c) for c in candidates), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))
