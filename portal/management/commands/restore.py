"""``manage.py restore FILE``: restore a ``manage.py backup`` dump into an empty database.

The configured database (embedded or ``DATABASE_URL``) must have no tables: a restore never
overwrites data. Restore into a fresh database (a new ``EMBEDDED_PG_DIR``, or ``createdb``),
then point the site at it. The restore is one transaction: it succeeds whole or leaves the
database empty. Afterwards the shared cache is cleared, since its pages and counters describe
the data before the restore. ``make restore FILE=…`` runs it.
"""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from portal.backups import client_program, connection_arguments, server_version


class Command(BaseCommand):
    help = "Restore a dump written by `manage.py backup` into the (empty) configured database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A .dump file from `manage.py backup`.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="Which database connection to restore into (default: default).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and that the database is empty; restore nothing.",
        )

    def handle(self, *args, file: Path, database: str, dry_run: bool, verbosity: int, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        connection = connections[database]
        name = connection.settings_dict["NAME"]
        tables = connection.introspection.table_names()
        if tables:
            raise CommandError(
                f"Database {name!r} is not empty ({len(tables)} tables): restore only goes into "
                "an empty database. Create a new one (createdb, or a new EMBEDDED_PG_DIR) and "
                "point DATABASE_URL or EMBEDDED_PG_DIR at it."
            )
        pg_restore = client_program("pg_restore", server_version(connection))
        listing = subprocess.run([pg_restore, "--list", file], capture_output=True, text=True)
        if listing.returncode:
            raise CommandError(f"{file} is not a pg_dump archive: {listing.stderr.strip()}")
        if dry_run:
            if verbosity >= 1:
                self.stdout.write(f"{file} can be restored into the empty database {name!r}.")
            return
        connect_args, env = connection_arguments(connection)
        # Objects belong to whoever restores (the embedded server's user and production's may
        # differ); one transaction, so a failure leaves the database as empty as it was.
        command = [
            pg_restore,
            *connect_args,
            f"--dbname={name}",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *(["--verbose"] if verbosity >= 2 else []),
            file,
        ]
        connection.close()
        result = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
        if verbosity >= 2 or result.returncode:
            self.stderr.write(result.stderr, ending="")
        if result.returncode:
            raise CommandError(f"pg_restore failed (exit {result.returncode}); nothing restored.")
        # A dump from a site that cached in Redis has no cache table for this configuration.
        call_command("createcachetable", database=database, verbosity=0)
        for alias in settings.CACHES:
            caches[alias].clear()
        if verbosity >= 1:
            self.stdout.write(f"Restored {file} into database {name!r}; the cache was cleared.")
