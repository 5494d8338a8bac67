"""Heat at scale: reads buffered in the shared cache, folded into the row in batches, exactly."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from tests.factories import make_article
from tests.servers import redis_is_running

BACKENDS = {
    "locmem": ({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, 10_000),
    "postgres": ({"BACKEND": "portal.cache.PostgresCache", "LOCATION": "portal_cache"}, 2_000),
    "redis": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/4",
            "KEY_PREFIX": "test-heat",
        },
        10_000,
    ),
}


def read_concurrently(article_id: int, reads: int, threads: int = 8) -> None:
    start = threading.Barrier(threads)

    def worker(count):
        start.wait()
        try:
            for _ in range(count):
                Article.count_read(article_id, 0)
        finally:
            connection.close()

    share = [reads // threads + (1 if i < reads % threads else 0) for i in range(threads)]
    pool = [threading.Thread(target=worker, args=(n,)) for n in share]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


# serialized_rollback: the flush afterwards must not lose migration data (groups, glossary).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("backend", BACKENDS)
def test_buffered_reads_from_eight_threads_fold_into_exactly_that_much_heat(settings, backend):
    config, reads = BACKENDS[backend]
    if backend == "redis" and not redis_is_running():
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    settings.CACHES = {"default": config}  # Django rebuilds its cache handlers on this change
    settings.HEAT_BUFFER_SIZE = 50
    if backend == "postgres":
        call_command("createcachetable")
    from django.core.cache import cache

    cache.clear()
    article = make_article()
    Article.objects.filter(pk=article.pk).update(heat=100)

    read_concurrently(article.pk, reads)
    article.refresh_from_db()
    assert 100 < article.heat <= 100 + reads  # most reads are folded as they come

    call_command("fold_heat", verbosity=0)
    article.refresh_from_db()
    assert article.heat == 100 + reads
    cache.clear()


@pytest.mark.django_db
def test_unbuffered_reads_update_the_row_and_report_the_new_heat(settings, article):
    settings.HEAT_BUFFER_SIZE = 0
    Article.objects.filter(pk=article.pk).update(heat=41)
    assert Article.count_read(article.pk, rendered_heat=0) == 42
    article.refresh_from_db()
    assert article.heat == 42


@pytest.mark.django_db
def test_buffered_heat_shown_is_the_rendered_heat_plus_unfolded_reads(settings, article):
    settings.HEAT_BUFFER_SIZE = 50
    shown = [Article.count_read(article.pk, rendered_heat=33) for _ in range(3)]
    assert shown == [34, 35, 36]
    article.refresh_from_db()
    assert article.heat == 0  # not folded yet: one UPDATE per 50 reads
    assert Article.fold_all_reads() == 3
    article.refresh_from_db()
    assert article.heat == 3
