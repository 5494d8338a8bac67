"""What follows comment events and glossary changes: cached pages and re-rendered comments."""

from django.db.models import Q
from django.dispatch import receiver

from articles.signals import glossary_changed
from portal import pagecache

from .models import Comment
from .signals import comment_visibility_changed


@receiver(comment_visibility_changed)
def refresh_pages(sender, article_id, **kwargs):
    pagecache.article_changed(article_id)


@receiver(glossary_changed)
def rerender_comments(sender, terms, glossary, **kwargs):
    """Re-render the approved comments containing a changed term (``terms=None``: all of them,
    as ``reconvert`` asks after an OpenCC upgrade)."""
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
        pagecache.site_changed()  # every cached page's version includes the site generation
