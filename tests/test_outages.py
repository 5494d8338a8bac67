"""When parts fail: a PostgreSQL the test stops and starts under running gunicorn workers, and a
Redis the test starts on a spare port and kills. Readers keep reading, nothing posted is lost."""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.servers import (
    Session,
    copy_rows,
    database_url,
    drop_database,
    free_port,
    get,
    gunicorn,
    manage,
    production_env,
    reference_article_id,
    sibling_database_url,
)


class Postgres:
    """An embedded PostgreSQL of this test's own (the suite's database stays up)."""

    def __init__(self, data_dir):
        import pgserver

        os.environ.setdefault("LC_ALL", "C.UTF-8")
        self.server = pgserver.get_server(data_dir, cleanup_mode="delete")
        socket_dir = self.server.get_uri().split("host=")[1].split("&")[0]
        self.server.psql(
            "CREATE DATABASE portal TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';"
        )
        self.url = f"postgres://postgres@/portal?host={socket_dir}"
        self.socket_dir = socket_dir

    def stop(self):
        from pgserver._commands import pg_ctl

        pg_ctl(
            ["-m", "fast", "-w", "stop"], pgdata=self.server.pgdata, user=self.server.system_user
        )

    def start(self):
        self.server.ensure_postgres_running()

    def pending_bodies(self) -> list[str]:
        with psycopg.connect(dbname="portal", host=self.socket_dir, user="postgres") as conn:
            rows = conn.execute("SELECT body FROM comments_comment WHERE status = 'pending'")
            return [row[0] for row in rows]


@pytest.fixture(scope="module")
def postgres(prepared_site):
    # Not under pytest's base directory (see the server_dir fixture in conftest.py).
    pg = Postgres(Path(tempfile.mkdtemp(prefix="portal-outage-pg-")) / "pgdata")
    env = production_env(pg.url, COMMENT_MIN_SECONDS=0)
    # The site as `make run` sets it up: migrated here, its rows copied from the prepared one.
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "createcachetable")
    copy_rows(database_url(prepared_site), pg.url)
    yield pg, env, reference_article_id(pg.url)
    pg.start()
    pg.server.cleanup()


def tokens_for(reader: Session, article_id: int) -> dict:
    status, answer = reader.request(f"/zh-hans/articles/{article_id}/comments/tokens/")
    assert status == 200
    return json.loads(answer)


def comment(tokens: dict, body: str) -> dict:
    return {
        "csrfmiddlewaretoken": tokens["csrf"],
        "token": tokens["token"],
        "nickname": "",
        "body": body,
        "website": "",
    }


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="make test installs redis-server")
def test_with_postgresql_down_readers_read_and_a_comment_is_spooled_then_stored_once(
    postgres, tmp_path
):
    pg, env, article_id = postgres
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    served = {
        **env,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "COMMENT_SPOOL": str(tmp_path / "spool.jsonl"),
    }
    article = f"/zh-hans/articles/{article_id}/"
    try:
        with gunicorn(served, workers=2) as base:
            reader = Session(base)
            assert reader.request(article)[0] == 200  # now in the shared cache
            tokens = tokens_for(reader, article_id)
            pg.stop()
            try:
                for _ in range(6):  # whichever worker answers
                    status, headers, _ = get(base + article)
                    assert (status, headers["X-Page-Cache"]) == (200, "hit")
                status, headers, body = get(base + "/zh-hans/category/jiangsu/")
                assert status == 503 and headers["Retry-After"] and "服务暂时不可用" in body
                assert get(base + "/healthz")[0] == 503
                status, answer = reader.request(
                    f"{article}comments/", comment(tokens, "数据库停机时发表的留言")
                )
                assert status == 202 and "留言已提交" in answer
            finally:
                pg.start()
            wait_for(lambda: get(base + "/healthz")[0] == 200)

            def stored():
                get(base + "/zh-hans/")  # any request lets a worker replay the spool
                return "数据库停机时发表的留言" in pg.pending_bodies()

            wait_for(stored)
            manage(served, "replay_comments")  # a second replay stores nothing more
            assert pg.pending_bodies().count("数据库停机时发表的留言") == 1
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def test_with_the_database_cache_a_worker_serves_its_recent_pages_stale(postgres):
    pg, env, article_id = postgres
    article = f"/zh-hans/articles/{article_id}/"
    with gunicorn(env, workers=1) as base:
        assert get(base + article)[0] == 200
        pg.stop()
        try:
            status, headers, body = get(base + article)
            assert (status, headers["X-Page-Cache"]) == (200, "stale")
            assert "江苏省党政代表团" in body
            assert get(base + "/zh-hans/category/guangdong/")[0] == 503
        finally:
            pg.start()
        wait_for(lambda: get(base + "/healthz")[0] == 200)
        assert get(base + "/zh-hans/category/guangdong/")[0] == 200  # recovered, no restart


@pytest.mark.skipif(not shutil.which("redis-server"), reason="make test installs redis-server")
def test_with_redis_down_pages_are_served_uncached_and_comments_accepted(prepared_site):
    name = f"portal_redis_down_{secrets.token_hex(3)}"
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = sibling_database_url(name, template=prepared_site)
    env = production_env(url, REDIS_URL=f"redis://127.0.0.1:{port}/0", COMMENT_MIN_SECONDS=0)
    try:
        article_id = reference_article_id(url)
        article = f"/zh-hans/articles/{article_id}/"
        with gunicorn(env, workers=2) as base:
            reader = Session(base)
            assert reader.request(article)[0] == 200
            tokens = tokens_for(reader, article_id)
            redis.kill()
            redis.wait(timeout=10)
            for _ in range(4):
                status, headers, body = get(base + article)
                assert status == 200 and "X-Page-Cache" not in headers
                assert "江苏省党政代表团" in body
            status, _ = reader.request(f"{article}comments/", comment(tokens, "缓存停机时的留言"))
            assert status == 302  # accepted (rate limits are open while Redis is down)
        count = manage(
            env,
            "shell",
            "-c",
            "from comments.models import Comment;"
            "print(Comment.objects.pending().filter(body='缓存停机时的留言').count())",
        )
        assert count.split()[-1] == "1"
    finally:
        if redis.poll() is None:
            redis.kill()
        drop_database(name)
