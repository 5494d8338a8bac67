"""Load the demo newsroom shipped in ``articles/demo/``: categories, the reference article
(33℃, as on the page the portal was specified from) and 30-odd more articles, some with photos
drawn by ``articles/demo_photos.py`` and one formatted story (小标题, a quote, a list, photos).

Idempotent: categories by slug, articles by title and photos by caption are created once and
never overwritten, so an editor's changes to demo content survive ``make run``; a demo article
gets its lead photo only while it has none and no editor has saved it.

The one exception is punctuation: the demo once shipped the seed's ASCII commas (``来,潮涌``), so
a demo article no editor has saved, whose text differs from the shipped text only by those marks,
is given the full-width ones (``来，潮涌``) — once, as a revision of its own.
"""

import json
from datetime import datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo_photos
from articles.models import Article, Category, GlossaryTerm
from articles.photos import Photo, open_upload
from articles.punctuation import full_width

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
            f"load_demo: {verb} {created['categories']} categories, {created['articles']} "
            f"articles, {created['photos']} photos"
            + (f", re-punctuated {created['repunctuated']}" if created["repunctuated"] else "")
        )

    def load(self, dry_run: bool) -> dict:
        created = {"categories": 0, "articles": 0, "photos": 0, "repunctuated": 0}
        glossary = GlossaryTerm.objects.as_glossary()
        categories = {}
        for position, (name, slug) in enumerate(CATEGORIES):
            category = Category.objects.filter(slug=slug).first()
            if category is None:
                category = Category(name=name, slug=slug, position=position)
                category.save(glossary=glossary)
                created["categories"] += 1
            categories[name] = category

        shown = json.loads((DEMO_DIR / "photos.zh-Hans.json").read_text("utf-8"))
        photos = {
            name: self.photo(name, fields, glossary, created, dry_run)
            for name, fields in shown["photos"].items()
        }
        for story in shown["stories"]:
            story["body"] = [
                "".join(story["body"]).replace(
                    "{walkway}", photos["walkway"].src if photos["walkway"] else ""
                )
            ]

        reference = json.loads((DEMO_DIR / "reference.zh-Hans.json").read_text("utf-8"))
        reference["published_at"] = datetime.fromisoformat(reference["published_at"])
        entries = [
            reference,
            *json.loads((DEMO_DIR / "articles.zh-Hans.json").read_text("utf-8")),
            *shown["stories"],
        ]
        now = timezone.localtime()
        for entry in entries:
            loaded = Article.objects.filter(title=entry["title"]).first()
            if loaded is not None:
                if self.repunctuate(loaded, entry, glossary):
                    created["repunctuated"] += 1
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
            if entry.get("lead") and photos[entry["lead"]]:
                article.lead_photo = photos[entry["lead"]]
            article.save(glossary=glossary)
            Article.objects.filter(pk=article.pk).update(heat=entry.get("heat", 0))
            created["articles"] += 1
            if self.verbosity > 1:
                self.stdout.write(f"  + {article.pk} {article.title[:30]}")
        for title, name in shown["lead_photos"].items():
            untouched = Article.objects.filter(title=title, lead_photo=None).exclude(
                revisions__saved_by__isnull=False
            )
            for article in untouched.distinct():
                article.lead_photo = photos[name]
                article.save(glossary=glossary, update_fields=["lead_photo"])
        return created

    def repunctuate(self, article, entry, glossary) -> bool:
        """Give a loaded demo article the shipped text's full-width punctuation, if that is
        all that differs and no editor has saved it."""
        shipped = {"summary": entry["summary"], "body": "\n\n".join(entry["body"])}
        stale = [
            field
            for field, text in shipped.items()
            if getattr(article, field) != text and full_width(getattr(article, field)) == text
        ]
        if not stale or article.revisions.filter(saved_by__isnull=False).exists():
            return False
        for field in stale:
            setattr(article, field, shipped[field])
        article.save(glossary=glossary, update_fields=stale, note="演示内容改用全角标点")
        if self.verbosity > 1:
            self.stdout.write(f"  ~ {article.pk} {article.title[:30]}")
        return True

    def photo(self, name, fields, glossary, created, dry_run) -> Photo | None:
        photo = Photo.objects.filter(caption=fields["caption"]).first()
        if photo is None and not dry_run:
            photo = Photo(caption=fields["caption"], credit=fields["credit"])
            photo.store(open_upload(demo_photos.drawn(name)))
            photo.save(glossary=glossary)
            created["photos"] += 1
        return photo
