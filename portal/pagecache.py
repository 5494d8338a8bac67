"""Generations of cached pages, kept in the shared cache so every worker and host agrees.

A page's cache key includes the site generation (lists, feeds, search) and, for an article
page, that article's generation. Changing content bumps them, so the very next request on any
host renders afresh; old entries simply expire. A generation that was evicted comes back as a
new random value, never as an old one, so an eviction cannot resurrect a stale page.
"""

import secrets

from django.core.cache import cache

SITE_KEY = "gen:site"


def _article_key(article_id) -> str:
    return f"gen:article:{article_id}"


def _new() -> int:
    return secrets.randbits(40)


def generations(article_id=None) -> tuple:
    keys = [SITE_KEY] + ([_article_key(article_id)] if article_id is not None else [])
    found = cache.get_many(keys)
    missing = {key: _new() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return tuple(found[key] for key in keys)


def site_changed() -> None:
    cache.set(SITE_KEY, _new(), timeout=None)


def article_changed(article_id) -> None:
    cache.set_many({SITE_KEY: _new(), _article_key(article_id): _new()}, timeout=None)
