"""Re-render every category, article and approved comment from what was written.

Run it after upgrading OpenCC or after bulk glossary changes; requests never convert text.
"""

import sys
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article, Category, GlossaryTerm
from articles.signals import glossary_changed


class Command(BaseCommand):
    help = "Recompute the four script variants (and search documents) of all content."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        glossary = GlossaryTerm.objects.as_glossary()
        total = Article.objects.count()
        if dry_run:
            self.stdout.write(f"reconvert: would re-render {total} articles")
            return
        started = time.monotonic()
        for category in Category.objects.all():
            category.save(glossary=glossary)
        for done, article in enumerate(Article.objects.order_by("pk").iterator(chunk_size=200), 1):
            with transaction.atomic():
                article.save(glossary=glossary, update_fields=Article.RENDERED_FIELDS)
            if verbosity and sys.stdout.isatty():
                self.stdout.write(f"\r{self.bar(done, total)}", ending="")
        # Approved comments are re-rendered by the comments app for every glossary term.
        glossary_changed.send(
            sender=GlossaryTerm, terms={t.written for t in glossary.terms}, glossary=glossary
        )
        self.stdout.write(
            f"\nreconvert: {total} articles in {time.monotonic() - started:.1f} s"
            if verbosity
            else ""
        )

    @staticmethod
    def bar(done: int, total: int, width: int = 40) -> str:
        filled = width * done // max(total, 1)
        return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
