"""The shipped edge cache: nginx configuration templates and a way to run them.

``portal.conf.template`` is the configuration a deployment installs (``python -m edge.render``);
``nginx.conf.template`` wraps it into a standalone nginx for ``make edge`` (``edge/serve.py``),
the tests and the benchmark, which all run the same file. Nothing here imports Django.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
INSTALL_HINT = "apt-get install -y nginx libnginx-mod-http-cache-purge"


def fill(template: str, values: dict) -> str:
    """The template with every ``@NAME@`` replaced; a name left unfilled is an error."""
    text = (HERE / template).read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    leftover = sorted(set(re.findall(r"@([A-Z_]+)@", text)))
    if leftover:
        raise ValueError(f"{template}: no value for {', '.join(leftover)}")
    return text


def site_config(
    *,
    listen: str,
    app: str,
    cache_dir: Path,
    reads_log: Path,
    access_log: str,
    static_root: Path = ROOT / "staticfiles",
    media_root: Path = ROOT / "var" / "media",
    server_name: str = "_",
    purge_from: str = "127.0.0.1 ::1",
    cache_size: str = "1g",
) -> str:
    """portal.conf for one site: nginx listening on ``listen``, the app at ``app``
    (``127.0.0.1:8001`` or ``unix:/run/portal.sock``), purges accepted from the addresses (or
    CIDR ranges) in ``purge_from``."""
    return fill(
        "portal.conf.template",
        {
            "LISTEN": listen,
            "APP": app,
            "CACHE_DIR": cache_dir,
            "CACHE_SIZE": cache_size,
            "READS_LOG": reads_log,
            "ACCESS_LOG": access_log,
            "STATIC_ROOT": str(static_root).rstrip("/"),
            "MEDIA_ROOT": str(media_root).rstrip("/"),
            "SERVER_NAME": server_name,
            "PURGE_ALLOW": " ".join(f"allow {address};" for address in purge_from.split()),
        },
    )


def missing() -> str | None:
    """What is missing to run the edge (None when nginx and the purge module are installed)."""
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        return "nginx"
    if not PURGE_MODULE.exists():
        return "libnginx-mod-http-cache-purge"
    return None


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def worker_user() -> str:
    """Started by root, nginx would run its workers as nobody, who may not enter the run
    directory or the checkout (under /root, a 0700 temporary directory): they run as the user
    who started it, as they do for anyone else."""
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name};"


class Edge:
    """A standalone nginx serving portal.conf from ``run_dir``."""

    def __init__(self, run_dir: Path, *, port: int, app: str, workers: int = 1, **site):
        self.run_dir = Path(run_dir).resolve()
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.reads_log = self.run_dir / "reads.log"
        self.access_log = self.run_dir / "access.log"
        self.error_log = self.run_dir / "error.log"
        self.process = None
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
            (self.run_dir / sub).mkdir(exist_ok=True)
        site.setdefault("listen", f"127.0.0.1:{port}")
        site.setdefault("access_log", str(self.access_log))
        (self.run_dir / "portal.conf").write_text(
            site_config(app=app, cache_dir=self.run_dir / "cache", reads_log=self.reads_log, **site)
        )
        (self.run_dir / "nginx.conf").write_text(
            fill(
                "nginx.conf.template",
                {
                    "RUN_DIR": self.run_dir,
                    "ERROR_LOG": self.error_log,
                    "WORKERS": workers,
                    "USER": worker_user(),
                },
            )
        )

    def command(self) -> list[str]:
        return [nginx_binary(), "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf")]

    def check(self) -> None:
        """``nginx -t``: the configuration as filled in is valid."""
        result = subprocess.run(
            [*self.command(), "-t", "-q"], capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise RuntimeError(result.stderr)

    def start(self) -> None:
        self.check()
        self.process = subprocess.Popen(self.command(), start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(self.error_log.read_text()[-3000:]) from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: finish open responses
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def reopen_logs(self) -> None:
        """What logrotate does after renaming the logs: nginx opens them afresh."""
        os.kill(self.process.pid, signal.SIGUSR1)


@contextmanager
def running(run_dir: Path, *, port: int, app: str, **options):
    """A started Edge in front of ``app``; stopped on exit."""
    edge = Edge(run_dir, port=port, app=app, **options)
    edge.start()
    try:
        yield edge
    finally:
        edge.stop()
