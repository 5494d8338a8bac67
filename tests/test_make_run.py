"""`make run` sets everything up and serves the portal with gunicorn."""

import os
import signal
import subprocess

from tests.servers import ROOT, drop_database, free_port, sibling_database_url, wait_until_healthy
from tests.servers import get as fetch

# With DATABASE_URL set, `make run` fills that database: here a fresh one beside it, so the
# server's own databases (CI's `postgres`) are left as they were.
SCRATCH = "portal_test_make_run" + os.environ.get("TEST_DB_SUFFIX", "")


def test_make_run_serves_healthz_and_the_home_page(tmp_path):
    port = free_port()
    log = (tmp_path / "make-run.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(PORT=str(port), WEB_CONCURRENCY="2")
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = sibling_database_url(SCRATCH)
    server = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        log_text = (tmp_path / "make-run.log").read_text
        body = wait_until_healthy(base, server, 90, lambda: log_text()[-3000:])
        assert body == '{"status": "ok"}'

        status, headers, _ = fetch(f"{base}/")
        assert status == 302
        assert headers["Location"] == "/zh-hans/"
        status, _, html = fetch(f"{base}/zh-hans/")
        assert status == 200
        assert "新闻门户" in html
        assert html.count('class="item"') == 20  # demo content was loaded
        status, headers, _ = fetch(f"{base}/static/css/site.css")
        assert status == 200  # whitenoise serves collected static files
        assert headers["Content-Type"].startswith("text/css")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        if env.get("DATABASE_URL"):
            drop_database(SCRATCH)
    output = (tmp_path / "make-run.log").read_text()
    assert "Booting worker" in output
    assert '"GET /healthz HTTP/1.1" 200' in output  # access log is on
    assert "Control socket listening" not in output  # no per-user socket shared by instances
    if not os.environ.get("DATABASE_URL"):
        # Stopped, `make run` says in one line what is left running and how to stop it.
        hint = [line for line in output.splitlines() if "embedded PostgreSQL" in line]
        assert len(hint) == 1, output[-3000:]
        assert "is still running; `make stop-db` stops it." in hint[0]
