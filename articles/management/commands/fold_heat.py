"""Fold the reads buffered in the shared cache into articles' heat (run from cron with Redis).

Reads are also folded as they come (every HEAT_BUFFER_SIZE-th read of an article); this command
catches the remainders of articles that stopped being read.
"""

from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = "Fold buffered article reads into the heat column."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if dry_run:
            self.stdout.write("fold_heat: dry run, nothing folded")
            return
        folded = Article.fold_all_reads()
        if verbosity:
            self.stdout.write(f"fold_heat: folded {folded} reads")
