"""The embedded PostgreSQL starts on a process's first connection, never at import."""

import os
import subprocess
import sys

import psycopg

from tests.servers import ROOT

PROBE = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; import django; "
    "django.setup(); import portal.settings; from django.conf import settings; "
)


def embedded_env(data_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DATABASE_URL"))}
    env.update(EMBEDDED_PG_DIR=str(data_dir), **extra)
    return env


def run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_importing_the_settings_starts_no_server_and_creates_nothing(tmp_path):
    data_dir = tmp_path / "fresh" / "pgdata"
    code = PROBE + "print(settings.DATABASES['default']['ENGINE'])"
    for production in (False, True):
        extra = {"SECRET_KEY": "x" * 50, "DEBUG": "false"} if production else {"DEBUG": "true"}
        result = run([sys.executable, "-c", code], embedded_env(data_dir, **extra))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "portal.embedded_postgres"
        assert not (tmp_path / "fresh").exists()


def test_first_connection_starts_the_server_and_creates_a_utf8_portal_database(server_dir):
    data_dir = server_dir / "pgdata"
    env = embedded_env(data_dir, DEBUG="true")
    code = PROBE + (
        "from concurrent.futures import ThreadPoolExecutor; from django.db import connections\n"
        "def ask(_):\n"
        "    with connections['default'].cursor() as c:\n"
        "        c.execute('SELECT current_database(), datctype FROM pg_database"
        " WHERE datname = current_database()')\n"
        "        row = c.fetchone()\n"
        "    connections.close_all()\n"
        "    return row\n"
        "print(set(ThreadPoolExecutor(4).map(ask, range(4))))"
    )
    try:
        result = run([sys.executable, "-c", code], env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "{('portal', 'C.UTF-8')}"
        status = run(["make", "-s", "start-db"], env)  # finds it running
        assert status.returncode == 0, status.stderr
        assert f"socket in {data_dir}" in status.stdout
        with psycopg.connect(host=str(data_dir), user="postgres", dbname="portal") as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stopped = run(["make", "-s", "stop-db"], env)
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stdout
    assert not (data_dir / "postmaster.pid").exists()
    assert "not running" in run(["make", "-s", "stop-db"], env).stdout


def test_a_server_stopped_under_a_process_starts_again_on_its_next_start(server_dir):
    from portal import embedded_postgres

    data_dir = server_dir / "pgdata"
    try:
        socket_dir = embedded_postgres.start(data_dir)
        first = embedded_postgres.running_pid(data_dir)
        assert embedded_postgres.stop(data_dir)
        assert embedded_postgres.running_pid(data_dir) is None
        assert embedded_postgres.start(data_dir) == socket_dir
        assert embedded_postgres.running_pid(data_dir) not in (None, first)
        with psycopg.connect(host=socket_dir, user="postgres", dbname="portal") as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        embedded_postgres.stop(data_dir)
