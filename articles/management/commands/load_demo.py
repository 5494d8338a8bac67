"""Load the demo newsroom shipped in ``articles/demo/``: categories, the reference article
(33℃, as on the page the portal was specified from) and 30-odd more articles.

Idempotent: categories by slug and articles by title are created once and never overwritten,
so an editor's changes to demo content survive ``make run``.
"""

import json
from datetime import datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Category, GlossaryTerm

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
CATEGORIES = [
    ("江苏", "jiangsu"),
    ("广东", "guangdong"),
    ("国内", "china"),
    ("国际", "world"),
    ("财经", "finance"),
    ("科技", "tech"),
]


class Command(BaseCommand):
    help = "Load the demo categories and articles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        self.verbosity = verbosity
        with transaction.atomic():
            created = self.load(dry_run)
            if dry_run:
                transaction.set_rollback(True)
        verb = "would create" if dry_run else "created"
        self.stdout.write(
            f"load_demo: {verb} {created['categories']} categories, {created['articles']} articles"
        )

    def load(self, dry_run: bool) -> dict:
        created = {"categories": 0, "articles": 0}
        glossary = GlossaryTerm.objects.as_glossary()
        categories = {}
        for position, (name, slug) in enumerate(CATEGORIES):
            category = Category.objects.filter(slug=slug).first()
            if category is None:
                category = Category(name=name, slug=slug, position=position)
                category.save(glossary=glossary)
                created["categories"] += 1
            categories[name] = category

        reference = json.loads((DEMO_DIR / "reference.zh-Hans.json").read_text("utf-8"))
        reference["published_at"] = datetime.fromisoformat(reference["published_at"])
        entries = [reference, *json.loads((DEMO_DIR / "articles.zh-Hans.json").read_text("utf-8"))]
        now = timezone.localtime()
        for entry in entries:
            if Article.objects.filter(title=entry["title"]).exists():
                continue
            published_at = entry.get("published_at") or (
                now - timedelta(days=entry["days_ago"])
            ).replace(hour=entry.get("hour", 9), minute=0, second=0, microsecond=0)
            if entry.get("days_ago", 0) >= 0 and published_at > now:
                # "Today at 10:00" loaded before 10:00 would be scheduled, not published.
                midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
                published_at = max(now - timedelta(minutes=30), midnight)
            article = Article(
                title=entry["title"],
                summary=entry["summary"],
                body="\n\n".join(entry["body"]),
                category=categories[entry["category"]],
                source=entry.get("source", ""),
                author=entry.get("author", ""),
                status=entry.get("status", Article.Status.PUBLISHED),
                published_at=published_at,
                is_headline=entry.get("headline", False),
            )
            article.save(glossary=glossary)
            Article.objects.filter(pk=article.pk).update(heat=entry.get("heat", 0))
            created["articles"] += 1
            if self.verbosity > 1:
                self.stdout.write(f"  + {article.pk} {article.title[:30]}")
        return created
