"""Chinese full-text search in plain PostgreSQL.

PostgreSQL's parsers do not segment Chinese, so we index overlapping character bigrams (plus
single characters, and Latin words and numbers whole) of the text folded to Simplified + NFKC,
as a weighted ``tsvector`` (title A, summary B, body C) with a GIN index. A query is folded the
same way (once per back-conversion, so 資料庫 also finds 数据库), its bigrams joined by phrase
adjacency, terms ANDed. Positions are assigned identically on both sides so ``<N>`` distances
line up across a change from Chinese to Latin text.

What is indexed is the article's zh-hans rendering, so glossary fixes and ``-{…}-`` markup
count the way a Simplified reader sees them, whatever script the author wrote in.
"""

import html
import re
import unicodedata

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, F, FloatField, Func, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.variants.convert import any_script_pattern, convert, simplified_forms, to_simplified

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Ranking needs every match's whole tsvector; past this many matches only the most recent are
# ranked (see bench/search.py for the numbers behind it).
RANK_WINDOW = 500
PAGE_SIZE = 20
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of Han characters, or a run of other letters/digits (after NFKC, so ＧＤＰ is GDP).
TOKEN = re.compile(rf"(?P<han>[{HAN}]+)|(?P<word>[^\W_{HAN}]+)")
TERM = re.compile(r'"([^"]*)"?|(\S+)')
MAX_WORD = 60
MAX_POSITION = 16383  # PostgreSQL's limit for a tsvector position


def _units(text: str):
    """(position, lexeme) pairs: each Han character and bigram, each Latin word or number."""
    position = 1
    for match in TOKEN.finditer(text.lower()):
        han = match.group("han")
        if han:
            for i, ch in enumerate(han):
                yield position + i, ch
                if i + 1 < len(han):
                    yield position + i, han[i : i + 2]
            position += len(han)
        else:
            yield position, match.group("word")[:MAX_WORD]
            position += 1


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str, weight: str) -> str:
    """A tsvector in PostgreSQL's text syntax, with our own positions (capped at 16383)."""
    lexemes: dict[str, list[int]] = {}
    for position, lexeme in _units(to_simplified(text)):
        lexemes.setdefault(lexeme, []).append(min(position, MAX_POSITION))
    return " ".join(
        _quote(lexeme) + ":" + ",".join(f"{p}{weight}" for p in positions[:256])
        for lexeme, positions in lexemes.items()
    )


def _plain(body_html: str) -> str:
    """The text of a rendered body (escaped paragraphs) again."""
    return html.unescape(re.sub(r"<[^>]+>", "\n", body_html))


def article_document(article) -> list[str]:
    """Title, summary and body as a Simplified reader reads them (markup resolved, glossary)."""
    return [
        article.title_variants.get("zh-hans", ""),
        article.summary_variants.get("zh-hans", ""),
        _plain(article.body_variants.get("zh-hans", "")),
    ]


def search_vector_sql(article) -> RawSQL:
    title, summary, body = article_document(article)
    parts = [tsvector_literal(title, "A"), tsvector_literal(summary, "B")]
    parts.append(tsvector_literal(body, "C"))
    return RawSQL("%s::tsvector || %s::tsvector || %s::tsvector", parts)


def update_search_vector(article) -> None:
    from .models import Article

    Article.objects.filter(pk=article.pk).update(search_vector=search_vector_sql(article))


def _phrase(text: str) -> str | None:
    """One term as a tsquery: bigrams chained by their distances, or a single unit."""
    units = []
    for match in TOKEN.finditer(text.lower()):
        if match.group("han"):
            units.append(("han", match.group("han")))
        else:
            units.append(("word", match.group("word")[:MAX_WORD]))
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
            width = 1
        for lexeme in lexemes:
            if pieces:
                pieces.append(f"<{gap}>" if gap != 1 else "<->")
            pieces.append(_quote(lexeme))
            gap = 1
        # The next unit starts after this one's last position.
        gap = width - (len(lexemes) - 1)
    return "(" + " ".join(pieces) + ")"


def clean_query(q: str) -> tuple[str, bool]:
    """The reader's text, NFKC, without control characters, cut to length (and whether cut)."""
    q = unicodedata.normalize("NFKC", q)
    q = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in q).strip()
    return q[:MAX_QUERY_LENGTH], len(q) > MAX_QUERY_LENGTH


