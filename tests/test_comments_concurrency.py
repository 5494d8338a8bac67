"""Nothing lost, nothing doubled: concurrent posts and decisions against the real database.

Each thread has its own Client and database connection, and closes the connection when done.
Transactional tests flush the database afterwards; ``serialized_rollback`` brings back the rows
the migrations created (the Editors and Moderators groups) for whatever runs next.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.factories import comment_form, comment_url, make_comment

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fast_test_client"),
]


def in_threads(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released at the same moment; return the results."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # reported by the assertion below, with its thread
            errors.append((i, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    return results


def test_fifty_concurrent_posts_from_different_addresses_store_exactly_fifty_pending(article):
    forms = [comment_form(article, body=f"并发评论第{i}条") for i in range(50)]

    def post(i):
        reader = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
        return reader.post(comment_url(article), forms[i]).status_code

    assert in_threads(50, post) == [302] * 50
    stored = Comment.objects.filter(article=article)
    assert stored.count() == 50
    assert stored.pending().count() == 50
    assert sorted(stored.values_list("body", flat=True)) == sorted(f["body"] for f in forms)
    assert len(set(stored.values_list("ip_address", flat=True))) == 50
    assert Article.objects.get(pk=article.pk).comment_count == 0


def test_one_form_submitted_ten_times_at_once_stores_one_comment(article):
    form = comment_form(article, body="手抖连点了十次")

    def post(i):
        reader = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        return reader.post(comment_url(article), form).status_code

    # Every submit gets the normal answer; only one comment exists.
    assert in_threads(10, post) == [302] * 10
    assert Comment.objects.filter(article=article).count() == 1


@pytest.mark.django_db
def test_double_submitted_form_stores_one_comment_and_answers_both(client, article):
    form = comment_form(article, body="提交了两次")
    first = client.post(comment_url(article), form)
    second = client.post(comment_url(article), form)
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    # The author's 我的留言 panel lists it once.
    mine = client.get(f"/zh-hans/articles/{article.pk}/comments/mine/").content.decode()
    assert mine.count("提交了两次") == 1


def test_concurrent_approvals_count_every_comment_exactly_once(article, django_user_model):
    moderator = django_user_model.objects.create_user("m", password="pw")
    comments = [make_comment(article) for _ in range(20)]

    def approve(i):
        return Comment.objects.get(pk=comments[i].pk).approve(by=moderator)

    assert in_threads(20, approve) == [True] * 20
    assert Article.objects.get(pk=article.pk).comment_count == 20
    assert Comment.objects.visible().count() == 20


def test_the_same_comment_approved_by_many_at_once_counts_once(article, django_user_model):
    moderator = django_user_model.objects.create_user("m", password="pw")
    comment = make_comment(article)

    def approve(i):
        return Comment.objects.get(pk=comment.pk).approve(by=moderator)

    assert sorted(in_threads(8, approve)) == [False] * 7 + [True]
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_concurrent_approve_and_reject_leave_count_matching_the_final_state(
    article, django_user_model
):
    moderator = django_user_model.objects.create_user("m", password="pw")
    comments = [make_comment(article) for _ in range(10)]

    def decide(i):
        comment = Comment.objects.get(pk=comments[i % 10].pk)
        return comment.approve(by=moderator) if i < 10 else comment.reject(by=moderator)

    in_threads(20, decide)
    visible = Comment.objects.visible().filter(article=article).count()
    assert Article.objects.get(pk=article.pk).comment_count == visible


def test_one_text_from_eight_forms_at_the_same_moment_is_stored_once(article):
    forms = [comment_form(article, body="同一段文字，八个表单同时提交") for _ in range(8)]

    def post(i):
        reader = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
        response = reader.post(comment_url(article), forms[i])
        return response.status_code, "您已经发表过相同的留言" in response.content.decode()

    results = in_threads(8, post)
    assert sorted(status for status, _ in results) == [302] + [400] * 7
    assert all(said for status, said in results if status == 400)  # each told why
    assert Comment.objects.filter(article=article).count() == 1


def test_one_reader_liking_eight_times_at_once_is_counted_once_and_eight_readers_eight(
    article, moderator
):
    from comments.models import Like

    first, second = (make_comment(article, approve_by=moderator) for _ in range(2))
    reader = Client(REMOTE_ADDR="203.0.113.70")
    reader.post(f"/zh-hans/comments/{first.pk}/like/")  # now it has its commenter cookie
    cookie = reader.cookies["commenter"].value

    def same_reader(i):
        client = Client(REMOTE_ADDR="203.0.113.70", HTTP_ACCEPT="application/json")
        client.cookies["commenter"] = cookie
        return client.post(f"/zh-hans/comments/{second.pk}/like/").json()["likes"]

    assert in_threads(8, same_reader) == [1] * 8
    assert Like.objects.filter(comment=second).count() == 1

    def new_readers(i):
        client = Client(REMOTE_ADDR=f"203.0.113.{i + 100}", HTTP_ACCEPT="application/json")
        return client.post(f"/zh-hans/comments/{first.pk}/like/").status_code

    assert in_threads(8, new_readers) == [200] * 8
    assert Comment.objects.get(pk=first.pk).shown_likes() == 9


def test_reports_at_once_hide_a_comment_once_and_count_each_reader_once(
    article, moderator, settings
):
    from comments.models import Decision, Report

    settings.COMMENT_REPORT_THRESHOLD = 3
    comment = make_comment(article, approve_by=moderator)

    def report(i):
        client = Client(REMOTE_ADDR=f"203.0.113.{i + 1}", HTTP_ACCEPT="application/json")
        return client.post(f"/zh-hans/comments/{comment.pk}/report/", {"reason": "ad"})

    statuses = [r.status_code for r in in_threads(6, report)]
    # Each report is counted, or finds the comment hidden already (404): never an error.
    assert set(statuses) <= {200, 404} and statuses.count(200) >= 3
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert comment.open_reports == Report.objects.filter(comment=comment).count()
    assert Decision.objects.filter(comment=comment, moderator=None).count() == 1
    assert Article.objects.get(pk=article.pk).comment_count == 0
