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
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, F, FloatField, Func
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.variants.convert import any_script_pattern, convert, simplified_forms, to_simplified

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Ranking and phrase checks read each candidate's whole tsvector (~20 kB, ~20 µs): at most this
# many candidates, the most recent matches, are read per search (bench/search.py has the numbers).
RANK_WINDOW = 500
# Where the most recent candidates are looked for first: a common term fills the window from the
# last month alone, found by intersecting the GIN and published_at indexes, never touching the
# other 90,000 matches; a rare one falls through to the whole archive, which is cheap for it.
RECENT_SLICES = (timedelta(days=30), timedelta(days=365), None)
PAGE_SIZE = 20
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of Han characters, or a run of other letters/digits (after NFKC, so ＧＤＰ is GDP).
TOKEN = re.compile(rf"(?P<han>[{HAN}]+)|(?P<word>[^\W_{HAN}]+)")
TERM = re.compile(r'"([^"]*)"?|(\S+)')
MAX_WORD = 60
MAX_POSITION = 16383  # PostgreSQL's limit for a tsvector position


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _positions(text: str, offset: int = 0) -> dict[str, list[int]]:
    """Lexeme → positions (after ``offset``): each Han character and bigram at the character's
    position, each Latin word or number whole at one position."""
    lexemes: dict[str, list[int]] = defaultdict(list)
    position = offset + 1
    for match in TOKEN.finditer(to_simplified(text).lower()):
        run = match.group(0)
        if match.lastgroup == "han":
            for i, ch in enumerate(run):
                at = min(position + i, MAX_POSITION)
                lexemes[ch].append(at)
                if i + 1 < len(run):
                    lexemes[run[i : i + 2]].append(at)
            position += len(run)
        else:
            lexemes[run[:MAX_WORD]].append(min(position, MAX_POSITION))
            position += 1
    return lexemes


def _literal(weighted: dict[str, list[str]]) -> str:
    """``{lexeme: ["3A", "70B", …]}`` in tsvector syntax."""
    return " ".join(
        _quote(lexeme) + ":" + ",".join(positions[:256]) for lexeme, positions in weighted.items()
    )


def tsvector_literal(text: str, weight: str) -> str:
    """A tsvector in PostgreSQL's text syntax, with our own positions (capped at 16383)."""
    return _literal(
        {lexeme: [f"{p}{weight}" for p in ps] for lexeme, ps in _positions(text).items()}
    )


FIELD_GAP = 64  # positions between fields, so a phrase never spans title and summary


def document_literal(title: str, summary: str, body: str) -> str:
    """One article's tsvector: title weighted A, summary B, body C, each after the last."""
    weighted: dict[str, list[str]] = defaultdict(list)
    offset = 0
    for text, weight in ((title, "A"), (summary, "B"), (body, "C")):
        last = offset
        for lexeme, positions in _positions(text, offset).items():
            weighted[lexeme] += map(f"{{}}{weight}".format, positions)
            last = max(last, positions[-1])
        offset = last + FIELD_GAP
    return _literal(weighted)


def _plain(body_html: str) -> str:
    """The text of a rendered body (escaped paragraphs) again."""
    return html.unescape(re.sub(r"<[^>]+>", "\n", body_html))


def article_document(article) -> tuple[str, str, str]:
    """Title, summary and body as a Simplified reader reads them (markup resolved, glossary)."""
    return (
        article.title_variants.get("zh-hans", ""),
        article.summary_variants.get("zh-hans", ""),
        _plain(article.body_variants.get("zh-hans", "")),
    )


def update_search_vector(article) -> None:
    literal = document_literal(*article_document(article))
    type(article).objects.filter(pk=article.pk).update(
        search_vector=RawSQL("%s::tsvector", [literal])
    )


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


def loose_query(tsquery: str) -> str:
    """The same lexemes, ANDed without positions: the GIN index answers it exactly, with no
    recheck of stored vectors, and PostgreSQL estimates it far better than a phrase."""
    return re.sub(r"<\d+>|<->", "&", tsquery)


def _rank(query):
    return Func(F("search_vector"), query, function="ts_rank_cd", output_field=FloatField())


def candidates(queryset, tsquery: str) -> tuple[list[int], bool]:
    """Ids of the ``RANK_WINDOW`` most recent articles with all the query's lexemes, and
    whether there are more. Newest slices first (see ``RECENT_SLICES``)."""
    matching = queryset.filter(_matches(_tsquery(loose_query(tsquery))))
    matching = matching.order_by("-published_at", "-id").values_list("pk", flat=True)
    now = timezone.now()
    for span in RECENT_SLICES:
        recent = matching.filter(published_at__gte=now - span) if span else matching
        ids = list(recent[: RANK_WINDOW + 1])
        if len(ids) > RANK_WINDOW:
            return ids[:RANK_WINDOW], True
    return ids, False


def ranked_ids(queryset, tsquery: str) -> tuple[list[int], bool]:
    """Matching ids, best first (ts_rank_cd: title hits count most; then recency), and
    whether only the most recent window of a larger set was ranked."""
    ids, more = candidates(queryset, tsquery)
    if not ids:
        return [], more
    # Fetched by id and ranked, not filtered with @@: PostgreSQL misjudges a phrase as rare and
    # would recheck every match in the index rather than read these few rows. ts_rank_cd is 0
    # where the phrase (with its distances) is absent, so the rank is the phrase check too.
    ranked = (
        queryset.filter(pk__in=ids)
        .annotate(rank=_rank(_tsquery(tsquery)))
        .order_by("-rank", "-published_at", "-id")
        .values_list("pk", "rank")
    )
    return [pk for pk, rank in ranked if rank > 0], more


def _fetch(queryset, ids: list[int]) -> list:
    """The articles with these ids, in this order."""
    by_id = {article.pk: article for article in queryset.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


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


@dataclass
class Results:
    """One page of search results and what the page says about them."""

    q: str  # the query as used: normalised, cut to length
    terms: list[str]
    truncated: bool
    total: int  # matches found; only the most recent window's when ``more``
    more: bool  # more matches than ``RANK_WINDOW``: the most recent ones were ranked
    page_obj: Page
    window: int = RANK_WINDOW


def results_page(queryset, q: str, page_number=None) -> Results:
    """The reader's page of results with its terms marked, in the queryset's variant.

    Queries: one to three for the candidate window, one to rank it, one for the page's rows.
    An exact total of a very common term would mean visiting all its rows (91,000 of 100,000
    for 发展: 0.9 s), so past the window the page says "more than" instead.
    """
    tsquery, terms, truncated = parse_query(q)
    ids, more = ranked_ids(queryset, tsquery) if tsquery else ([], False)
    page = Paginator(ids, PAGE_SIZE).get_page(page_number)
    page.object_list = _fetch(queryset, list(page.object_list))
    mark = Highlighter(terms)
    for article in page.object_list:
        article.title_html = mark(article.display_title)
        article.summary_html = mark(article.display_summary)
    return Results(clean_query(q)[0], terms, truncated, len(ids), more, page, RANK_WINDOW)
