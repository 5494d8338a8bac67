"""The edge cache (edge/portal.conf.template) in front of gunicorn, measured on this machine.

Starts gunicorn (sync workers, DEBUG off) on a fresh database beside the configured one with the
demo newsroom and 50 approved comments on the reference article, and the shipped nginx in
front of it, purged by the app. Three measurements:

- ``edge_over_static``: the reference article (zh-hans) served by the edge from its cache,
  against the same nginx handing out the same bytes as a static file — wrk, 64 connections,
  the two interleaved (static, edge, static, edge, …) and compared as means;
- ``edge_stale_ok``: with a page lifetime of 2 s and stale-if-error of 4 s, the article is read
  once, gunicorn is stopped, and the edge must answer 200 (HIT, then STALE) for those 6 s — and
  refuse it (502) once they have passed, since the time is bounded;
- ``fresh_misses``: readers load the article through the edge without pause while a moderator
  approves 100 comments one by one; a read that began after an approval returned (its commit and
  its purges done) and shows fewer comments than approved by then is a miss. Target: 0.

Run: ``python -m bench.edge [--seconds 8] [--connections 64] [--readers 6]``. The shared cache
is Redis (127.0.0.1:6379, as production with more than one host) when it answers. Prints a last
line ``ratios: edge_over_static=… edge_stale_ok=… fresh_misses=…``.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

import django

django.setup()

import edge  # noqa: E402
from bench.http import COMMENTS, wrk  # noqa: E402
from tests.servers import (  # noqa: E402
    drop_database,
    free_port,
    gunicorn,
    manage,
    prepare_site,
    production_env,
    redis_is_running,
    sibling_database_url,
)

APPROVALS = """
import random, sys, time
from django.contrib.auth.models import User
from articles.models import Article
from comments.models import Comment
article = Article.objects.get(pk={pk})
moderator = User.objects.get(username="bench-moderator")
pending = [
    Comment.objects.create(article=article, nickname="读者", body=f"新鲜度检查第{{n}}条")
    for n in range({count})
]
print("ready", flush=True)
sys.stdin.readline()
for comment in pending:
    comment.approve(by=moderator)
    print(time.time(), flush=True)
    time.sleep(random.uniform(0, 0.05))
