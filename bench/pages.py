"""Page latency at scale: the same pages with a small newsroom and with a big one.

Renders home, category and article pages in-process (Django test client, page cache off, so
every request renders from PostgreSQL) on a fresh database beside the configured one, first
with a small newsroom (the demo plus 200 articles, so every list page is full; 60 comments on
the reference article, so its comments span two pages), then after adding up to N articles
(default 100,000) and M approved comments (default 10,000) on the reference article. The two
newsrooms are two databases (the large one a copy of the small one, grown).

Interleaved so that the figure repeats on a shared machine whose speed drifts by a quarter
within minutes: each page is measured small, large, large, small, … in short batches right
after one another (the order flips every round, so a steady drift cancels), and its ratio is
the median of the per-round large/small ratios, not the ratio of two medians taken minutes
apart. Prints median latencies, query counts, each page's ratio with the spread of its rounds,
and the worst ratio.

Run: ``python -m bench.pages [--articles 100000] [--comments 10000] [--rounds 10] [--batch 4]``.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ["PAGE_CACHE_SECONDS"] = "0"
os.environ["HTTPS"] = "false"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tests.servers import (  # noqa: E402
    database_url,
    drop_database,
    maintenance,
    sibling_database_url,
)


def copy_database(source: str, name: str) -> str:
    """A copy of database ``source`` (no connections to it may be open); returns its URL."""
    maintenance(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{source}"',
    )
    return database_url(name)


def use_database(url: str) -> None:
    import environ

    connections.close_all()
    settings.DATABASES["default"].update(environ.Env.db_url_config(url))
    connection.settings_dict.update(environ.Env.db_url_config(url))


def measure(client, path: str, requests: int) -> list[float]:
    """Milliseconds of ``requests`` renderings of ``path``, after two to warm up (the second
    prepares the connection's statements, ``prepare_threshold=2``)."""
    client.get(path)
    client.get(path)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def queries(client, path: str) -> tuple[int, float]:
    """(queries, the slowest one's ms) of one rendering."""
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured.captured_queries), max(
        (float(q["time"]) * 1000 for q in captured.captured_queries), default=0.0
    )


def grow(reference, articles: int, comments: int) -> None:
    from django.contrib.auth.models import User
    from django.db.models import Max
    from django.utils import timezone

    from articles.models import Article, Category
    from comments.models import Comment

    categories = list(Category.objects.all())
    template = Article.objects.exclude(pk=reference.pk).first()
    now = timezone.now()
    batch = []
    for n in range(articles):
        batch.append(
            Article(
                title=f"{template.title}（{n}）",
                summary=template.summary,
                body=template.body,
                category=categories[n % len(categories)],
                status=Article.Status.PUBLISHED,
                published_at=now - timezone.timedelta(minutes=n + 60),
                heat=n % 5000,
                title_variants=template.title_variants,
                summary_variants=template.summary_variants,
                body_variants=template.body_variants,
                source_script="zh-hans",
            )
        )
        if len(batch) == 2000:  # at most 65,535 parameters a statement
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    sample = Comment.objects.visible().filter(article=reference).first()
    floors = Comment.objects.filter(article=reference).aggregate(last=Max("floor"))["last"] or 0
    moderator = User.objects.get(username="bench-moderator")
    Comment.objects.bulk_create(
        [  # fast path: rows as approve() would leave them
            Comment(
                article=reference,
                nickname=f"读者{n}",
                body=sample.body,
                floor=floors + n + 1,
                status=Comment.Status.APPROVED,
                nickname_variants=sample.nickname_variants,
                body_variants=sample.body_variants,
                item_variants=sample.item_variants,
                moderated_by=moderator,
                moderated_at=now,
            )
            for n in range(comments)
        ],
        batch_size=2000,
    )
    Article.objects.filter(pk=reference.pk).update(
        comment_count=Comment.objects.visible().filter(article=reference).count(),
        top_level_comment_count=Comment.objects.listed().filter(article=reference).count(),
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=4, help="renderings per page, size, round")
    args = parser.parse_args()

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    small_name, large_name = "portal_bench_small", "portal_bench_large"
    small_url = sibling_database_url(small_name)
    try:
        use_database(small_url)
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("load_demo", verbosity=0)
        from articles.models import Article
        from comments.models import Comment

        reference = Article.objects.get(title__startswith="江苏省党政代表团")
        moderator = User.objects.create_user("bench-moderator", is_staff=True)
        for n in range(60):
            comment = Comment.objects.create(article=reference, body=f"第{n}条评论：支持合作。")
            comment.approve(by=moderator)
        grow(reference, 200, 0)
        connections.close_all()
        # The large newsroom starts as a copy of the small one: the same ids, the same pages.
        large_url = copy_database(small_name, large_name)
        use_database(large_url)
        started = time.monotonic()
        grow(reference, args.articles - 200, args.comments)
        print(
            f"grew {large_name} to {args.articles} articles and {args.comments} more comments "
            f"in {time.monotonic() - started:.0f} s"
        )
        pages = {
            "home": "/zh-hans/",
            "home page 2": "/zh-hans/?page=2",
            "category": "/zh-hans/category/jiangsu/",
            "article zh-hans": f"/zh-hans/articles/{reference.pk}/",
            "article zh-tw": f"/zh-tw/articles/{reference.pk}/",
            "article, comments p.200": f"/zh-hans/articles/{reference.pk}/?cpage=200",
        }
        client = Client(HTTP_HOST="localhost")
        urls = {"small": small_url, "large": large_url}
        timings = {(size, label): [] for size in urls for label in pages}
        round_ratios = {label: [] for label in pages}
        counted = {}
        for n in range(args.rounds):
            for label, path in pages.items():
                batch = {}
                for size in ("small", "large") if n % 2 == 0 else ("large", "small"):
                    use_database(urls[size])
                    batch[size] = measure(client, path, args.batch)
                    timings[size, label] += batch[size]
                    counted[size, label] = queries(client, path)
                round_ratios[label].append(
                    statistics.median(batch["large"]) / statistics.median(batch["small"])
                )
    finally:
        connections.close_all()
        drop_database(small_name)
        drop_database(large_name)

    print(
        f"\n{'page':<24} {'small ms':>9} {'q':>3} {'large ms':>9} {'q':>3} "
        f"{'slowest q ms':>13} {'ratio':>6} {'rounds':>11}"
    )
    ratios = []
    for label in pages:
        s_ms = statistics.median(timings["small", label])
        l_ms = statistics.median(timings["large", label])
        (s_q, _), (l_q, l_slow) = counted["small", label], counted["large", label]
        ratio = statistics.median(round_ratios[label])
        spread = f"{min(round_ratios[label]):.2f}–{max(round_ratios[label]):.2f}"
        ratios.append(ratio)
        print(
            f"{label:<24} {s_ms:>9.1f} {s_q:>3} {l_ms:>9.1f} {l_q:>3} {l_slow:>13.1f} "
            f"{ratio:>6.2f} {spread:>11}"
        )
    load = os.getloadavg()[0]
    print(f"ratios: worst_large_over_small={max(ratios):.2f} (load average {load:.1f})")


if __name__ == "__main__":
    main()
