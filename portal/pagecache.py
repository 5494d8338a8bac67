"""The whole-page cache for anonymous readers, and results cached under content generations.

A reader page requested without a session or messages cookie is the same bytes for everyone (the
comment form fetches its per-reader tokens, ``static/js/comment-form.js``), so it is kept
rendered in the shared cache. What makes it correct is the **generations**:

- the *site* generation changes with anything lists, feeds or search show; an *article*
  generation with anything on that article's page. Editors' saves, moderation and glossary
  changes bump them (``site_changed``, ``article_changed``), in the shared cache, so every
  worker and host sees the change on its next request;
- a cached page (or result) records the generations it was made under and is used only while
  they are current. A generation that was evicted comes back as a new random value, never an old
  one, so eviction cannot resurrect a stale page.

**One place reads and writes pages**: ``PageCacheMiddleware``, for the views marked
``shared_page``. For an anonymous, safe request it resolves the URL, fetches the page and its
generations in one ``get_many``, and on a hit answers at once, before sessions, CSRF and auth
(an article page also counts the read through the view's ``on_hit``: one more round trip). On a
miss the request goes down the stack to the view as usual, and the middleware stores what comes
back, with the headers the stack added.

**When parts fail.** If the shared cache is down (Redis outage) pages are rendered uncached.
If PostgreSQL is down, pages come from the shared cache as usual when it is Redis; and every
worker keeps its own bounded copy of the pages it served lately, which it serves (marked
``X-Page-Cache: stale``) only when rendering fails because the database is unreachable — so a
site on the database cache keeps its readers' pages too. Pages never served answer 503
(portal.views.server_error).
"""

import gzip
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

from portal import edge
from portal.cache import UNAVAILABLE
from portal.variants.context_processors import PAGE_PARAMETERS

log = logging.getLogger(__name__)

SITE_KEY = "gen:site"
# A shared page holds nothing per reader, so a proxy may keep it too, revalidating every time.
# A reader with a session (a preview) or a flash message gets a private page: Vary: Cookie.
SHARED_CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Part of every key: a deploy that changes what an entry holds never reads old entries.
ENTRY_FORMAT = 6


@lru_cache(maxsize=1)
def release() -> str:
    """Also part of every key: the collected static files' manifest, so pages rendered before a
    deploy (naming the old stylesheet and script) are not served after it."""
    try:
        content = (settings.STATIC_ROOT / "staticfiles.json").read_bytes()
    except OSError:
        content = b""
    return hashlib.md5(content, usedforsecurity=False).hexdigest()[:8]


def article_key(article_id) -> str:
    return f"gen:article:{article_id}"


def _bump(keys: list[str]) -> None:
    def bump():
        try:
            cache.set_many({key: secrets.randbits(40) for key in keys}, timeout=None)
        except UNAVAILABLE as error:  # nothing is served from a cache that is down
            log.warning("generations not bumped (%s): %s", type(error).__name__, error)

    bump()
    # Again after commit: a request rendering between the first bump and the commit would have
    # stored the old content under the new generation.
    transaction.on_commit(bump)


def site_changed() -> None:
    """Anything on lists, feeds or search changed."""
    _bump([SITE_KEY])


def article_changed(article_id, *, lists: bool = True) -> None:
    """One article's page changed (and, unless ``lists`` is False, the lists showing it)."""
    _bump([article_key(article_id), *([SITE_KEY] if lists else [])])


