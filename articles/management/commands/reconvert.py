"""Re-render every category, article and approved comment from what was written.

Run it after upgrading OpenCC, after changing the conversion tables in portal/variants/convert.py
or after loading glossary entries in bulk (a migration); requests never convert text, so stored
renderings stay as they were until this runs. Editing one glossary entry in the admin already
re-renders the articles containing it.
"""

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
        categories = Category.objects.count()
        if dry_run:
            self.stdout.write(
                f"reconvert: would re-render {categories} categories and {total} articles"
            )
            return
        started = time.monotonic()
        for category in Category.objects.all():
            category.save(glossary=glossary)
        tty = self.stdout.isatty()
        step = max(total // 20, 1)  # without a terminal, a line every 5%
        articles = Article.objects.order_by("pk").iterator(chunk_size=200)
        for done, article in enumerate(articles, 1):
            with transaction.atomic():
                article.save(glossary=glossary, update_fields=Article.RENDERED_FIELDS)
            if verbosity and (tty or done % step == 0 or done == total):
                self.stdout.write(("\r" if tty else "") + self.bar(done, total), ending="")
                if not tty:
                    self.stdout.write("")
        # Every approved comment too (the comments app listens; terms=None means all of them).
        glossary_changed.send(sender=GlossaryTerm, terms=None, glossary=glossary)
        if verbosity:
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"{chr(10) if tty and total else ''}reconvert: {categories} categories, "
                f"{total} articles in {elapsed:.1f} s"
            )

    @staticmethod
    def bar(done: int, total: int, width: int = 40) -> str:
        filled = width * done // max(total, 1)
        return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
