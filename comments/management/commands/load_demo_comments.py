"""Load the demo discussion shipped in ``comments/demo/`` under one demo article (run after
``load_demo``): approved comments with their 楼层, replies, 顶 counts and one 精选.

Idempotent: each demo comment carries the submission token ``demo:<key>`` and is created once;
a moderator's later decisions on it stand. The approvals are decisions of the site's own
(no moderator), recorded as any decision is.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.models import Comment

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "thread.zh-Hans.json"


class Command(BaseCommand):
    help = "Load the demo comments (approved, with replies and 顶) under one demo article."

    def handle(self, *args, verbosity=1, **options):
        thread = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        article = Article.objects.filter(title=thread["article"]).first()
        if article is None:
            self.stdout.write("load_demo_comments: the demo article is missing; run load_demo")
            return
        created = 0
        start = timezone.now() - timezone.timedelta(hours=len(thread["comments"]) * 2)
        with transaction.atomic():
            stored = {}
            for n, top in enumerate(thread["comments"]):
                at = start + timezone.timedelta(hours=2 * n)
                parent, made = self.comment(article, top, at, reply_to=None)
                stored[top["key"]] = parent
                created += made
                for m, reply in enumerate(top.get("replies", [])):
                    answered = stored[reply.get("answers", top["key"])]
                    at_reply = at + timezone.timedelta(minutes=20 * (m + 1))
                    stored[reply["key"]], made = self.comment(article, reply, at_reply, answered)
                    created += made
        if verbosity:
            self.stdout.write(f"load_demo_comments: created {created} comments")

    def comment(self, article, item, at, reply_to) -> tuple[Comment, bool]:
        token = f"demo:{item['key']}"
        existing = Comment.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing, False
        comment = Comment(
            article=article,
            nickname=item["nickname"],
            body=item["body"],
            created_at=at,
            submission_token=token,
            reply_to=reply_to,
            parent_id=(reply_to.parent_id or reply_to.pk) if reply_to else None,
            like_count=item.get("likes", 0),
            featured=item.get("featured", False),
        )
        comment.refresh_renderings()
        comment.save(force_insert=True)
        comment.decide(Comment.Status.APPROVED, None, reason="演示内容")
        return comment, True
