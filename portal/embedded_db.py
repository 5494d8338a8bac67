"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

``pgserver`` ships PostgreSQL binaries on PyPI, so a fresh clone needs no system database.
The server is started once, listens only on a Unix socket inside ``var/pgdata``, and is left
running (``cleanup_mode=None``) so that gunicorn workers, ``manage.py`` and pytest all share it;
pgserver's own file lock makes concurrent start-ups safe.
"""

import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "portal"


def _server(data_dir: Path):
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset; pgserver only keeps a lock file there.
        warnings.simplefilter("ignore")
        import pgserver

    # initdb takes its locale from the environment. Chinese characters only count as word
    # characters for full-text search under a UTF-8 LC_CTYPE, so never let it fall back to "C".
    os.environ["LC_ALL"] = "C.UTF-8"
    os.environ["LANG"] = "C.UTF-8"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(data_dir, cleanup_mode=None)


def database_settings(data_dir: Path) -> dict:
    """Start (or reuse) the embedded server and return a Django ``DATABASES`` entry for it."""
    server = _server(data_dir)
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(
            f"CREATE DATABASE {DATABASE_NAME} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';"
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": "",
    }


def stop(data_dir: Path) -> None:
    """Stop the embedded server (``make stop-db``); the data stays in ``data_dir``."""
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-m", "fast", "stop"], pgdata=data_dir, user=user)
