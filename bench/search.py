"""Search at scale: 100,000 articles in a database of the benchmark's own (``bench_search``).

The articles are built from the demo newsroom's text (titles, summaries, ~1,500 characters of
body paragraphs each, their four renderings, 95% published / 3% drafts / 2% scheduled over five
years) and loaded with COPY, their search documents computed in Python with
``articles.search.document_literal`` — what ``Article.save`` stores. The database is kept for
the next run (``--fresh`` rebuilds it); generating takes a few minutes on two cores.

Measured, as the search page runs them (the ORM's own SQL, every query of one search):

- the search page's queries for one-, two- and four-character and two-term queries (the
  candidate window, its ranking, the page's rows): median total execution time in the database
  (EXPLAIN ANALYZE), wall time as Django sees it, and whether a plan used the GIN index
  ``article_search``;
- against them, the first design: an exact total and ranking every match (ts_rank_cd must read
  each match's ~20 kB tsvector, so a common bigram costs seconds);
- indexing one article on save (the tsvector built in Python, and the UPDATE).

The demo text is small (34 articles), so every phrase in it is common here: 人工智能 is in 37%
of the articles, 松山湖材 in 10%. That is the hard case for ranking, which is the point.

Run: ``.venv/bin/python -m bench.search [--articles 100000] [--runs 15] [--fresh]``.
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import search  # noqa: E402
from articles.models import Article, Category, GlossaryTerm, paragraphs_html  # noqa: E402
from bench.owndb import use_own_database  # noqa: E402
from portal.variants import CODES  # noqa: E402
from portal.variants.convert import render  # noqa: E402

DATABASE = "bench_search"
DEMO = Path(__file__).resolve().parent.parent / "articles" / "demo"
QUERIES = [
    ("1 char", "粤"),
    ("2 chars, very common", "发展"),
    ("2 chars, common", "地铁"),
    ("4 chars", "人工智能"),
    ("4 chars, rare phrase", "松山湖材"),
    ("2 terms (AND)", "广东 芯片"),
]
SEED = 20231018


# --- data -----------------------------------------------------------------------------------

_pool: dict = {}


def _load_pool() -> dict:
    """The demo text, each piece rendered once in the four variants."""
    entries = json.loads((DEMO / "articles.zh-Hans.json").read_text("utf-8"))
    entries.append(json.loads((DEMO / "reference.zh-Hans.json").read_text("utf-8")))
    glossary = GlossaryTerm.objects.as_glossary()

    def rendered(texts):
        return [render(t, "zh-hans", glossary) for t in dict.fromkeys(texts)]

    return {
        "titles": rendered(e["title"] for e in entries),
        "summaries": rendered(e["summary"] for e in entries),
        "paragraphs": rendered(p for e in entries for p in e["body"]),
        "categories": list(Category.objects.values_list("pk", flat=True)),
    }


def _row(spec: tuple) -> tuple:
    """One article's COPY row from its recipe (in a worker process)."""
    title_i, summary_i, paragraph_is, category, status, published_at = spec
    title = _pool["titles"][title_i]
    summary = _pool["summaries"][summary_i]
    paragraphs = [_pool["paragraphs"][i] for i in paragraph_is]
    body = {v: "\n\n".join(p[v] for p in paragraphs) for v in CODES}
    document = search.document_literal(title["zh-hans"], summary["zh-hans"], body["zh-hans"])
    return (
        title["zh-hans"],
        summary["zh-hans"],
        body["zh-hans"],
        category,
        status,
        published_at,
        json.dumps(title, ensure_ascii=False),
        json.dumps(summary, ensure_ascii=False),
        json.dumps({v: paragraphs_html(t) for v, t in body.items()}, ensure_ascii=False),
        document,
    )


def _recipes(count: int, rng: random.Random):
    now = timezone.now()
    lengths = [len(p["zh-hans"]) for p in _pool["paragraphs"]]
    for _ in range(count):
        paragraph_is, length = [], 0
        while length < 1400:
            i = rng.randrange(len(lengths))
            paragraph_is.append(i)
            length += lengths[i]
        roll = rng.random()
        if roll < 0.03:
            status, published_at = "draft", now - timedelta(days=rng.uniform(0, 1825))
        elif roll < 0.05:
            status, published_at = "published", now + timedelta(days=rng.uniform(1, 30))
        else:
            status, published_at = "published", now - timedelta(days=rng.uniform(0, 1825))
        yield (
            rng.randrange(len(_pool["titles"])),
            rng.randrange(len(_pool["summaries"])),
            paragraph_is,
            rng.choice(_pool["categories"]),
            status,
            published_at,
        )


COLUMNS = [
    "title",
    "summary",
    "body",
    "category_id",
    "status",
    "published_at",
    "title_variants",
    "summary_variants",
    "body_variants",
    "search_vector",
]


def generate(count: int) -> None:
    """COPY ``count`` articles in; the GIN index is dropped meanwhile and built once after."""
    global _pool
    if not Category.objects.exists():
        call_command("load_demo", verbosity=0)  # categories, and 34 real articles
    _pool = _load_pool()
    table = Article._meta.db_table
    given = set(COLUMNS) | {"id"}
    # Columns the benchmark does not set get the model's default (fields added later included).
    others = [f for f in Article._meta.concrete_fields if f.column not in given]
    now = timezone.now()
    extra = tuple(
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_db_prep_save(f.get_default(), connection)
        for f in others
    )
    columns = ", ".join([*COLUMNS, *(f.column for f in others)])
    started = time.monotonic()
    connection.close()  # the workers are forked: they must not share the parent's connection
    with Pool() as workers, connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS article_search")
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            rows = workers.imap(_row, _recipes(count, random.Random(SEED)), chunksize=200)
            for done, row in enumerate(rows, 1):
                copy.write_row(row + extra)
                if done % 5000 == 0 or done == count:
                    rate = done / (time.monotonic() - started)
                    print(f"\r  generated {done}/{count} ({rate:.0f}/s)", end="", flush=True)
        print("\n  building the GIN index …", flush=True)
        cursor.execute(f"CREATE INDEX article_search ON {table} USING gin (search_vector)")
        cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"  loaded in {time.monotonic() - started:.0f} s")


