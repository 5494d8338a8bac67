"""``manage.py backup``: a pg_dump of the configured database (embedded or ``DATABASE_URL``).

Writes ``var/backups/portal-YYYYmmdd-HHMMSS.dump`` (local time, ``TIME_ZONE``) in pg_dump's
custom format, which ``manage.py restore`` (pg_restore) reads. The cache table's rows are left
out: they are rendered pages and counters, not data. ``make backup`` runs it.
"""

import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from portal.backups import client_program, connection_arguments, server_version


class Command(BaseCommand):
    help = "Write a pg_dump (custom format) of the database to var/backups/ with a timestamp."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            default=Path(settings.BASE_DIR) / "var" / "backups",
            type=Path,
            help="Where to write the dump (default: var/backups/).",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="Which database connection to back up (default: default).",
        )

    def handle(self, *args, directory: Path, database: str, verbosity: int, **options):
        connection = connections[database]
        pg_dump = client_program("pg_dump", server_version(connection))
        connect_args, env = connection_arguments(connection)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"portal-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
        target = directory / name
        partial = directory / f".{name}.partial"  # never mistaken for a finished backup
        if target.exists():
            raise CommandError(f"{target} already exists; try again in a second.")
        # Readable by its owner only: a dump holds password hashes and sessions.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        command = [
            pg_dump,
            *connect_args,
            "--format=custom",
            f"--file={partial}",
            *[f"--exclude-table-data={table}" for table in self._cache_tables(connection)],
            *(["--verbose"] if verbosity >= 2 else []),
            connection.settings_dict["NAME"],
        ]
        result = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
        if verbosity >= 2 or result.returncode:
            self.stderr.write(result.stderr, ending="")
        if result.returncode:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed (exit {result.returncode}); nothing was written.")
        partial.rename(target)
        if verbosity >= 1:
            size = target.stat().st_size
            self.stdout.write(f"Backup written: {target} ({size / 1024:.0f} KiB)")

    @staticmethod
    def _cache_tables(connection) -> list[str]:
        """Tables of Django's database caches on this connection (their rows are disposable)."""
        locations = {
            cache.get("LOCATION")
            for cache in settings.CACHES.values()
            if isinstance(cache.get("LOCATION"), str)
        }
        return sorted(locations & set(connection.introspection.table_names()))
