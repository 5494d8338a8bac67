"""Querysets compiled once per process (portal/prepared.py) give what the ORM gives."""

import threading
from datetime import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.fields.json import KeyTextTransform
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from portal.prepared import PreparedQuery

from .factories import make_article, make_category

pytestmark = pytest.mark.django_db(transaction=True)


def titles(category_id, variant, now):
    return (
        Article.objects.published(now)
        .filter(category_id=category_id)
        .annotate(shown=KeyTextTransform(variant, "title_variants"))
        .latest()
        .values_list("shown", flat=True)
    )


TITLES = PreparedQuery(titles, category_id=int, variant=str, now=datetime)


def test_each_call_runs_with_its_own_values_and_matches_the_orm():
    jiangsu, guangdong = make_category(slug="js"), make_category(slug="gd")
    make_article(jiangsu, title="苏州开会")
    make_article(jiangsu, title="南京新闻")
    make_article(guangdong, title="广州发展")
    now = timezone.now()

    for category in (jiangsu, guangdong):
        for variant in ("zh-hans", "zh-tw"):
            expected = list(titles(category.pk, variant, now))
            assert TITLES(category_id=category.pk, variant=variant, now=now) == expected
    assert TITLES(category_id=jiangsu.pk, variant="zh-tw", now=now) == ["蘇州開會", "南京新聞"]
    before_any = now - timezone.timedelta(days=365)
    assert TITLES(category_id=jiangsu.pk, variant="zh-hans", now=before_any) == []


def test_rows_are_read_afresh_on_every_call():
    category = make_category()
    now = timezone.now()
    assert TITLES(category_id=category.pk, variant="zh-hans", now=now) == []
    make_article(category, title="新的一篇")
    assert TITLES(category_id=category.pk, variant="zh-hans", now=timezone.now()) == ["新的一篇"]


def test_model_instances_come_back_with_select_related_and_annotations():
    article = make_article(title="江苏新闻", category=make_category(name="江苏"))
    found = Article.for_reader(article.pk, "zh-tw")
    assert found == article
    assert found.display_title == "江蘇新聞"
    assert found.display_category == "江蘇"
    with CaptureQueriesContext(connection) as queries:
        assert found.category.name == "江苏"  # joined, not fetched again
    assert len(queries) == 0


def test_the_sql_is_compiled_once_and_the_queryset_built_once():
    built = []

    def build(category_id):
        built.append(category_id)
        return Article.objects.filter(category_id=category_id).values_list("pk", flat=True)

    query = PreparedQuery(build, category_id=int)
    first, second = make_category(), make_category()
    article = make_article(first)
    assert query(category_id=first.pk) == [article.pk]
    assert query(category_id=second.pk) == []
    assert len(built) == 1


def test_a_value_the_orm_writes_into_the_sql_text_is_refused():
    # A slice's LIMIT is part of the SQL text, not a parameter: it cannot be replayed.
    query = PreparedQuery(lambda size: Article.objects.all()[:size], size=int)
    with pytest.raises(ImproperlyConfigured, match="size"):
        query(size=5)


def test_every_value_must_be_given_and_no_other():
    with pytest.raises(TypeError, match="variant"):
        TITLES(category_id=1, now=timezone.now())
    with pytest.raises(TypeError, match="pk"):
        TITLES(category_id=1, variant="zh-hans", now=timezone.now(), pk=3)


def test_threads_replay_on_their_own_connections():
    category = make_category()
    make_article(category, title="一篇")
    results, errors = [], []

    def read():
        try:
            results.append(TITLES(category_id=category.pk, variant="zh-hans", now=timezone.now()))
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [["一篇"]] * 4
