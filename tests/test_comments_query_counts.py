"""The article page costs the same few queries however many comments it has; posting costs a
bounded number. Page-cache misses are measured (the cache is cleared first): a hit costs less."""

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    article_url,
    comment_form,
    comment_url,
    make_approved_comments,
    make_approved_replies,
    make_comment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

# The list costs three: how many top-level comments, one page of them, and their replies; and
# 热门评论 one more on the first page. 顶 counts not folded yet come from the counters cache.
ARTICLE_PAGE_MAX_QUERIES = 10
# With the advisory lock that makes one text one row; a post also reads the intake rules (at
# most every 30 s, comments/intake.py), the active blocks and the glossary (the comment is
# rendered in the four scripts for the moderators' desk).
POST_MAX_QUERIES = 16


def queries_for_article_page(article, query="") -> int:
    cache.clear()  # a cache miss: the page is rendered from the database
    caches["counters"].clear()  # and the first read of the article
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(article_url(article) + query)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_article_page_costs_the_same_queries_with_0_50_and_5000_comments(
    article, django_assert_max_num_queries
):
    counts = {}
    for total in (0, 50, 5000):
        make_approved_comments(article, total - article.comment_count)
        with django_assert_max_num_queries(ARTICLE_PAGE_MAX_QUERIES):
            counts[total] = queries_for_article_page(article)
    # 0 comments may skip the list query (the article knows its count); beyond that, constant.
    assert counts[50] == counts[5000], counts
    assert counts[0] <= counts[50], counts
    # (热门评论 head the first page only: a later page may cost one query less.)
    assert queries_for_article_page(article, "?cpage=100") <= counts[5000]
    # ... and the page holds fifty of the 5,000 comments, never more.
    html = Client().get(article_url(article) + "?cpage=100").content.decode()
    assert html.count('<li class="comment" id="c') == 50
    assert "已通过的评论4999<" in html and "已通过的评论4949<" not in html
    assert "第 100 / 100 页" in html


def test_pending_comments_add_no_queries_for_other_readers(article):
    make_approved_comments(article, 10)
    before = queries_for_article_page(article)
    for _ in range(30):
        make_comment(article)
    assert queries_for_article_page(article) == before


def test_cached_article_page_costs_fewer_queries_than_a_miss(article):
    make_approved_comments(article, 50)
    miss = queries_for_article_page(article)
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(article_url(article))
    assert response["X-Page-Cache"] == "hit"
    assert len(captured.captured_queries) < miss


def test_author_after_posting_also_gets_a_constant_query_count(client, article):
    make_approved_comments(article, 5)
    client.post(comment_url(article), comment_form(article, body="我的"))
    client.get(article_url(article))  # sees the flash message
    with CaptureQueriesContext(connection) as few:
        client.get(article_url(article))
    make_approved_comments(article, 500)
    client.get(article_url(article))  # the article's cached results made again, as before `few`
    with CaptureQueriesContext(connection) as many:
        client.get(article_url(article))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_posting_a_comment_costs_a_bounded_number_of_queries(
    client, article, django_assert_max_num_queries
):
    from comments.models import BannedWord

    make_approved_comments(article, 200)
    for n in range(20):
        BannedWord.objects.create(word=f"屏蔽{n}")
    with django_assert_max_num_queries(POST_MAX_QUERIES):
        response = client.post(comment_url(article), comment_form(article, body="一条"))
    assert response.status_code == 302
    # A later post from the same browser costs no more.
    with django_assert_max_num_queries(POST_MAX_QUERIES):
        response = client.post(comment_url(article), comment_form(article, body="两条"))
    assert response.status_code == 302


def test_refused_post_costs_a_bounded_number_of_queries(
    client, article, django_assert_max_num_queries
):
    make_approved_comments(article, 200)
    with django_assert_max_num_queries(ARTICLE_PAGE_MAX_QUERIES + 2):
        response = client.post(comment_url(article), comment_form(article, body=""))
    assert response.status_code == 400


def test_public_list_and_moderation_queue_have_their_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'comments_comment'"
        )
        indexes = dict(cursor.fetchall())
    assert "(article_id, status, created_at, id)" in indexes["comment_public"]
    assert "(status, created_at)" in indexes["comment_queue"]


def add_replies(comments, per_comment: int, *, likes: int = 0) -> None:
    """``per_comment`` approved replies under each comment, liked ``likes`` times (folded), and
    every comment with a 顶 counted but not folded yet."""
    from comments import likes as counted
    from comments.models import Comment

    replies = [r for top in comments for r in make_approved_replies(top, per_comment)]
    everyone = [*comments, *replies]
    Comment.objects.filter(pk__in=[c.pk for c in everyone]).update(like_count=likes)
    for comment in everyone:
        counted.count_like(Comment.objects, comment.pk)


def test_article_page_costs_the_same_queries_with_replies_and_likes(article, settings):
    """50 comments with 10 replies each, all liked (热门评论 shown too): the same queries as 50
    comments without any."""
    settings.COMMENT_HOT_MIN_LIKES = 3
    tops = make_approved_comments(article, 50)
    plain = queries_for_article_page(article)
    add_replies(tops, 10, likes=5)
    cache.clear()  # (the rows were inserted behind the page cache's back)
    html = Client().get(article_url(article)).content.decode()
    assert html.count('<li class="comment"') == 50 + 500 + 3  # and three 热门评论
    assert "热门评论" in html and '<span class="likes">6</span>' in html
    assert queries_for_article_page(article) <= plain + 1  # 热门评论: one query
    assert queries_for_article_page(article) <= ARTICLE_PAGE_MAX_QUERIES


def test_a_comment_with_hundreds_of_replies_lists_ten_and_costs_no_more_queries(article):
    tops = make_approved_comments(article, 50)
    plain = queries_for_article_page(article)
    make_approved_replies(tops[0], 300)
    make_approved_replies(tops[1], 11)
    assert queries_for_article_page(article) == plain
    html = Client().get(article_url(article)).content.decode()
    assert html.count('<li class="comment"') == 50 + 10 + 10
    assert "查看全部 300 条回复" in html and "查看全部 11 条回复" in html


def test_the_reply_page_costs_the_same_queries_with_3_and_300_replies(article):
    top = make_approved_comments(article, 1)[0]
    url = f"/zh-hans/comments/{top.pk}/reply/"

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return len(captured.captured_queries)

    make_approved_replies(top, 3)
    few = queries()
    make_approved_replies(top, 297)
    assert queries() == few
