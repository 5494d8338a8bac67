"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

``pgserver`` ships PostgreSQL binaries on PyPI, so a fresh clone needs no system database.
Nothing happens when this package (or the settings naming it) is imported: the database backend
in ``base.py`` calls :func:`start` on its first connection in a process, and ``make start-db``
(``python -m portal.embedded_postgres start``) does the same from the shell. The server listens
only on a Unix socket (inside the data directory, unless that path is too long for a socket) and
is left running, so that gunicorn workers, ``manage.py`` and pytest all share it; pgserver's own
file lock makes concurrent start-ups safe. ``make stop-db`` stops it.
"""

import os
import threading
import warnings
from contextlib import suppress
from importlib.util import find_spec
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATA_DIR = BASE_DIR / "var" / "pgdata"
DATABASE_NAME = "portal"
USER = "postgres"

_lock = threading.Lock()
_started: dict[Path, str] = {}


def data_dir_from_environment() -> Path:
    """``EMBEDDED_PG_DIR`` (relative to the project) or ``var/pgdata``, as in the settings."""
    return BASE_DIR / os.environ.get("EMBEDDED_PG_DIR", DEFAULT_DATA_DIR)


def bin_dir() -> Path:
    """Where pgserver keeps its PostgreSQL programs (psql, pg_dump, pg_restore …)."""
    return Path(find_spec("pgserver").submodule_search_locations[0]) / "pginstall" / "bin"


def start(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the server in ``data_dir``, create ``database`` if missing, and return
    the directory of the server's Unix socket (psycopg's ``host``). Once per process."""
    data_dir = Path(data_dir).resolve()
    with _lock:
        if data_dir not in _started:
            socket_dir = _start_server(data_dir)
            _create_database(socket_dir, database)
            _started[data_dir] = socket_dir
        return _started[data_dir]


def _start_server(data_dir: Path) -> str:
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset; pgserver only keeps a lock file there.
        warnings.simplefilter("ignore")
        import pgserver

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        # initdb takes its locale from the environment. Chinese characters only count as word
        # characters for full-text search under a UTF-8 LC_CTYPE, so never let it fall back to
        # "C". pgserver runs initdb and pg_ctl itself, without an env argument.
        saved = {name: os.environ.get(name) for name in ("LC_ALL", "LANG")}
        os.environ.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")
        try:
            server = pgserver.get_server(data_dir, cleanup_mode=None)
            if running_pid(data_dir) is None:
                # pgserver keeps one handle per process and per directory, and does not look
                # again whether a server it had found (and :func:`stop` stopped) still runs.
                server.ensure_postgres_running()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return str(server.get_postmaster_info().socket_dir)


def _create_database(socket_dir: str, database: str) -> None:
    import psycopg

    with psycopg.connect(host=socket_dir, user=USER, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            return
        # Another process may create it at the same moment.
        with suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            conn.execute(
                f"CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def running_pid(data_dir: Path) -> int | None:
    """The postmaster's pid when a server is running in ``data_dir``, else None."""
    try:
        pid = int((Path(data_dir) / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except PermissionError:
        return pid  # running, as pgserver's own user
    except (OSError, ValueError):
        return None
    return pid


def stop(data_dir: Path) -> bool:
    """Stop the server in ``data_dir`` (the data stays); False when none was running."""
    data_dir = Path(data_dir).resolve()
    if running_pid(data_dir) is None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs it as this user under root
    pgserver.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=data_dir, user=user)
    with _lock:
        _started.pop(data_dir, None)
    return True
