"""Store the comments spooled while the database was down (comments/spool.py).

Workers replay the spool by themselves once the database answers again; run this from cron or
by hand to do it at once. Safe to run any number of times: each comment is stored once.
"""

from django.core.management.base import BaseCommand

from comments import spool


class Command(BaseCommand):
    help = "Store comments spooled during a database outage (each exactly once)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say how many wait.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if dry_run:
            waiting = spool.count() if spool.waiting() else 0
            self.stdout.write(f"replay_comments: {waiting} spooled comments waiting")
            return
        stored = spool.replay()
        if verbosity:
            self.stdout.write(f"replay_comments: stored {stored} spooled comments")
