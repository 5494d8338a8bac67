"""What ``manage.py backup`` and ``manage.py restore`` share: PostgreSQL's own client programs,
pointed at the server a Django connection uses (the embedded one or ``DATABASE_URL``)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management import CommandError

from portal import embedded_postgres

# Connection parameters passed on to pg_dump/pg_restore through libpq's environment variables.
_SSL_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


def client_program(name: str, server_version: int) -> str:
    """pgserver's ``name`` (PostgreSQL 16), or the machine's when the server is newer.

    pg_dump refuses a server newer than itself, and a dump is only as good as the pg_dump that
    wrote it; pg_restore reads archives from its own version and older ones.
    """
    server_major = server_version // 10000
    candidates = [embedded_postgres.bin_dir() / name]
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    versions = []
    for program in candidates:
        major = _major_version(program)
        if major is not None and major >= server_major:
            return str(program)
        versions.append(f"{program} ({major})")
    raise CommandError(
        f"No {name} for PostgreSQL {server_major} or newer (found: {', '.join(versions)}). "
        f"Install PostgreSQL {server_major}'s client programs (postgresql-client-{server_major})."
    )


def _major_version(program: Path) -> int | None:
    try:
        output = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\) (\d+)", output)
    return int(match.group(1)) if match else None


def connection_arguments(connection) -> tuple[list[str], dict]:
    """Command-line arguments and environment that make a PostgreSQL client program connect
    where Django's ``connection`` does. Returns ``(args, env)``; the password goes in ``env``."""
    connection.ensure_connection()
    info = connection.connection.info
    args = ["--host", info.host, "--port", str(info.port), "--username", info.user]
    env = {**os.environ}
    if info.password:
        env["PGPASSWORD"] = info.password
    parameters = info.get_parameters()
    for parameter, variable in _SSL_ENVIRONMENT.items():
        if parameter in parameters:
            env[variable] = parameters[parameter]
    return args, env


def server_version(connection) -> int:
    connection.ensure_connection()
    return connection.connection.info.server_version
