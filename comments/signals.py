"""Comment events other parts of the site react to (cached pages, re-rendering)."""

from django.dispatch import Signal, receiver

from articles.signals import glossary_changed

# Sent (inside the moderation transaction) whenever a comment becomes or stops being visible.
comment_visibility_changed = Signal()


@receiver(comment_visibility_changed)
def refresh_pages(sender, article_id, **kwargs):
    from portal import pagecache

    pagecache.article_changed(article_id)


@receiver(glossary_changed)
def rerender_comments(sender, terms, glossary, **kwargs):
    """A glossary change re-renders the approved comments that contain a changed term."""
    from django.db.models import Q

    from .models import Comment

    if not terms:
        return
    match = Q()
    for term in terms:
        match |= Q(body__contains=term) | Q(nickname__contains=term)
    for comment in Comment.objects.visible().filter(match).iterator():
        comment.refresh_renderings(glossary)
        comment.save(update_fields=["nickname_variants", "body_variants", "item_variants"])