"""

COUNT = re.compile(r'class="comment-count"[^>]*>(\d+)</a>')


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def serve(env: dict, run_dir: Path, port: int, **options):
    """gunicorn on its own port and the edge on ``port`` in front of it (a context)."""

    class Stack:
        def __enter__(self):
            self.app = gunicorn(env)
            base = self.app.__enter__()
            self.edge = edge.running(
                run_dir, port=port, app=base.removeprefix("http://"), **options
            )
            return self.edge.__enter__()

        def stop_app(self):
            self.app.__exit__(None, None, None)
            self.app = None

        def __exit__(self, *exc):
            self.edge.__exit__(*exc)
            if self.app is not None:
                self.app.__exit__(*exc)

    return Stack()


def edge_over_static(env, run_dir, article, args) -> dict:
    port = free_port()
    static = run_dir / "static"
    static.mkdir()
    served = {**env, "EDGE_PURGE_URLS": f"http://127.0.0.1:{port}"}
    with serve(served, run_dir / "nginx", port, workers=2, static_root=static) as front:
        page = f"{front.base}/zh-hans/articles/{article}/"
        get(page)
        status, body = get(page)
        assert status == 200
        (static / "article.html").write_text(body)
        # The edge keeps the page gzipped as the app sent it; nginx serves the static copy's
        # gzipped twin to the same requests (gzip_static).
        (static / "article.html.gz").write_bytes(gzip.compress(body.encode(), mtime=0))
        copy = f"{front.base}/static/article.html"
        assert get(copy)[1] == body
        for url in (page, copy):
            wrk(url, 2, args.connections)  # warm up
        runs = {"edge": [], "static": []}
        for _ in range(args.rounds):
            runs["static"].append(wrk(copy, args.seconds, args.connections))
            runs["edge"].append(wrk(page, args.seconds, args.connections))
        hits = sum(1 for line in front.access_log.read_text().splitlines() if " HIT " in line)
    result = {name: sum(r["rps"] for r in found) / len(found) for name, found in runs.items()}
    result["p99_edge_ms"] = max(r["p99_ms"] for r in runs["edge"])
    result["p99_static_ms"] = max(r["p99_ms"] for r in runs["static"])
    result["errors"] = sum(r["errors"] for found in runs.values() for r in found)
    result["hits"] = hits
    result["bytes"] = len(body.encode())
    return result


def stale(env, run_dir, article, lifetime=2, stale_for=4) -> dict:
    port = free_port()
    served = {
        **env,
        "EDGE_PURGE_URLS": f"http://127.0.0.1:{port}",
        "PAGE_CACHE_SECONDS": str(lifetime),
        "EDGE_STALE_IF_ERROR": str(stale_for),
    }
    stack = serve(served, run_dir / "stale", port)
    with stack as front:
        page = f"{front.base}/zh-hans/articles/{article}/"
        assert get(page)[0] == 200
        stored = time.monotonic()
        stack.stop_app()
        answers = []
        while time.monotonic() - stored < lifetime + stale_for - 0.5:
            answers.append(get(page)[0])
            time.sleep(0.1)
        time.sleep(max(0.0, lifetime + stale_for + 1 - (time.monotonic() - stored)))
        after = get(page)[0]
    return {"answers": answers, "after": after}


def freshness(env, run_dir, article, args) -> dict:
    port = free_port()
    served = {**env, "EDGE_PURGE_URLS": f"http://127.0.0.1:{port}"}
    with serve(served, run_dir / "fresh", port, workers=2) as front:
        page = f"{front.base}/zh-hans/articles/{article}/"
        body = get(page)[1]
        start_count = int(COUNT.search(body).group(1))
        moderator = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", APPROVALS.format(pk=article, count=100)],
            cwd=edge.ROOT,
            env=served,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        while moderator.stdout.readline().strip() != "ready":
            if moderator.poll() is not None:
                raise RuntimeError("the moderator's script failed")
        reads, stop = [], threading.Event()

        def reader():
            mine = []
            while not stop.is_set():
                began = time.time()
                status, html = get(page)
                found = COUNT.search(html) if status == 200 else None
                mine.append((began, int(found.group(1)) if found else -1))
            reads.extend(mine)

        threads = [threading.Thread(target=reader) for _ in range(args.readers)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        moderator.stdin.write("go\n")
        moderator.stdin.flush()
        approved_at = [float(line) for line in moderator.stdout]
        moderator.wait()
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join()
    misses, during = 0, 0
    for began, count in reads:
        due = sum(1 for moment in approved_at if moment < began)
        if approved_at and approved_at[0] <= began <= approved_at[-1]:
            during += 1
        if count < start_count + due:
            misses += 1
    return {
        "approvals": len(approved_at),
        "reads": len(reads),
        "during": during,
        "misses": misses,
        "seconds": approved_at[-1] - approved_at[0] if approved_at else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--readers", type=int, default=6)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    if edge.missing():
        sys.exit(f"the edge needs nginx and its purge module: {edge.INSTALL_HINT}")

    name = "portal_bench_edge"
    extra = {"COMMENT_MIN_SECONDS": 0, "WEB_CONCURRENCY": 2}
    cache = "database"
    if redis_is_running():
        cache = "redis"
        extra.update(REDIS_URL="redis://127.0.0.1:6379/7", CACHE_KEY_PREFIX="bench-edge")
    env = production_env(sibling_database_url(name), **extra)
    with tempfile.TemporaryDirectory(prefix="bench-edge-") as tmp:
        run_dir = Path(tmp)
        env["EDGE_READ_LOGS"] = str(run_dir / "reads.log")
        try:
            prepare_site(env)
            thread = manage(env, "shell", "-c", COMMENTS).strip().splitlines()[-1]
            article = json.loads(thread)["article"]
            speed = edge_over_static(env, run_dir, article, args)
            down = stale(env, run_dir, article)
            fresh = freshness(env, run_dir, article, args)
        finally:
            drop_database(name)

    ratio = speed["edge"] / speed["static"]
    stale_ok = all(status == 200 for status in down["answers"]) and down["after"] != 200
    print(f"\nshared {cache} cache, 2 sync workers, 2 nginx workers, {args.connections} clients")
    print(
        f"reference article ({speed['bytes']:,} bytes): edge {speed['edge']:,.0f} req/s "
        f"(p99 {speed['p99_edge_ms']:.1f} ms), same bytes as a static file "
        f"{speed['static']:,.0f} req/s (p99 {speed['p99_static_ms']:.1f} ms), "
        f"non-2xx {speed['errors']}"
    )
    print(
        f"gunicorn stopped: {len(down['answers'])} reads over the 2 s lifetime + 4 s "
        f"stale-if-error, statuses {sorted(set(down['answers']))}; after them {down['after']}"
    )
    print(
        f"freshness: {fresh['approvals']} approvals in {fresh['seconds']:.1f} s, "
        f"{fresh['reads']} reads ({fresh['during']} while approving), "
        f"{fresh['misses']} began after an approval returned and missed it"
    )
    print(
        f"ratios: edge_over_static={ratio:.2f} edge_stale_ok={int(stale_ok)} "
        f"fresh_misses={fresh['misses']} fresh_reads={fresh['during']}"
    )


if __name__ == "__main__":
    main()
