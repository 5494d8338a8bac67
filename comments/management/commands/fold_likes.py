"""Fold the 顶 counted in the shared cache into comments' ``like_count`` (run from cron).

Likes are also folded as they come (a comment's every COMMENT_LIKES_FOLD_EVERY-th); this command
catches the remainders of comments that stopped being liked, so 热门评论 (which ranks by the
folded count) sees them.
"""

from django.core.management.base import BaseCommand

from comments import likes
from comments.models import Comment, Like


class Command(BaseCommand):
    help = "Fold counted 顶 into the comments' like_count column."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if dry_run:
            liked = Like.objects.values("comment_id").distinct()
            waiting = sum(likes.unfolded(liked.values_list("comment_id", flat=True)).values())
            self.stdout.write(f"fold_likes: dry run, {waiting} likes waiting, nothing folded")
            return
        folded = likes.fold_all(Comment.objects, Like.objects)
        if verbosity:
            self.stdout.write(f"fold_likes: folded {folded} likes")
