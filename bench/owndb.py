"""A database of the benchmark's own on the server the project uses (never ``portal`` or a test
database), kept between runs so a slow data set is generated once."""

import psycopg
from django.conf import settings
from django.db import connections

from tests.servers import server_params


def use_own_database(name: str, *, fresh: bool = False) -> bool:
    """Point Django's default connection at database ``name``, creating it when missing.

    Returns True when the database was (re)created. Call before any query.
    """
    assert name.startswith("bench_"), "benchmarks only write to databases named bench_*"
    with psycopg.connect(dbname="postgres", autocommit=True, **server_params()) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name
    return not exists
