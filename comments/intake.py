"""Whether new comments are accepted right now: the editors' intake rules (``IntakeRule``)
evaluated into one small state, shared through the cache.

The state maps a scope ("site", or a category id as text) to why it is paused. The comment
section shows a notice instead of the form while its article's scope is paused, and
``post_comment`` refuses what is posted meanwhile (the reader's text is shown back).

A nightly pause or a backlog crossing its limit changes the state without anything being saved,
so whoever recomputes the state (at most every ``STATE_SECONDS``: page renders, posts, the desk)
compares it with the one pages were last rendered under and, when it differs, refreshes the
page caches. A cached page may therefore show the form (or the notice) for up to
``PAGE_CACHE_SECONDS`` after such a change; what is posted is always checked against the
current state.
"""

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from portal import pagecache
from portal.cache import UNAVAILABLE

from .models import Comment, IntakeRule

STATE_KEY = "intake:state"
ANNOUNCED_KEY = "intake:announced"
STATE_SECONDS = 30


def compute_state() -> dict:
    rules = list(IntakeRule.objects.all())
    if not rules:
        return {}
    now = timezone.localtime()
    backlogs = {}
    if any(rule.backlog_limit is not None for rule in rules):
        pending = Comment.objects.filter(status=Comment.Status.PENDING)
        backlogs[None] = pending.count()
        categories = [r.category_id for r in rules if r.category_id and r.backlog_limit is not None]
        if categories:
            backlogs.update(
                pending.filter(article__category_id__in=categories)
                .values_list("article__category_id")
                .annotate(n=Count("id"))
                .order_by()
            )
    state = {}
    for rule in rules:
        why = rule.pause(now, backlogs.get(rule.category_id, 0))
        if why is not None:
            state["site" if rule.category_id is None else str(rule.category_id)] = why
    return state


def current_state() -> dict:
    try:
        state = cache.get(STATE_KEY)
    except UNAVAILABLE:  # the shared cache is down: ask the database each time meanwhile
        return compute_state()
    if state is None:
        state = refresh()
    return state


def refresh() -> dict:
    """Recompute the state now; refresh cached pages if it is not what they were rendered with."""
    state = compute_state()
    try:
        cache.set(STATE_KEY, state, STATE_SECONDS)
        announced = cache.get(ANNOUNCED_KEY)
        if announced != state:
            cache.set(ANNOUNCED_KEY, state, timeout=None)
            # Unknown (a fresh or evicted cache): only a pause can have been missed by pages.
            if announced is not None or state:
                pagecache.site_changed()
    except UNAVAILABLE:
        pass  # pages are rendered uncached while the shared cache is down: none can be stale
    return state


def pause_for(article) -> dict | None:
    """Why new comments on ``article`` are not accepted now, or None when they are."""
    state = current_state()
    if not state:
        return None
    return state.get("site") or state.get(str(article.category_id))


def taking_comments(article) -> tuple[bool, dict | None]:
    """(does ``article`` take new comments now, the pause stopping it if one does): open for
    comments, visible to readers, and not paused."""
    if not (article.comments_open() and article.is_visible):
        return False, None
    pause = pause_for(article)
    return pause is None, pause


def notice(pause: dict) -> str:
    """What readers are told, in the active language."""
    if pause["why"] == "nightly":
        return gettext("每天 %(start)s 至 %(end)s 暂停接收新留言，请到时再来。") % {
            "start": pause["from"],
            "end": pause["until"],
        }
    if pause["why"] == "backlog":
        return gettext("待审核的留言较多，暂停接收新留言，请稍后再来。")
    return gettext("暂停接收新留言，请稍后再来。")


def after_decisions() -> None:
    """A moderator has decided: a pause for the backlog may be over at once."""
    if any(pause["why"] == "backlog" for pause in current_state().values()):
        refresh()
