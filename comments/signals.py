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
    """Re-render the approved comments containing a changed term (``terms=None``: all of them,
    as ``reconvert`` asks after an OpenCC upgrade)."""
    from django.db.models import Q

    from .models import Comment

    comments = Comment.objects.visible()
    if terms is not None:
        if not terms:
            return
        match = Q()
        for term in terms:
            match |= Q(body__contains=term) | Q(nickname__contains=term)
        comments = comments.filter(match)
    rerendered = False
    for comment in comments.iterator():
        comment.refresh_renderings(glossary)
        comment.save(update_fields=["nickname_variants", "body_variants", "item_variants"])
        rerendered = True
    if rerendered:
        from portal import pagecache

        pagecache.site_changed()  # every cached page's version includes the site generation
