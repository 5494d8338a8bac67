"""Whole-page caching for anonymous readers, with per-request holes, and instant invalidation.

Rendering dominates an uncached page, so reader pages are kept rendered in the shared cache.

- **Entries carry generations.** A cached page records the site generation (lists, feeds,
  search) and, for an article page, that article's generation it was rendered under; one
  ``get_many`` fetches the current generations with the page. Changing content bumps them, so
  the very next request on any worker or host renders afresh. A generation that was evicted
  comes back as a new random value, never an old one, so eviction cannot resurrect a stale page.
- **Holes.** What differs per request (the live heat figure) is rendered as a marker
  (``{% hole "heat" %}``) and filled in on the way out, on hits and misses alike. Per-reader
  holes (the CSRF and comment-form tokens) are left empty in a shared page: the page itself is
  then the same for everyone (a proxy may keep it too), and the comment form fetches its tokens
  when it comes into view (``static/js/comment-form.js``). Pages rendered for one reader
  (outside the shared cache) get them filled in directly.
- **Only shared content is shared.** Requests with a session or pending messages (a reader who
  just commented, staff previewing drafts) bypass the cache entirely, so the author's own pending
  comment, messages and previews are never stored or served to anyone else.
"""

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from functools import lru_cache, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from portal.variants.context_processors import PAGE_PARAMETERS

SITE_KEY = "gen:site"
# A shared page holds nothing per reader: a proxy may keep it, revalidating every time (the ETag
# changes with every change to what the page shows). A reader with a session cookie gets a page
# of their own (their pending comment, messages), hence also "Vary: Cookie".
SHARED_CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Part of every page key: a deploy that changes what an entry holds never reads old entries.
ENTRY_FORMAT = 3


@lru_cache(maxsize=1)
def _release() -> str:
    """Also part of every page key: the collected static files' manifest, so pages rendered
    before a deploy (naming the old stylesheet and script) are not served after it."""
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    try:
        content = manifest.read_bytes()
    except OSError:
        content = b""
    return hashlib.md5(content, usedforsecurity=False).hexdigest()[:8]


HOLE = "<!--hole:{}-->"
_fillers = {}  # name -> (filler, per_reader)


def _article_key(article_id) -> str:
    return f"gen:article:{article_id}"


def _new() -> int:
    return secrets.randbits(40)


def _bump(keys) -> None:
    values = {key: _new() for key in keys}
    cache.set_many(values, timeout=None)
    # Again after commit: a request rendering between the first bump and the commit would
    # have stored the old content under the new generation.
    transaction.on_commit(lambda: cache.set_many({key: _new() for key in keys}, timeout=None))


def site_changed() -> None:
    """Anything on lists, feeds or search changed."""
    _bump([SITE_KEY])


def article_changed(article_id, *, lists: bool = True) -> None:
    """One article's page changed (and, unless ``lists`` is False, the lists showing it)."""
    _bump([_article_key(article_id), *([SITE_KEY] if lists else [])])


# --- holes ------------------------------------------------------------------------------------


def register_hole(name: str, filler, *, per_reader: bool = False) -> None:
    """``filler(request, meta) -> str`` supplies the hole's text on every response; a
    ``per_reader`` hole is left empty in pages served from the shared cache."""
    _fillers[name] = (filler, per_reader)


register_hole("csrf", lambda request, meta: get_token(request), per_reader=True)


def hole(name: str) -> str:
    return mark_safe(HOLE.format(name))


def fill_holes(response, request, meta: dict | None = None):
    """Put this request's text into the page's holes (also for pages rendered outside
    ``cached_page``, such as the article page re-rendered with a comment form's errors)."""
    content = response.content
    if b"<!--hole:" in content:
        meta = meta if meta is not None else getattr(response, "page_meta", {})
        for name, (filler, _) in _fillers.items():
            marker = HOLE.format(name).encode()
            if marker in content:
                content = content.replace(marker, str(filler(request, meta)).encode())
        response.content = content
    return response


def _without_per_reader_holes(content: bytes) -> bytes:
    for name, (_, per_reader) in _fillers.items():
        if per_reader:
            content = content.replace(HOLE.format(name).encode(), b"")
    return content


# --- the view decorator -----------------------------------------------------------------------


class _LocalPages:
    """This process's copies of recently served pages (bounded, least recently used out).

    Safe because an entry is only used when its recorded generations equal the current ones,
    read from the shared cache on every request; it saves moving ~20 KB per hit.
    """

    def __init__(self, size: int = 500):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_local_pages = _LocalPages()


