"""Floods get 429 before any work is done for them, counted per client network, in counters that
page traffic cannot evict."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from pytest_django.asserts import assertContains

from comments import guards
from comments.models import Comment
from tests.factories import comment_form, comment_url

pytestmark = pytest.mark.django_db


def test_invalid_posts_count_toward_the_limit_and_the_flood_gets_429_without_a_page(
    article, settings, django_assert_max_num_queries
):
    settings.COMMENT_POST_RATE = "20/600"
    bot = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(20):  # empty bodies: refused with the article page and its errors
        assert bot.post(comment_url(article), comment_form(article, body="")).status_code == 400
    with django_assert_max_num_queries(0):  # refused before any database work
        response = bot.post(comment_url(article), comment_form(article, body=""))
    assertContains(response, "留言太频繁", status_code=429)
    assert len(response.content) < 8000  # a short notice, not the article page
    assert not Comment.objects.exists()


def test_posts_refused_for_csrf_count_toward_the_limit(article, settings):
    settings.COMMENT_POST_RATE = "10/600"
    bot = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.8")
    statuses = [
        bot.post(comment_url(article), comment_form(article)).status_code for _ in range(11)
    ]
    assert statuses == [403] * 10 + [429]


def test_an_ipv6_slash_64_is_one_client(article, settings):
    settings.COMMENT_RATE = "2/600"
    posts = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n}").post(
            comment_url(article), comment_form(article, body=f"第{n}条")
        )
        for n in range(1, 4)
    ]
    assert [p.status_code for p in posts] == [302, 302, 429]
    other_network = Client(REMOTE_ADDR="2001:db8:1:3::1").post(
        comment_url(article), comment_form(article, body="另一个网络")
    )
    assert other_network.status_code == 302
    assert guards.network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert guards.network("203.0.113.9") == "203.0.113.9"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_filling_the_page_cache_never_evict_the_rate_counters(article, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.PostgresCache",
            "LOCATION": "portal_cache",
            "OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 1},  # a cull empties the table
        },
        "counters": {"BACKEND": "portal.cache.PostgresCache", "LOCATION": "portal_counters"},
    }
    settings.COMMENT_RATE = "3/600"
    call_command("createcachetable")
    reader = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(3):
        reader.post(comment_url(article), comment_form(article, body=f"第{n}条"))
    for n in range(30):  # distinct search pages: each a cache entry, culled past 10
        assert Client().get("/zh-hans/search/", {"q": f"词{n}"}).status_code == 200
    response = reader.post(comment_url(article), comment_form(article, body="第四条"))
    assert response.status_code == 429
    assert Comment.objects.count() == 3
    caches["default"].clear()
    caches["counters"].clear()


def test_with_the_counters_cache_down_comments_are_still_accepted(article, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "counters": {  # nothing listens there: every counter call fails
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    response = Client().post(comment_url(article), comment_form(article, body="限流计数不可用"))
    assert response.status_code == 302
    assert Comment.objects.pending().filter(body="限流计数不可用").count() == 1
