"""Heat at scale: reads batched per process, counted in the shared cache, folded into the row,
exactly (articles/heat.py)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.asserts import assertContains

from articles import heat
from articles.models import Article
from tests.factories import make_article
from tests.servers import redis_is_running

BACKENDS = {
    "locmem": ({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, 10_000),
    "postgres": ({"BACKEND": "portal.cache.PostgresCache", "LOCATION": "portal_cache"}, 2_000),
    "redis": (
        {
            "BACKEND": "portal.cache.RedisCache",
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
def test_reads_from_eight_threads_fold_into_exactly_that_much_heat(settings, backend):
    config, reads = BACKENDS[backend]
    if backend == "redis" and not redis_is_running():
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    settings.CACHES = {"default": config}  # Django rebuilds its cache handlers on this change
    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 50, 20
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
def test_heat_shown_is_the_rendered_heat_plus_the_reads_not_yet_folded(settings, article):
    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 50, 20
    shown = [Article.count_read(article.pk, rendered_heat=33) for _ in range(3)]
    assert shown == [34, 35, 36]
    article.refresh_from_db()
    assert article.heat == 0  # not folded yet: one UPDATE per 50 reads
    assert Article.fold_all_reads() == 3
    article.refresh_from_db()
    assert article.heat == 3


@pytest.mark.django_db
def test_a_process_sends_its_reads_to_the_shared_counter_in_batches(settings, article):
    from django.core.cache import cache

    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 1000, 20
    shown = [Article.count_read(article.pk, rendered_heat=0) for _ in range(45)]
    assert shown == list(range(1, 46))  # exact in this process, batch or not
    # The first read learns where the counter stands; then 20 at a time: 1 + 20 + 20 sent.
    assert cache.get(heat.counter_key(article.pk)) == 41
    heat.send_process_reads()  # what a worker does when it exits
    assert cache.get(heat.counter_key(article.pk)) == 45


@pytest.mark.django_db
def test_a_process_sends_a_batch_after_some_seconds_however_small(settings, article, monkeypatch):
    from django.core.cache import cache

    settings.HEAT_PROCESS_BATCH, settings.HEAT_PROCESS_SECONDS = 20, 2
    other = make_article()
    now = [1000.0]
    monkeypatch.setattr(heat._process, "clock", lambda: now[0])
    heat._process.forget()  # starts its sweep clock now
    Article.count_read(article.pk, 0)  # sent at once: the first read here
    Article.count_read(article.pk, 0)
    Article.count_read(other.pk, 0)
    Article.count_read(other.pk, 0)
    assert cache.get(heat.counter_key(article.pk)) == cache.get(heat.counter_key(other.pk)) == 1
    now[0] += 3
    Article.count_read(other.pk, 0)  # sends other's batch, and sweeps article's stale one
    assert cache.get(heat.counter_key(article.pk)) == 2
    assert cache.get(heat.counter_key(other.pk)) == 3


@pytest.mark.django_db
def test_a_killed_process_loses_at_most_its_unsent_batch(settings, article):
    settings.HEAT_PROCESS_BATCH = 20
    for _ in range(30):
        Article.count_read(article.pk, 0)
    heat._process.forget()  # the worker is killed: its memory is gone
    assert Article.fold_all_reads() == 21  # the first read, then one batch of 20
    assert settings.HEAT_PROCESS_BATCH > 30 - 21


@pytest.mark.django_db
def test_shown_heat_stays_exact_across_folds_without_re_rendering_the_page(settings, article):
    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 2, 1
    Article.objects.filter(pk=article.pk).update(heat=10)
    # The page was rendered once, before any read: heat 10, nothing folded yet.
    shown = [Article.count_read(article.pk, rendered_heat=10) for _ in range(5)]
    assert shown == [11, 12, 13, 14, 15]
    article.refresh_from_db()
    assert (article.heat, article.heat_reads_folded) == (14, 4)  # folded at the 2nd and 4th
    # A page rendered now, from the folded row, shows the same figure as the old one.
    assert Article.count_read(article.pk, rendered_heat=14, rendered_folded=4) == 16


@pytest.mark.django_db
def test_folding_the_same_counter_twice_adds_the_reads_once(settings, article):
    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 50, 1
    for _ in range(7):
        Article.count_read(article.pk, rendered_heat=0)
    assert Article.fold_all_reads() == 7
    assert Article.fold_all_reads() == 0  # e.g. cron and a reader folding at once
    article.refresh_from_db()
    assert article.heat == 7


@pytest.mark.django_db
def test_a_lost_counter_restarts_where_folding_stopped(settings, article):
    from django.core.cache import cache

    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 50, 1
    for _ in range(5):
        Article.count_read(article.pk, rendered_heat=0)
    Article.fold_all_reads()
    Article.count_read(article.pk, rendered_heat=5, rendered_folded=5)  # counted, not folded
    cache.delete(heat.counter_key(article.pk))  # evicted, or the cache restarted

    heat._process.forget()
    assert Article.count_read(article.pk, rendered_heat=5, rendered_folded=5) == 6
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 6  # only the one unfolded read was lost with the counter


@pytest.mark.django_db
def test_a_cached_article_page_keeps_counting_through_folds(settings, client, article):
    settings.HEAT_BUFFER_SIZE, settings.HEAT_PROCESS_BATCH = 3, 2
    url = f"/zh-hans/articles/{article.pk}/"
    responses = [client.get(url) for _ in range(6)]
    assert [r["X-Page-Cache"] for r in responses] == ["miss"] + ["hit"] * 5
    for n, response in enumerate(responses, start=1):
        assertContains(response, f'<span class="heat" title="热度">{n}℃</span>')
    article.refresh_from_db()
    assert article.heat == 3  # sent 1, 2, 2: folded when the counter passed 3; one still here
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 6