def is_cacheable(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _page_key(request) -> str:
    """Pages are keyed by host, path and the query parameters that name a page (``q``, ``page``,
    ``cpage``): the path names the variant (``/zh-tw/…``), the host is in the page's canonical
    and hreflang links, and a campaign link (``?utm_source=…``) is the same page. ``get_host``
    refuses hosts not in ALLOWED_HOSTS (DisallowedHost), so a forged Host never selects a page."""
    naming = [(k, v) for k in PAGE_PARAMETERS for v in request.GET.getlist(k)]
    where = f"{request.get_host()}{request.path}?{urlencode(naming)}"
    digest = hashlib.md5(where.encode(), usedforsecurity=False).hexdigest()
    return f"page:{ENTRY_FORMAT}:{_release()}:{digest}"


def _version(gen_keys: list) -> str:
    found = cache.get_many(gen_keys)
    missing = {key: _new() for key in gen_keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return ".".join(str(found[key]) for key in gen_keys)


def _serve_stored(request, entry: dict, page_key: str, version: str):
    """A stored page for this request: 304 if the reader has it, else the page, holes filled."""
    etag = '"' + hashlib.sha256(f"{page_key}:{version}".encode()).hexdigest()[:32] + '"'
    on_serve = entry.get("on_serve")
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        if on_serve is not None and entry["meta"]:
            on_serve(request, dict(entry["meta"]))  # a revalidated read is a read
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        response.headers["X-Page-Cache"] = "hit"
        _serve(response, request, dict(entry["meta"]), on_serve)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = SHARED_CACHE_CONTROL
    response.headers["Vary"] = "Cookie"
    return response


class PageCacheMiddleware:
    """Serves pages this process holds before the rest of the middleware runs.

    A hit needs none of it: the page is rendered, the request carries no session or messages
    cookie (``is_cacheable``), the host is checked by ``get_host``, and the headers the rest of
    the stack added when the page was first served (X-Frame-Options, Content-Language, …) were
    kept with the page. Placed right after SecurityMiddleware, which still redirects to HTTPS
    and adds its headers. Anything else (a miss, a page only in the shared cache, a stale one)
    goes down the stack to ``cached_page`` as usual.
    """

    # Set per response by cached_page or here, never kept.
    PER_RESPONSE = {"etag", "x-page-cache", "content-length"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_cacheable(request):
            try:
                page_key = _page_key(request)
            except DisallowedHost:
                page_key = None  # let the stack answer 400
            entry = _local_pages.get(page_key) if page_key else None
            if entry is not None and "headers" in entry:
                version = _version(entry["gen_keys"])
                if _current(entry, version):
                    response = _serve_stored(request, entry, page_key, version)
                    for name, value in entry["headers"]:
                        response.headers.setdefault(name, value)
                    if not isinstance(response, HttpResponseNotModified):
                        response.headers["Content-Length"] = str(len(response.content))
                    return response
        response = self.get_response(request)
        entry = getattr(response, "page_entry", None)
        if entry is not None and "headers" not in entry and response.status_code == 200:
            entry["headers"] = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in self.PER_RESPONSE
            ]
        return response


def cached_page(*, article_kwarg: str | None = None, on_serve=None, valid_until=None):
    """Serve the view's 200 responses from the shared cache for anonymous readers.

    ``article_kwarg`` names the URL argument holding the article id (article pages).
    ``on_serve(request, meta)`` runs for every response the view's page is served with (hit or
    miss) and may update ``meta`` before the holes are filled — e.g. to count a read.
    A view passes ``meta`` by setting ``response.page_meta``.
    ``valid_until()`` (called when a page is rendered) may return a moment after which the page
    is stale without any change being saved — e.g. when a scheduled article becomes due.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_cacheable(request):
                response, meta = _render(view, request, args, kwargs)
                if response.status_code == 200:
                    _serve(response, request, meta, on_serve)
                    patch_cache_control(response, private=True, no_cache=True)
                return response

            # The generations always come from the shared cache (that is what makes a change
            # visible on every host at once); the page itself usually from this process's copy.
            page_key = _page_key(request)
            article_id = kwargs.get(article_kwarg) if article_kwarg else None
            gen_keys = [SITE_KEY] + ([_article_key(article_id)] if article_id is not None else [])
            version = _version(gen_keys)
            entry = _local_pages.get(page_key)
            if not _current(entry, version):
                shared = cache.get(page_key)
                entry = None
                if _current(shared, version):
                    entry = {**shared, "gen_keys": gen_keys, "on_serve": on_serve}
                    _local_pages.put(page_key, entry)

            missed = entry is None
            if missed:
                response, meta = _render(view, request, args, kwargs)
                if response.status_code != 200:
                    return response
                expires = time.time() + settings.PAGE_CACHE_SECONDS
                due = valid_until() if valid_until else None
                shared = {
                    "version": version,
                    "expires": min(expires, due.timestamp()) if due else expires,
                    "content": _without_per_reader_holes(response.content),
                    "content_type": response["Content-Type"],
                    "meta": meta,
                }
                cache.set(page_key, shared, settings.PAGE_CACHE_SECONDS)
                entry = {**shared, "gen_keys": gen_keys, "on_serve": on_serve}
                _local_pages.put(page_key, entry)
            response = _serve_stored(request, entry, page_key, version)
            if missed and response.status_code == 200:
                response.headers["X-Page-Cache"] = "miss"
            response.page_entry = entry  # PageCacheMiddleware keeps the stack's headers with it
            return response

        return wrapped

    return decorator


def _current(entry, version: str) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("version") == version
        and entry.get("expires", 0) > time.time()
    )


def _render(view, request, args, kwargs):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response, dict(getattr(response, "page_meta", {}))


def _serve(response, request, meta: dict, on_serve) -> None:
    if on_serve is not None and meta:
        on_serve(request, meta)
    fill_holes(response, request, meta)
