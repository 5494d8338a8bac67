"""Heat counts reads, once per request, exactly (see articles/heat.py for how they are folded)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article


@pytest.mark.django_db
def test_each_read_adds_exactly_one_degree(client, article):
    for _ in range(3):
        client.get(f"/zh-hans/articles/{article.pk}/")
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 3


@pytest.mark.django_db
def test_with_no_buffer_each_read_updates_the_row_at_once(client, article, settings):
    settings.HEAT_BUFFER_SIZE = 0
    for _ in range(3):
        client.get(f"/zh-hans/articles/{article.pk}/")
    article.refresh_from_db()
    assert article.heat == 3


@pytest.mark.django_db
def test_lists_and_feeds_do_not_count_as_reads(client, article):
    client.get("/zh-hans/")
    client.get(f"/zh-hans/category/{article.category.slug}/")
    client.get("/zh-hans/feeds/latest.xml")
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 0


# serialized_rollback: the flush afterwards must not lose migration data (groups, glossary).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_readers_lose_no_increment(article):
    start = threading.Barrier(20)
    statuses = []

    def read():
        start.wait()
        try:
            statuses.append(Client().get(f"/zh-hans/articles/{article.pk}/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 20
    Article.fold_all_reads()
    assert Article.objects.get(pk=article.pk).heat == 20
