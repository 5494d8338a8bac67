"""Heat: every read of an article counted exactly, without a write to its row per read.

Two levels:

1. **A read** is one atomic increment of the article's counter (``heat:seen:<id>``) in the
   shared counters cache: every read ever counted, on any worker or host.
2. **A fold** moves what the counter gained into the row in one ``UPDATE … SET heat = heat + n``.
   The row remembers how far the counter is folded (``heat_reads_folded``), so a fold adds only
   ``counter − heat_reads_folded`` and two folds racing (two workers, or cron) add the reads once.
   The read that takes the counter past a multiple of ``HEAT_BUFFER_SIZE`` folds its article;
   ``manage.py fold_heat`` (cron) folds articles that stopped being read.

The heat a page shows is ``heat − heat_reads_folded`` (constant across folds) plus the counter:
it never goes down, whichever worker renders it. Nothing lives in a worker, so a worker killed
outright loses nothing; losing the shared cache loses the reads counted but not yet folded
(fewer than ``HEAT_BUFFER_SIZE`` per article), and the counter restarts where folding stopped.

The functions take the articles' manager, so this module needs no import of the models.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.models import F

from portal.cache import UNAVAILABLE

log = logging.getLogger(__name__)

FOLD_SQL = """
    WITH counted AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS c(id, reads)),
    behind AS (
        SELECT a.id, a.heat_reads_folded AS folded FROM {table} a JOIN counted USING (id)
        WHERE a.heat_reads_folded < counted.reads FOR UPDATE OF a
    )
    UPDATE {table} SET heat = heat + (counted.reads - behind.folded),
        heat_reads_folded = counted.reads
    FROM behind JOIN counted USING (id) WHERE {table}.id = behind.id
    RETURNING counted.reads - behind.folded
"""


def counters():
    return caches["counters"]


def counter_key(article_id) -> str:
    return f"heat:seen:{article_id}"


def count_read(articles, article_id: int) -> None:
    """Count one read of the article. Never fails the reader's request: with the counters cache
    down the read goes straight into the row; with the database down too it is logged, lost."""
    try:
        reads = _increment(articles, article_id)
    except UNAVAILABLE as error:
        log.warning("heat counter unavailable (%s): updating the row", type(error).__name__)
        try:
            articles.filter(pk=article_id).update(heat=F("heat") + 1)
        except DatabaseError:
            log.warning("a read of article %s was not counted: database unavailable", article_id)
        return
    if reads % max(1, settings.HEAT_BUFFER_SIZE) == 0:
        try:
            fold(articles, {article_id: reads})
        except DatabaseError:  # the next fold (a later read, or cron) takes these reads too
            log.warning("heat not folded for article %s: database unavailable", article_id)


def _increment(articles, article_id: int) -> int:
    key = counter_key(article_id)
    try:
        return counters().incr(key)
    except ValueError:
        # The first counted read, or the counter was lost (evicted, cache restarted): restart it
        # where the row says folding stopped.
        folded = articles.filter(pk=article_id).values_list("heat_reads_folded", flat=True)
        counters().add(key, folded.first() or 0, timeout=None)
        return counters().incr(key)


def shown(article_id: int, heat: int, folded: int) -> int:
    """The heat to show for a row read with ``heat`` and ``heat_reads_folded``."""
    try:
        reads = counters().get(counter_key(article_id))
    except UNAVAILABLE:
        reads = None
    return heat - folded + max(reads or 0, folded)


def fold(articles, reads: dict) -> int:
    """Bring the rows up to these counter values; return the reads added."""
    if not reads:
        return 0
    table = connection.ops.quote_name(articles.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(FOLD_SQL.format(table=table), [list(reads), list(reads.values())])
        return sum(row[0] for row in cursor.fetchall())


def fold_all(articles) -> int:
    """Fold every article's counted reads (``manage.py fold_heat``)."""
    folded, after = 0, 0
    while chunk := list(
        articles.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:1000]
    ):
        keys = {counter_key(pk): pk for pk in chunk}
        folded += fold(articles, {keys[k]: n for k, n in counters().get_many(list(keys)).items()})
        after = chunk[-1]
    return folded
