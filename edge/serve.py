"""``make edge``: the portal as ``make run`` serves it, behind the shipped edge cache.

gunicorn listens on a socket under ``var/edge/``; nginx (``edge/portal.conf.template``) on
127.0.0.1:$PORT, starting each time with an empty cache (content may have changed while it was
not there to be purged). Changes purge it (``EDGE_PURGE_URLS`` defaults to it); the reads it
serves itself go to ``var/edge/reads.log`` for ``manage.py fold_heat``. Ctrl-C stops both.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

from edge import INSTALL_HINT, ROOT, Edge, missing


def main() -> int:
    lacking = missing()
    if lacking:
        print(f"make edge needs {lacking}; as root run: {INSTALL_HINT}", file=sys.stderr)
        return 1
    port = int(os.environ.get("PORT", "8000"))
    run_dir = ROOT / "var" / "edge"
    shutil.rmtree(run_dir / "cache", ignore_errors=True)
    app_socket = run_dir / "gunicorn.sock"
    edge = Edge(run_dir, port=port, app=f"unix:{app_socket}", workers="auto")
    env = {
        **os.environ,
        "GUNICORN_BIND": f"unix:{app_socket}",
        "EDGE_PURGE_URLS": os.environ.get("EDGE_PURGE_URLS", edge.base),
        # The reader's address arrives in X-Forwarded-For from the edge (rate limits).
        "TRUSTED_PROXY_COUNT": os.environ.get("TRUSTED_PROXY_COUNT", "1"),
        # The edge keys pages without the host: their absolute links must not depend on it.
        "SITE_URL": os.environ.get("SITE_URL", edge.base),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        edge.start()
        print(
            f"Edge cache on {edge.base}/ in front of gunicorn on {app_socket}; "
            f"its log: {edge.access_log.relative_to(ROOT)}. Ctrl-C stops both.",
            flush=True,
        )
        while not stopping and app.poll() is None and edge.process.poll() is None:
            time.sleep(0.2)
    finally:
        edge.stop()
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGTERM)
        app.wait()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
