"""顶 counts: every like counted once, without a write to the comment's row per like.

Like heat (articles/heat.py), in two levels:

1. **A like** (a new ``Like`` row: one per reader per comment) is one atomic increment of the
   comment's counter (``likes:new:<id>``) in the shared counters cache.
2. **A fold** moves what the counter holds into the row: ``UPDATE … SET like_count =
   like_count + n``. The comment has no column saying how far its counter was folded, so a fold
   *claims* its ``n`` by decrementing the counter first (atomic), and gives back whatever its
   decrement took below zero: two folds racing claim each like once between them, never twice.
   The like that takes a counter to ``COMMENT_LIKES_FOLD_EVERY`` folds its comment;
   ``manage.py fold_likes`` (cron) folds the rest.

The count a page shows is ``like_count`` plus the counter, read for the whole page in one round
trip to the cache. If the counters cache is down, the like goes straight into the row (never
lost); losing the cache loses likes counted but not folded yet (fewer than
``COMMENT_LIKES_FOLD_EVERY`` per comment), as losing it loses unfolded reads.

The functions take the comments' manager, so this module needs no import of the models.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models import F

from portal.cache import UNAVAILABLE

log = logging.getLogger(__name__)


def counters():
    return caches["counters"]


def counter_key(comment_id) -> str:
    return f"likes:new:{comment_id}"


def count_like(comments, comment_id: int) -> None:
    """Count one new like of the comment (its ``Like`` row is stored)."""
    try:
        pending = _increment(comment_id)
    except UNAVAILABLE as error:
        log.warning("like counter unavailable (%s): updating the row", type(error).__name__)
        comments.filter(pk=comment_id).update(like_count=F("like_count") + 1)
        return
    if pending >= max(1, settings.COMMENT_LIKES_FOLD_EVERY):
        try:
            fold(comments, [comment_id])
        except DatabaseError:  # the next fold (a later like, or cron) takes these likes too
            log.warning("likes not folded for comment %s: database unavailable", comment_id)


def _increment(comment_id: int) -> int:
    """One round trip while the counter exists (the common case: it is never deleted, a fold
    only decrements it)."""
    key = counter_key(comment_id)
    try:
        return counters().incr(key)
    except ValueError:  # the comment's first like, or the counter was evicted
        if counters().add(key, 1, timeout=None):
            return 1
        return counters().incr(key)  # another like created it a moment ago


def unfolded(comment_ids) -> dict[int, int]:
    """The likes not folded yet, per comment (missing: none); one cache round trip. A fold's
    claim may leave a counter below zero for a moment: shown as none."""
    if not comment_ids:
        return {}
    keys = {counter_key(pk): pk for pk in comment_ids}
    try:
        found = counters().get_many(list(keys))
    except UNAVAILABLE:
        return {}
    return {keys[key]: max(0, n) for key, n in found.items() if n}


def fold(comments, comment_ids) -> int:
    """Move the comments' counted likes into their rows; return how many were moved."""
    moved = 0
    for comment_id, pending in unfolded(comment_ids).items():
        key = counter_key(comment_id)
        try:
            left = counters().decr(key, pending)
        except (ValueError, *UNAVAILABLE):  # gone meanwhile: nothing to claim
            continue
        # Below zero: another fold claimed part of what was read here; give that part back.
        overshoot = min(pending, max(0, -left))
        claimed = pending - overshoot
        if overshoot:
            counters().incr(key, overshoot)
        if not claimed:
            continue
        try:
            with transaction.atomic():
                comments.filter(pk=comment_id).update(like_count=F("like_count") + claimed)
        except DatabaseError:
            counters().incr(key, claimed)  # not moved: the counter keeps them
            raise
        moved += claimed
    return moved


def fold_all(comments, likes) -> int:
    """Fold every liked comment's counted likes (``manage.py fold_likes``). ``likes`` is the
    ``Like`` manager: only a comment with a like row can have a counter."""
    moved, after = 0, 0
    liked = likes.order_by("comment_id").values_list("comment_id", flat=True).distinct()
    while chunk := list(liked.filter(comment_id__gt=after)[:1000]):
        moved += fold(comments, chunk)
        after = chunk[-1]
    return moved
