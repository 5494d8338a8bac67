"""Heat at scale: each read one increment of a counter in the shared cache, folded into the row
exactly (articles/heat.py)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from articles import heat
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
                Article.count_read(article_id)
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
        pytest.fail("needs Redis on 127.0.0.1:6379 (make test starts it)")
    # Django rebuilds its cache handlers on this change.
    settings.CACHES = {"default": config, "counters": config}
    settings.HEAT_BUFFER_SIZE = 50
    if backend == "postgres":
        call_command("createcachetable")
    from django.core.cache import cache

    cache.clear()
    heat.counters().clear()
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
def test_a_read_is_one_increment_and_the_row_is_written_once_per_buffer(
    settings, article, django_assert_num_queries
):
    settings.HEAT_BUFFER_SIZE = 50
    Article.count_read(article.pk)  # the first read starts the counter from the row
    with django_assert_num_queries(0):  # LocMem cache: no database at all
        for _ in range(48):
            Article.count_read(article.pk)
    article.refresh_from_db()
    assert article.heat == 0
    with django_assert_num_queries(1):  # the 50th read folds: one UPDATE
        Article.count_read(article.pk)
    article.refresh_from_db()
    assert (article.heat, article.heat_reads_folded) == (50, 50)


@pytest.mark.django_db
def test_folding_on_every_read_when_the_buffer_is_zero(settings, article):
    settings.HEAT_BUFFER_SIZE = 0
    Article.objects.filter(pk=article.pk).update(heat=41)
    Article.count_read(article.pk)
    article.refresh_from_db()
    assert article.heat == 42


@pytest.mark.django_db
def test_heat_shown_is_the_row_plus_the_reads_not_yet_folded(settings, article):
    settings.HEAT_BUFFER_SIZE = 50
    Article.objects.filter(pk=article.pk).update(heat=33)
    for _ in range(3):
        Article.count_read(article.pk)
    article.refresh_from_db()
    assert article.heat == 33  # not folded yet: one UPDATE per 50 reads
    assert article.shown_heat == 36
    assert Article.fold_all_reads() == 3
    article.refresh_from_db()
    assert (article.heat, article.shown_heat) == (36, 36)


@pytest.mark.django_db
def test_shown_heat_never_goes_down_across_folds(settings, article):
    settings.HEAT_BUFFER_SIZE = 2
    Article.objects.filter(pk=article.pk).update(heat=10)
    shown = []
    for _ in range(7):
        Article.count_read(article.pk)
        shown.append(Article.objects.get(pk=article.pk).shown_heat)
    assert shown == [11, 12, 13, 14, 15, 16, 17]
    article.refresh_from_db()
    assert (article.heat, article.heat_reads_folded) == (16, 6)  # folded at 2, 4 and 6


@pytest.mark.django_db
def test_folding_the_same_counter_twice_adds_the_reads_once(settings, article):
    settings.HEAT_BUFFER_SIZE = 50
    for _ in range(7):
        Article.count_read(article.pk)
    assert Article.fold_all_reads() == 7
    assert Article.fold_all_reads() == 0  # e.g. cron and a reader folding at once
    article.refresh_from_db()
    assert article.heat == 7


@pytest.mark.django_db
def test_a_lost_counter_restarts_where_folding_stopped(settings, article):
    settings.HEAT_BUFFER_SIZE = 50
    for _ in range(5):
        Article.count_read(article.pk)
    Article.fold_all_reads()
    Article.count_read(article.pk)  # counted, not folded
    heat.counters().delete(heat.counter_key(article.pk))  # evicted, or the cache restarted

    article.refresh_from_db()
    assert article.shown_heat == 5  # never below the folded row
    Article.count_read(article.pk)
    assert heat.counters().get(heat.counter_key(article.pk)) == 6
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 6  # only the one unfolded read was lost with the counter


@pytest.mark.django_db
def test_a_cached_article_page_shows_the_heat_it_was_rendered_with_and_counts_every_read(
    settings, client, article
):
    settings.HEAT_BUFFER_SIZE = 3
    url = f"/zh-hans/articles/{article.pk}/"
    responses = [client.get(url) for _ in range(6)]
    assert [r["X-Page-Cache"] for r in responses] == ["miss"] + ["hit"] * 5
    assert {r.content for r in responses} == {responses[0].content}  # one page for everyone
    article.refresh_from_db()
    assert article.heat == 6  # folded at the 3rd and 6th read
    # The next rendering (any change to the page) shows every read so far.
    article.save()
    assert '<span class="heat" title="热度">6℃</span>' in client.get(url).content.decode()