# --- measuring ------------------------------------------------------------------------------


def _sqls(run) -> list[str]:
    """The SQL the ORM sends for ``run()``, parameters inlined."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries]


def _explain(sql: str) -> tuple[float, str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)), plan


def measure(label: str, run, runs: int) -> dict:
    """Median time of the queries ``run()`` sends: summed execution times in the database
    (EXPLAIN ANALYZE), and the wall time of ``run()`` as Django sees it."""
    sqls = _sqls(run)  # also warms the cache: the figures are for a server in use
    totals, plans = [], []
    for _ in range(runs):
        explained = [_explain(sql) for sql in sqls]
        totals.append(sum(ms for ms, _plan in explained))
        plans = [plan for _ms, plan in explained]
    client = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        client.append((time.perf_counter() - started) * 1000)
    return {
        "label": label,
        "queries": len(sqls),
        "db_ms": statistics.median(totals),
        "client_ms": statistics.median(client),
        "gin": any("article_search" in plan for plan in plans),
        "plans": plans,
    }


def naive_page(queryset, tsquery: str):
    """What ranking every match would cost, with an exact total (the first design)."""
    query = search._tsquery(tsquery)
    matching = queryset.filter(search._matches(query))
    matching.count()
    return list(
        matching.annotate(rank=search._rank(query)).order_by("-rank", "-published_at", "-id")[
            : search.PAGE_SIZE
        ]
    )


def search_page(queryset, tsquery: str):
    """The queries of the search page: candidate window, ranking, the page's rows."""
    ids, _more = search.ranked_ids(queryset, tsquery)
    return search._fetch(queryset, ids[: search.PAGE_SIZE])


def index_on_save(runs: int) -> dict:
    """Building one article's tsvector in Python, and storing it (update_search_vector)."""
    article = Article.objects.filter(title__startswith="江苏省党政代表团").first()
    article = article or Article.objects.order_by("pk").first()
    document = search.article_document(article)
    build, store = [], []
    for _ in range(runs):
        started = time.perf_counter()
        search.document_literal(*document)
        build.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        search.update_search_vector(article)
        store.append((time.perf_counter() - started) * 1000)
    return {
        "chars": sum(map(len, document)),
        "build_ms": statistics.median(build),
        "total_ms": statistics.median(store),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="Drop and rebuild the database.")
    parser.add_argument("--plans", action="store_true", help="Print every query plan.")
    args = parser.parse_args(argv)

    use_own_database(DATABASE, fresh=args.fresh)
    assert connection.settings_dict["NAME"] == DATABASE
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    have = Article.objects.count()
    if have < args.articles:
        print(f"{DATABASE}: {have} articles, generating {args.articles - have} …")
        generate(args.articles - have)
    total = Article.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"{DATABASE}: {total} articles, {size}; medians of {args.runs} runs\n")

    published = Article.objects.published().in_variant("zh-hans")
    results = []
    for label, q in QUERIES:
        tsquery, _terms, _ = search.parse_query(q)
        matches = published.filter(search._matches(search._tsquery(tsquery))).count()
        page = measure(f"{label} «{q}»", lambda t=tsquery: search_page(published, t), args.runs)
        naive = measure(
            f"{label} «{q}», rank all + exact count",
            lambda t=tsquery: naive_page(published, t),
            max(3, args.runs // 3),
        )
        results.append((q, matches, page, naive))

    header = f"{'query':<44} {'matches':>8} {'queries':>7} {'db ms':>8} {'client ms':>10}  GIN"
    print(header)
    for _q, matches, *measured in results:
        for m in measured:
            print(
                f"{m['label']:<44} {matches:>8} {m['queries']:>7} {m['db_ms']:>8.1f} "
                f"{m['client_ms']:>10.1f}  {'yes' if m['gin'] else 'no'}"
            )
    for q, _matches, page, naive in results:
        if args.plans or q in ("发展", "地铁", "人工智能"):
            for n, plan in enumerate(page["plans"], 1):
                print(f"\nEXPLAIN ANALYZE — {page['label']}, query {n}\n{plan}")
        if args.plans:
            for n, plan in enumerate(naive["plans"], 1):
                print(f"\nEXPLAIN ANALYZE — {naive['label']}, query {n}\n{plan}")

    saved = index_on_save(max(args.runs, 30))
    print(
        f"\nindex one article on save ({saved['chars']} chars): tsvector built in "
        f"{saved['build_ms']:.1f} ms, built and stored in {saved['total_ms']:.1f} ms (median)"
    )

    searches = ", ".join(
        f"«{q}» {page['db_ms']:.0f} ms{' (GIN)' if page['gin'] else ''}"
        for q, _m, page, _n in results
    )
    naive = [n["db_ms"] for *_x, n in results]
    print(
        f"\nsummary: search page in the database {searches} (budget 50 ms); ranking every match "
        f"with an exact total instead: {min(naive) / 1000:.1f}–{max(naive) / 1000:.1f} s; "
        f"index on save {saved['total_ms']:.1f} ms (budget 20)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
