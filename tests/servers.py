"""Real servers for tests and benchmarks: a fresh database beside the configured one, and
gunicorn processes serving the portal from it, as `make run` would."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_params() -> dict:
    """psycopg's connection parameters for the server the project uses (any database on it)."""
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    if not host and db["ENGINE"] == "portal.embedded_postgres":
        from portal.embedded_postgres import start

        host = start(db["OPTIONS"]["data_dir"])  # no-op once a connection has started it
    params = {
        "host": host,
        "port": db.get("PORT") or None,
        "user": db["USER"],
    }
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return params


def maintenance(*statements: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **server_params()) as conn:
        for statement in statements:
            conn.execute(statement)


def sibling_database_url(name: str, template: str | None = None) -> str:
    """Create (afresh) database ``name`` on the server the project uses; return its URL.

    With ``template``, the new database is a copy of that one (which nobody may be connected to).
    """
    create = (
        f'CREATE DATABASE "{name}" TEMPLATE "{template}"'
        if template
        else f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )
    maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', create)
    return database_url(name)


def database_url(name: str) -> str:
    """The URL of database ``name`` on the server the project uses."""
    params = server_params()
    auth = quote(params["user"]) + (f":{quote(params['password'])}" if "password" in params else "")
    if params["host"].startswith("/"):
        return f"postgres://{auth}@/{name}?host={params['host']}"
    return f"postgres://{auth}@{params['host']}:{params['port'] or 5432}/{name}"


def copy_rows(source_url: str, target_url: str) -> None:
    """Replace the rows of every table of the target database with the source's; both have the
    same migrations applied (and cache table), on any two servers (pg_dump | pg_restore). Rows
    only: a schema dumped from one server may carry options another refuses."""
    from portal.backups import client_program

    with psycopg.connect(target_url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables"
            " WHERE schemaname = 'public'"
        ).fetchone()[0]
        conn.execute(f"TRUNCATE {tables} CASCADE")  # what migrations inserted, the dump has too
    with psycopg.connect(source_url) as conn:
        version = conn.info.server_version
    pg_dump, pg_restore = (client_program(name, version) for name in ("pg_dump", "pg_restore"))
    dump = subprocess.Popen(
        [pg_dump, "--format=custom", "--data-only", "--dbname", source_url],
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(
        [pg_restore, "--data-only", "--disable-triggers", "--exit-on-error", "-d", target_url],
        stdin=dump.stdout,
        capture_output=True,
        text=True,
        timeout=300,
    )
    dump.stdout.close()
    assert restore.returncode == 0, restore.stderr
    assert dump.wait(timeout=300) == 0, "pg_dump failed"


def drop_database(name: str) -> None:
    maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def production_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="test-servers-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage_result(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def manage(env: dict, *args: str) -> str:
    result = manage_result(env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def prepare_site(env: dict) -> None:
    """What `make run` does before serving: migrate, cache table, demo content, static files."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "load_demo", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")


REFERENCE_TITLE = "江苏省党政代表团到广东考察交流"


def reference_article_id(url: str) -> int:
    """The pk of the demo's reference article in the database at ``url``."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT id FROM articles_article WHERE starts_with(title, %s)", [REFERENCE_TITLE]
        ).fetchone()
    assert row, f"no reference article in {url}"
    return row[0]


def get(url: str, headers=None, data: bytes | None = None):
    """(status, headers, body) without following redirects."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, port: int | None = None):
    """Serve the portal with gunicorn; yields the base URL, stops the server on exit."""
    port = port or free_port()
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "-c",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, 60, lambda: process.stderr.read().decode()[-3000:])
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wait_until_healthy(base: str, process, seconds: float, output) -> str:
    """Poll /healthz until it answers 200; returns its body. ``output()`` explains a death."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, _, body = get(f"{base}/healthz")
            if status == 200:
                return body
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(output())
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} did not answer /healthz within {seconds} s")
        time.sleep(0.05)


class Session:
    """A reader with a cookie jar, speaking plain HTTP to a served site."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, path: str, form: dict | None = None, base: str | None = None):
        from urllib.parse import urlencode

        data = urlencode(form, doseq=True).encode() if form is not None else None
        request = urllib.request.Request((base or self.base) + path, data=data)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == settings.CSRF_COOKIE_NAME)


def hidden_input(html: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)" name="{name}"', html
    )
    assert match, f"no hidden input {name}"
    return match.group(1)
