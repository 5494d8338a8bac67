"""Heat: every read of an article counted, without a write to the hot row per read.

Three levels, each optional below the first:

- **The row** (``heat``). With ``HEAT_BUFFER_SIZE = 0`` every read is one
  ``UPDATE … SET heat = heat + 1 RETURNING heat`` (a HOT update: heat is not indexed).
- **The shared counter** (``heat:seen:<id>`` in the shared cache): every buffered read ever.
  The row keeps ``heat_reads_folded``, the part of the counter already in ``heat``; a fold
  moves ``counter - heat_reads_folded`` in one idempotent UPDATE, every ``HEAT_BUFFER_SIZE``
  reads of the article (and from ``manage.py fold_heat``). Two folds racing add the reads once.
- **This process's batch** (``HEAT_PROCESS_BATCH``): reads are added to the shared counter
  ``HEAT_PROCESS_BATCH`` at a time, or after ``HEAT_PROCESS_SECONDS``, so most reads cost no
  round trip at all. A process killed outright loses its unsent batch (fewer than
  ``HEAT_PROCESS_BATCH`` reads per article); a worker that exits normally sends it first.

The heat shown is ``heat - heat_reads_folded`` (one row snapshot, taken when the page was
rendered) plus the counter as this process last saw it plus its own unsent reads: exact within a
sync worker, behind other workers' unsent batches at most, and a fold never has to re-render a
cached page.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

FOLD_SQL = """
    WITH buffered AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS b(id, seen)),
    behind AS (
        SELECT a.id, a.heat_reads_folded AS folded FROM {table} a JOIN buffered USING (id)
        WHERE a.heat_reads_folded < buffered.seen FOR UPDATE OF a
    )
    UPDATE {table} SET heat = heat + (buffered.seen - behind.folded),
        heat_reads_folded = buffered.seen
    FROM behind JOIN buffered USING (id) WHERE {table}.id = behind.id
    RETURNING buffered.seen - behind.folded
"""


def counter_key(article_id) -> str:
    return f"heat:seen:{article_id}"


def _table() -> str:
    from .models import Article

    return Article._meta.db_table


class _ProcessReads:
    """Reads counted in this process and not yet added to the shared counter."""

    clock = staticmethod(time.monotonic)

    def __init__(self):
        self.lock = threading.Lock()
        self.unsent: dict[int, int] = {}
        self.since: dict[int, float] = {}  # when each article's unsent reads began
        self.seen: dict[int, int] = {}  # the shared counter as this process last saw it
        self.swept = self.clock()

    def count(self, article_id) -> tuple[int, list]:
        """Count one read; return (the reads this process has of the article that the counter
        doesn't, [(article, reads) batches to send now])."""
        now = self.clock()
        with self.lock:
            unsent = self.unsent.get(article_id, 0) + 1
            began = self.since.setdefault(article_id, now)
            due = (
                article_id not in self.seen  # first read here: learn where the counter is
                or unsent >= settings.HEAT_PROCESS_BATCH
                or now - began >= settings.HEAT_PROCESS_SECONDS
            )
            batches = []
            if due:
                batches.append((article_id, unsent))
                self.unsent.pop(article_id, None)
                self.since.pop(article_id, None)
                unsent = 0
            else:
                self.unsent[article_id] = unsent
            if now - self.swept >= settings.HEAT_PROCESS_SECONDS:
                batches += self._take(lambda began: now - began >= settings.HEAT_PROCESS_SECONDS)
                self.swept = now
            return unsent, batches

    def take_all(self) -> list:
        with self.lock:
            return self._take(lambda began: True)

    def _take(self, stale) -> list:
        """Remove and return the unsent batches whose first read passes ``stale(began)``."""
        due = [pk for pk, began in self.since.items() if stale(began)]
        for pk in due:
            del self.since[pk]
        return [(pk, self.unsent.pop(pk)) for pk in due]

    def saw(self, article_id, seen: int) -> None:
        with self.lock:
            self.seen[article_id] = max(seen, self.seen.get(article_id, 0))

    def last_seen(self, article_id) -> int:
        with self.lock:
            return self.seen.get(article_id, 0)

    def forget(self) -> None:
        with self.lock:
            self.unsent.clear()
            self.since.clear()
            self.seen.clear()
            self.swept = self.clock()


_process = _ProcessReads()


def count_read(article_id, rendered_heat: int, rendered_folded: int = 0) -> int:
    """Count one read; return the heat to show, given the row's ``heat`` and
    ``heat_reads_folded`` when the page was rendered."""
    if not settings.HEAT_BUFFER_SIZE:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table()} SET heat = heat + 1 WHERE id = %s RETURNING heat", [article_id]
            )
            row = cursor.fetchone()
        return row[0] if row else rendered_heat
    unsent, batches = _process.count(article_id)
    for pk, reads in batches:
        _send(pk, reads)
    return rendered_heat - rendered_folded + _process.last_seen(article_id) + unsent


def _send(article_id, reads: int) -> None:
    """Add reads to the shared counter; fold when it passes a multiple of the buffer size."""
    key = counter_key(article_id)
    try:
        seen = cache.incr(key, reads)
    except ValueError:
        # First buffered read, or the counter was lost (evicted, cache restarted): restart it
        # where the row says folding stopped. Reads counted but not folded are lost with it.
        from .models import Article

        folded = Article.objects.filter(pk=article_id).values_list("heat_reads_folded", flat=True)
        cache.add(key, folded.first() or 0, timeout=None)
        seen = cache.incr(key, reads)
    _process.saw(article_id, seen)
    batch = settings.HEAT_BUFFER_SIZE
    if seen // batch != (seen - reads) // batch:
        fold({article_id: seen})


def send_process_reads() -> None:
    """Send this process's unsent reads (at worker exit, and before ``fold_all``)."""
    for pk, reads in _process.take_all():
        _send(pk, reads)


def fold(seen: dict) -> int:
    """Bring the rows up to these counter values; return the reads added. Idempotent and safe
    to race: a row already folded as far (by another worker) is left alone."""
    if not seen:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(FOLD_SQL.format(table=_table()), [list(seen), list(seen.values())])
        return sum(row[0] for row in cursor.fetchall())


def fold_all() -> int:
    """Fold every article's counted reads (``manage.py fold_heat``, e.g. from cron)."""
    from .models import Article

    send_process_reads()
    folded, after = 0, 0
    while chunk := list(
        Article.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:1000]
    ):
        keys = {counter_key(pk): pk for pk in chunk}
        folded += fold({keys[key]: seen for key, seen in cache.get_many(list(keys)).items()})
        after = chunk[-1]
    return folded