def _lookup(key: str, gen_keys: list[str]) -> tuple[str, object]:
    """(the current version of ``gen_keys``, the entry stored at ``key`` if made under it)."""
    found = cache.get_many([*gen_keys, key])
    missing = {k: secrets.randbits(40) for k in gen_keys if k not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    version = ".".join(str(found[k]) for k in gen_keys)
    entry = found.get(key)
    current = isinstance(entry, dict) and entry.get("version") == version
    return version, entry["value"] if current else None


def _still_current(version: str, gen_keys: list[str]) -> bool:
    """Are the generations still those of ``version`` (none bumped or lost since)?"""
    try:
        found = cache.get_many(gen_keys)
    except UNAVAILABLE:
        return False
    return len(found) == len(gen_keys) and ".".join(str(found[k]) for k in gen_keys) == version


def cached_result(key: str, compute, *, article_id=None, timeout: int = 3600):
    """``compute()``'s result, shared by every worker until the content it depends on changes
    (the site generation, and the article's when ``article_id`` is given). None is never
    kept: it reads as not cached."""
    gen_keys = [SITE_KEY, *([article_key(article_id)] if article_id is not None else [])]
    key = f"result:{ENTRY_FORMAT}:{key}"
    try:
        version, value = _lookup(key, gen_keys)
    except UNAVAILABLE:
        return compute()
    if value is None:
        value = compute()
        if value is not None:
            _store(key, {"version": version, "value": value}, timeout)
    return value


def _store(key: str, entry: dict, timeout: int) -> None:
    try:
        cache.set(key, entry, timeout)
    except UNAVAILABLE as error:
        log.warning("not cached (%s): %s", type(error).__name__, error)


class _RecentPages:
    """The pages this process served lately (bounded, least recently used out), for when the
    database is unreachable. Never served otherwise."""

    def __init__(self, size: int = 300):
        self.size, self.pages, self.lock = size, OrderedDict(), threading.Lock()

    def keep(self, key: str, page: dict) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def get(self, key: str):
        with self.lock:
            return self.pages.get(key)


recent_pages = _RecentPages()


# --- whole pages --------------------------------------------------------------------------------


def is_shared(request) -> bool:
    """May this request be answered with (and fill) the page everyone shares?"""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_key(request) -> str:
    """Host, path and only the query parameters that name a page (``q``, ``page``, ``cpage``):
    the path names the variant, the host is in the page's links, and a campaign link
    (``?utm_source=…``) is the same page. ``get_host`` refuses hosts not in ALLOWED_HOSTS."""
    naming = [(k, v) for k in PAGE_PARAMETERS for v in request.GET.getlist(k)]
    where = f"{request.get_host()}{request.path}?{urlencode(naming)}"
    digest = hashlib.md5(where.encode(), usedforsecurity=False).hexdigest()
    return f"page:{ENTRY_FORMAT}:{release()}:{digest}"


@dataclass(frozen=True)
class SharedPage:
    """How a view's page is shared (see ``shared_page``)."""

    article_kwarg: str | None = None
    expires_at: Callable | None = None
    on_hit: Callable | None = None


def shared_page(*, article_kwarg: str | None = None, expires_at=None, on_hit=None):
    """Mark a view whose 200 responses ``PageCacheMiddleware`` may share among anonymous readers.

    ``article_kwarg`` names the URL argument holding the article id (article pages depend on
    their article's generation). ``expires_at()`` may return a moment the page goes stale by
    itself, with nothing saved — when the next scheduled article goes live. ``on_hit(request,
    *args, **kwargs)`` is called, with the view's own arguments, for each hit (or 304) served
    without running the view: what the view does on every request besides rendering (an article
    page counts the read).
    """

    def mark(view):
        view.shared_page = SharedPage(article_kwarg, expires_at, on_hit)
        return view

    return mark


class PageCacheMiddleware:
    """The page cache: serves a marked view's page to anonymous readers from the shared cache,
    and stores what the view rendered on a miss. The only place pages are read or written.

    Placed near the top of ``MIDDLEWARE`` (after SecurityMiddleware, WhiteNoise and the variant,
    which the URL names and ``resolve`` needs), so that a hit returns before sessions, CSRF, auth,
    messages, axes and the CSP and frame headers run — as Django's own ``UpdateCacheMiddleware``
    sits above what it caches. None of them has anything to do for a shared request (no session
    or messages cookie, a safe method, a page holding no token), and the headers they add on the
    miss are stored with the page and replayed. Why here: ``python -m bench.http`` (the reference
    article, Redis, 2 workers) put a hit that ran the whole stack at 0.60–0.62 of the ceiling C
    (a trivial view through that stack), the issue's target being 0.80; answered here it runs at
    0.87 (0.95 by CPU time per request). ``tests/test_pagecache.py`` fails if a hit ever reaches
    the view, the session, auth or CSRF again.

    A hit costs two round trips to the shared cache: the page with its generations (one
    ``get_many``), and the read's increment by ``on_hit``.
    """

    # Set for each response here, never stored with a page.
    PER_RESPONSE = ("etag", "cache-control", "vary", "x-page-cache", "content-length")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self.shared(request)
        if found is None:
            response = self.get_response(request)
            if response.status_code == 200 and self.marked(request):
                # A page made for this reader alone (their session, a staff preview).
                patch_cache_control(response, private=True, no_cache=True)
            return response

        match, shared = found
        key = page_key(request)
        article_id = match.kwargs.get(shared.article_kwarg) if shared.article_kwarg else None
        gen_keys = [SITE_KEY, *([article_key(article_id)] if article_id else [])]
        try:
            version, page = _lookup(key, gen_keys)
            state = "hit"
        except UNAVAILABLE:
            version, page, state = None, None, "off"

        if page is not None:
            if shared.on_hit is not None:
                shared.on_hit(request, *match.args, **match.kwargs)
        else:
            response = self.get_response(request)
            if response.status_code != 200 or response.has_header("X-Page-Cache"):
                return response  # an error, a redirect, or a stale page (process_exception)
            if response.cookies or response.streaming:
                patch_cache_control(response, private=True, no_cache=True)
                return response  # set something for this reader: never shared
            page = {
                **compressed(response.content),
                "headers": [
                    (k, v) for k, v in response.items() if k.lower() not in self.PER_RESPONSE
                ],
            }
            if version is None:  # the shared cache is down: this reader's page only
                recent_pages.keep(key, page)
                return response
            lifetime = settings.PAGE_CACHE_SECONDS
            due = shared.expires_at() if shared.expires_at else None
            if due is not None:
                lifetime = max(1, min(lifetime, int(due.timestamp() - time.time())))
            page["expires"] = time.time() + lifetime
            _store(key, {"version": version, "value": page}, lifetime)
            state = "miss"
            # Changed while it rendered: the edges were purged before they got this page, so
            # they must not keep it (portal/edge.py).
            if edge.enabled() and not _still_current(version, gen_keys):
                page = {**page, "expires": None}
        recent_pages.keep(key, page)
        return _serve(request, page, key, version, state)

    def process_exception(self, request, exception):
        """The database is unreachable while a page renders: this process's last copy, if any."""
        if isinstance(exception, DatabaseError) and is_shared(request) and self.marked(request):
            page = recent_pages.get(page_key(request))
            if page is not None:
                response = HttpResponse(body(page), headers=page["headers"])
                response["X-Page-Cache"] = "stale"
                response["Cache-Control"] = "no-cache"
                response["Vary"] = "Cookie"
                return response
        return None

    @staticmethod
    def shared(request):
        """(the resolved URL, its ``SharedPage``) when this request is answered from the cache."""
        if not is_shared(request):
            return None
        try:
            match = resolve(request.path_info)
            request.get_host()
        except (Resolver404, DisallowedHost):
            return None  # the stack answers 404 or 400
        shared = getattr(match.func, "shared_page", None)
        return (match, shared) if shared is not None else None

    @staticmethod
    def marked(request) -> bool:
        match = request.resolver_match
        return match is not None and hasattr(match.func, "shared_page")


def _serve(request, page: dict, key: str, version: str, state: str) -> HttpResponse:
    """The stored page, or 304 when the reader has it; a hit and a miss alike."""
    digest = hashlib.md5(f"{key}:{version}".encode(), usedforsecurity=False).hexdigest()
    etag = f'"{digest}"'
    gzipped = page.get("encoding") == "gzip"
    send_gzip = gzipped and ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if send_gzip:
        etag = f'"{digest}-gzip"'  # another representation, another tag (RFC 9110 8.8.3)
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response = HttpResponseNotModified()
    else:
        content = page["content"] if send_gzip or not gzipped else body(page)
        response = HttpResponse(content, headers=page["headers"])
        if send_gzip:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(content))
        response["X-Page-Cache"] = state
    response["ETag"] = etag
    response["Cache-Control"] = edge.cache_control(SHARED_CACHE_CONTROL, page.get("expires"))
    response["Vary"] = "Cookie, Accept-Encoding" if gzipped else "Cookie"
    return response


# Shared pages are stored gzipped: every browser asks for gzip, and a busy thread's page (550
# comments and replies, 340 KB of HTML) is a tenth of that compressed — less to fetch from the
# shared cache and to send on every hit. Compressed once per page version, when it is stored;
# the rare client without gzip gets it decompressed. (No BREACH risk: a shared page carries no
# secret — no token, nothing per reader.)
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
GZIP_FROM_BYTES = 1024


def compressed(content: bytes) -> dict:
    """A page's stored body: gzipped when that is worth it."""
    if len(content) < GZIP_FROM_BYTES:
        return {"content": content}
    return {"content": gzip.compress(content, compresslevel=6, mtime=0), "encoding": "gzip"}


def body(page: dict) -> bytes:
    """A stored page's body as rendered."""
    if page.get("encoding") == "gzip":
        return gzip.decompress(page["content"])
    return page["content"]
