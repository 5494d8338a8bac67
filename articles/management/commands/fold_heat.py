"""Fold the reads buffered in the shared cache into articles' heat (run from cron with Redis).

Reads are also folded as they come (every HEAT_BUFFER_SIZE-th read of an article); this command
catches the remainders of articles that stopped being read, and adds the reads an edge cache
served without the app from its reads logs (EDGE_READ_LOGS; each line once, however often this
runs).
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
        from_edge = Article.fold_edge_reads()
        folded = Article.fold_all_reads()
        if verbosity:
            total = folded + from_edge
            self.stdout.write(f"fold_heat: folded {total} reads ({from_edge} from edges)")