def parse_query(q: str) -> tuple[str, list[str], bool]:
    """Reader's text → (tsquery text, display terms, truncated?). Empty tsquery: no search.

    Terms separated by spaces must all match; a quoted phrase matches in order; each term may
    match in any of its Simplified forms (t2s, tw2sp, hk2s).
    """
    q, truncated = clean_query(q)
    terms = [m.group(1) if m.group(1) is not None else m.group(2) for m in TERM.finditer(q)]
    terms = [t.strip() for t in terms if t and t.strip()]
    clauses, shown = [], []
    for term in terms:
        alternatives = [p for form in simplified_forms(term) if (p := _phrase(form))]
        alternatives = list(dict.fromkeys(alternatives))
        if alternatives and len(clauses) < MAX_TERMS:
            clauses.append("(" + " | ".join(alternatives) + ")")
            shown.append(term)
    return " & ".join(clauses), shown, truncated


def _matches(query):
    return Func(
        F("search_vector"),
        query,
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )


def _tsquery(tsquery: str) -> RawSQL:
    return RawSQL("%s::tsquery", [tsquery])


def _ranked(queryset, query):
    """Matches ranked by ts_rank_cd (title hits count most), then recency.

    Ranking reads every candidate's whole tsvector, so a query matching much of the archive
    (a common two-character word) would read them all: only the ``RANK_WINDOW`` most recent
    matches are ranked. Rarer queries, the usual case, rank every match.
    """
    window = queryset.filter(_matches(query)).order_by("-published_at", "-id")
    rank = Func(F("search_vector"), query, function="ts_rank_cd", output_field=FloatField())
    return (
        queryset.filter(pk__in=Subquery(window.values("pk")[:RANK_WINDOW]))
        .annotate(rank=rank)
        .order_by("-rank", "-published_at", "-id")
    )


def search(queryset, q: str):
    """Filter and rank ``queryset`` by the reader's query; returns (queryset, terms, truncated)."""
    tsquery, terms, truncated = parse_query(q)
    if not tsquery:
        return queryset.none(), terms, truncated
    return _ranked(queryset, _tsquery(tsquery)), terms, truncated


class Highlighter:
    """Marks a reader's terms in stored text, in whatever script or wording it is rendered."""

    def __init__(self, terms: list[str]):
        units = set()
        for term in terms:
            forms = simplified_forms(term)
            # The Taiwan wording of each form too: 数据库 is rendered 資料庫 for zh-tw readers.
            forms += [to_simplified(convert(form, "s2twp")) for form in forms]
            for form in forms:
                for match in TOKEN.finditer(form):
                    units.add(match.group(0))
        alternatives = [any_script_pattern(u) for u in sorted(units, key=len, reverse=True)]
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if units else None

    def __call__(self, text: str) -> str:
        """Escaped HTML of ``text`` with each match in ``<mark>``."""
        if not text or self.pattern is None:
            return escape(text or "")
        out, last = [], 0
        for match in self.pattern.finditer(text):
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
        out.append(escape(text[last:]))
        return mark_safe("".join(out))


def highlight(text: str, terms: list[str]) -> str:
    return Highlighter(terms)(text)


@dataclass
class Results:
    """One page of search results and what the page says about them."""

    q: str  # the query as used: normalised, cut to length
    terms: list[str]
    truncated: bool
    total: int  # every match, beyond the ranked window too
    page_obj: Page

    @property
    def ranked_only_recent(self) -> bool:
        return self.total > RANK_WINDOW


def results_page(queryset, q: str, page_number=None) -> Results:
    """The reader's page of results with its terms marked, in the queryset's variant.

    Two queries: the total (every match), and the page (ranked within the window).
    """
    tsquery, terms, truncated = parse_query(q)
    if tsquery:
        query = _tsquery(tsquery)
        total = queryset.filter(_matches(query)).count()
        ranked = _ranked(queryset, query)
    else:
        total, ranked = 0, queryset.none()
    paginator = Paginator(ranked, PAGE_SIZE)
    paginator.count = min(total, RANK_WINDOW)  # known already: no second count
    page = paginator.get_page(page_number)
    mark = Highlighter(terms)
    for article in page.object_list:
        article.title_html = mark(article.display_title)
        article.summary_html = mark(article.display_summary)
    return Results(clean_query(q)[0], terms, truncated, total, page)
