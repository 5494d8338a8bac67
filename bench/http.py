"""HTTP throughput of the served portal, as ratios of Django's own ceiling on this machine.

Starts gunicorn (sync workers, DEBUG off) on a fresh database beside the configured one, loads
the demo newsroom and 50 approved comments on the reference article, and measures with wrk:

- C: the ceiling, a trivial view (robots.txt);
- the article page cached and uncached (PAGE_CACHE_SECONDS=0), in zh-hans and zh-tw;
- home, category and search pages, cached.

Run: ``python -m bench.http [--seconds 10] [--connections 64] [--cache redis|database]``. The
shared cache is Redis (127.0.0.1:6379, as production with more than one host) when it answers,
else the cache table in PostgreSQL. Prints a table and a last line
``ratios: article_cached=… article_uncached=… home_cached=… tw_over_hans=… …``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

import django

django.setup()

from tests.servers import (  # noqa: E402
    drop_database,
    gunicorn,
    manage,
    prepare_site,
    production_env,
    redis_is_running,
    sibling_database_url,
)

COMMENTS = """
from django.contrib.auth.models import User
from articles.models import Article
from comments.models import Comment
article = Article.objects.get(title__startswith="江苏省党政代表团")
moderator = User.objects.create_user("bench-moderator", is_staff=True)
for n in range(50):
    c = Comment.objects.create(
        article=article, nickname=f"读者{n}", body=f"第{n}条评论：支持苏粤合作，期待更多成果。"
    )
    c.approve(by=moderator)
print(article.pk)
"""


def wrk(url: str, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--cache",
        choices=("redis", "database"),
        default="redis" if redis_is_running() else "database",
        help="shared cache: Redis at 127.0.0.1:6379/6 (default when it answers) or PostgreSQL",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    name = "portal_bench_http"
    extra = {"COMMENT_MIN_SECONDS": 0}
    if args.cache == "redis":
        extra.update(REDIS_URL="redis://127.0.0.1:6379/6", CACHE_KEY_PREFIX="bench")
    env = production_env(sibling_database_url(name), **extra)
    try:
        prepare_site(env)
        article = int(manage(env, "shell", "-c", COMMENTS).strip().splitlines()[-1])
        pages = {
            "ceiling (robots.txt)": "/robots.txt",
            "article zh-hans": f"/zh-hans/articles/{article}/",
            "article zh-tw": f"/zh-tw/articles/{article}/",
            "home": "/zh-hans/",
            "category": "/zh-hans/category/jiangsu/",
            "search 苏粤": "/zh-hans/search/?q=%E8%8B%8F%E7%B2%A4",
        }
        results = {}
        for mode, cache_seconds in (("cached", 600), ("uncached", 0)):
            served = {**env, "PAGE_CACHE_SECONDS": str(cache_seconds)}
            with gunicorn(served, workers=args.workers) as base:
                for label, path in pages.items():
                    if mode == "uncached" and not label.startswith(("article", "ceiling")):
                        continue
                    wrk(base + path, 2, args.connections)  # warm up workers and caches
                    results[(label, mode)] = wrk(base + path, args.seconds, args.connections)
                if mode == "uncached":
                    # Rendering runs vary ±10 %; the variants are compared on a second, interleaved
                    # round each, averaged, so tw_over_hans is not one run's noise.
                    for label in ("article zh-hans", "article zh-tw"):
                        again = wrk(base + pages[label], args.seconds, args.connections)
                        first = results[(label, mode)]
                        results[(label, mode)] = {
                            "rps": (first["rps"] + again["rps"]) / 2,
                            "p99_ms": max(first["p99_ms"], again["p99_ms"]),
                            "errors": first["errors"] + again["errors"],
                        }
    finally:
        drop_database(name)

    ceiling = results[("ceiling (robots.txt)", "cached")]["rps"]
    setup = f"{args.cache} cache, {args.workers} sync workers, {args.connections} connections"
    print(f"\nshared {setup}")
    print(f"{'page':<22} {'mode':<9} {'req/s':>9} {'× C':>6} {'p99 ms':>8} {'non-2xx':>8}")
    for (label, mode), r in results.items():
        print(
            f"{label:<22} {mode:<9} {r['rps']:>9.0f} {r['rps'] / ceiling:>6.2f} "
            f"{r['p99_ms']:>8.1f} {r['errors']:>8}"
        )
    hans = results[("article zh-hans", "uncached")]
    tw = results[("article zh-tw", "uncached")]
    print(
        "ratios: "
        f"article_cached={results[('article zh-hans', 'cached')]['rps'] / ceiling:.2f} "
        f"article_uncached={hans['rps'] / ceiling:.2f} "
        f"home_cached={results[('home', 'cached')]['rps'] / ceiling:.2f} "
        f"category_cached={results[('category', 'cached')]['rps'] / ceiling:.2f} "
        f"tw_over_hans={hans['rps'] / tw['rps']:.2f} "
        f"p99_cached_ms={results[('article zh-hans', 'cached')]['p99_ms']:.0f}"
    )


if __name__ == "__main__":
    main()
