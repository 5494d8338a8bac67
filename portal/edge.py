"""The edge caches in front of the app (``edge/portal.conf.template``): what they may keep, and
purging what a change touched from every one of them.

With edges configured (``EDGE_PURGE_URLS``) a shared page says how long an edge may keep it
(``s-maxage``: until the page would go stale by itself, when a scheduled article goes live) and
how long it may still be served while the app is failing (``stale-if-error``). Every change
purges exactly the pages it touched: ``purge(paths)`` after the commit, on every edge.

A purge is an HTTP ``PURGE`` of ``/_edge/purge`` followed by the page's cache key: its path and
the parameters naming it in the edge's canonical form (``cache_key``). Purges are sent by one
thread per edge and process, so the editor's or moderator's request never fails because of an
edge: it waits for its purges at most ``EDGE_PURGE_WAIT`` seconds (an edge that is down refuses
the connection at once), and what could not be purged is retried in the background, with
growing pauses, for ``PAGE_CACHE_SECONDS`` — by then every page the edge kept has expired — and
logged.
"""

import atexit
import http.client
import logging
import math
import os
import queue
import threading
import time
from urllib.parse import parse_qsl, quote, urlsplit

from django.conf import settings
from django.db import transaction

from portal.variants.context_processors import PAGE_PARAMETERS

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(settings.EDGE_PURGE_URLS)


def cache_control(shared: str, expires: float | None) -> str:
    """The Cache-Control of a shared page made to be kept until ``expires`` (a timestamp)."""
    lifetime = math.ceil(expires - time.time()) if expires is not None else 0
    if not enabled() or lifetime <= 0:
        return shared
    return f"{shared}, s-maxage={lifetime}, stale-if-error={settings.EDGE_STALE_IF_ERROR}"


# --- purging -------------------------------------------------------------------------------------

PURGE_PREFIX = "/_edge/purge"


def cache_key(path: str) -> str:
    """The edge's key for the page at ``path``: the path, ``?``, then each parameter that names
    a page, in a fixed order and each followed by ``&`` (as edge/portal.conf.template builds it:
    ``/zh-hans/articles/5/?cpage=2&``)."""
    path, _, query = path.partition("?")
    given = dict(parse_qsl(query))
    naming = "".join(
        f"{name}={quote(given[name], safe='')}&" for name in PAGE_PARAMETERS if name in given
    )
    return f"{path}?{naming}"


_local = threading.local()
_last_batch = None


def purge(paths) -> None:
    """Purge ``paths`` (``/zh-hans/articles/5/?cpage=2``) from every edge once the current
    transaction commits (at once outside one).

    Every call sends its own paths, after the commit callbacks registered before it (the page
    cache's own invalidation). The request waits — briefly — only in the callback of the
    transaction's last purge, when its purges and all before them have been tried.
    """
    paths = frozenset(paths)
    if not enabled() or not paths:
        return
    _local.ticket = ticket = getattr(_local, "ticket", 0) + 1

    def send():
        global _last_batch
        batch = _last_batch = _Batch(paths, len(settings.EDGE_PURGE_URLS))
        for sender in _senders():
            sender.queue.put(batch)
        if ticket == _local.ticket:
            batch.done.wait(settings.EDGE_PURGE_WAIT)

    transaction.on_commit(send)


class _Batch:
    """Paths to purge; ``done`` once every edge has tried them once."""

    def __init__(self, paths: frozenset, edges: int):
        self.paths = paths
        self.done = threading.Event()
        self._left = edges
        self._lock = threading.Lock()

    def tried(self) -> None:
        with self._lock:
            self._left -= 1
            if self._left <= 0:
                self.done.set()


class _Sender(threading.Thread):
    """Sends one edge its purges over one kept-alive connection, retrying what failed."""

    def __init__(self, url: str):
        super().__init__(name=f"edge-purge {url}", daemon=True)
        self.url = url
        parts = urlsplit(url)
        self.connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self.netloc = parts.netloc
        self.queue = queue.Queue()
        self.connection = None
        self.failed: set[str] = set()
        self.failing_since = None
        self.attempts = 0
        self.last_attempt = 0.0

    def run(self):
        while True:
            wait = None
            if self.failed:
                wait = max(0.0, min(60.0, 2.0**self.attempts) - self._since_attempt())
            batches = []
            try:
                batches.append(self.queue.get(timeout=wait))
                while True:  # what queued meanwhile goes in the same round
                    batches.append(self.queue.get_nowait())
            except queue.Empty:
                pass
            paths = set(self.failed).union(*(b.paths for b in batches))
            try:
                self._send(sorted(paths))
            finally:
                for batch in batches:
                    batch.tried()

    def _since_attempt(self) -> float:
        return time.monotonic() - self.last_attempt

    def _send(self, paths: list[str]) -> None:
        self.last_attempt = time.monotonic()
        failed = set()
        for index, path in enumerate(paths):
            try:
                status = self._purge(path)
            except OSError as error:
                self._close()
                failed.update(paths[index:])  # unreachable: the rest waits for the next round
                reason = f"{type(error).__name__}: {error}"
                break
            if status not in (200, 404):  # 404: the edge did not hold that page
                failed.add(path)
                reason = f"HTTP {status}"
        if not failed:
            if self.failed:
                log.info("edge %s purged again after %d attempts", self.url, self.attempts)
            self.failed, self.failing_since, self.attempts = set(), None, 0
            return
        now = time.monotonic()
        self.failing_since = self.failing_since or now
        self.attempts += 1
        if now - self.failing_since > settings.PAGE_CACHE_SECONDS:
            log.error(
                "edge %s: gave up purging %d pages (%s); they expire by themselves",
                self.url,
                len(failed),
                reason,
            )
            self.failed, self.failing_since, self.attempts = set(), None, 0
            return
        log.warning(
            "edge %s: %d purges failed (%s), retrying in %d s",
            self.url,
            len(failed),
            reason,
            min(60, 2**self.attempts),
        )
        self.failed = failed

    def _purge(self, path: str) -> int:
        if self.connection is None:
            self.connection = self.connection_class(
                self.netloc, timeout=settings.EDGE_PURGE_TIMEOUT
            )
        self.connection.request("PURGE", PURGE_PREFIX + cache_key(path))
        response = self.connection.getresponse()
        response.read()
        if response.will_close:
            self._close()
        return response.status

    def _close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


_senders_lock = threading.Lock()
_senders_by_process: dict = {}


def _senders() -> list[_Sender]:
    """This process's senders, started on first use (gunicorn forks workers: threads do not
    survive a fork, so each worker has its own)."""
    with _senders_lock:
        key = (os.getpid(), tuple(settings.EDGE_PURGE_URLS))
        senders = _senders_by_process.get(key)
        if senders is None:
            senders = [_Sender(url) for url in settings.EDGE_PURGE_URLS]
            for sender in senders:
                sender.start()
            _senders_by_process.clear()
            _senders_by_process[key] = senders
        return senders


def drain(timeout: float = 5.0) -> bool:
    """Wait until every edge has tried this process's purges once; False if it timed out.
    (Each edge takes its purges in order: the last batch tried means all were.)"""
    return _last_batch is None or _last_batch.done.wait(timeout)


# A management command (reconvert, a shell) exits right after its last save: send its purges
# first, for a few seconds at most.
atexit.register(drain)
