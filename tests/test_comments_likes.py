"""顶: one per reader per comment, limited per address block and per client, only on visible
comments; counted in the counters cache and folded into the comment's row — never writing the
article's row, never changing the shared article page's bytes."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains

from comments import likes
from comments.models import Comment, Like
from tests.factories import article_url, make_approved_replies, make_comment, withdraw

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

JSON = {"HTTP_ACCEPT": "application/json"}


def like_url(comment, variant="zh-hans") -> str:
    return f"/{variant}/comments/{comment.pk}/like/"


def like(client, comment, **extra):
    return client.post(like_url(comment), **{**JSON, **extra})


@pytest.fixture
def approved(article, moderator):
    return make_comment(article, approve_by=moderator, nickname="甲", body="值得一顶")


def reader(n: int = 1) -> Client:
    return Client(REMOTE_ADDR=f"203.0.113.{n}")


def test_two_readers_give_two_likes_and_one_reader_twice_gives_one(approved):
    first, second = reader(1), reader(2)
    response = like(first, approved)
    assert response.status_code == 200
    assert response.json()["likes"] == 1 and response.json()["counted"] is True
    again = like(first, approved)
    assert again.status_code == 200
    assert again.json() == {**again.json(), "likes": 1, "counted": False}
    assert like(second, approved).json()["likes"] == 2
    assert Like.objects.filter(comment=approved).count() == 2
    assert approved.shown_likes() == 2


def test_the_reader_is_remembered_by_the_commenter_cookie(approved):
    client = reader()
    response = like(client, approved)
    assert "commenter" in response.cookies
    like(client, approved)  # the cookie came back: the same reader
    assert Like.objects.filter(comment=approved).count() == 1


def test_a_like_without_javascript_redirects_back_to_the_comment(approved):
    response = reader().post(like_url(approved))
    assert response.status_code == 302
    assert response["Location"] == f"{article_url(approved.article)}#c{approved.pk}"
    page = reader().get(response["Location"])  # another reader: the shared page
    assert page.status_code == 200


def test_without_javascript_the_reader_goes_back_to_the_page_of_the_list_they_were_on(approved):
    page = f"http://testserver{article_url(approved.article)}?cpage=2"
    response = reader().post(like_url(approved), HTTP_REFERER=page)
    assert response["Location"] == f"{article_url(approved.article)}?cpage=2#c{approved.pk}"
    for elsewhere in ("http://evil.example/zh-hans/", f"{page}x", "http://testserver/zh-hans/"):
        response = reader(5).post(like_url(approved), HTTP_REFERER=elsewhere.replace("2x", "x"))
        assert response["Location"] == f"{article_url(approved.article)}#c{approved.pk}"


def test_without_javascript_a_like_on_the_reply_page_goes_back_to_that_page(approved):
    replies = make_approved_replies(approved, 60)
    page = f"/zh-hans/comments/{approved.pk}/reply/"
    referer = f"http://testserver{page}?page=2"
    response = reader().post(like_url(replies[55]), HTTP_REFERER=referer)
    assert response["Location"] == f"{page}?page=2#c{replies[55].pk}"
    # Not the reply page of another comment: the article.
    response = reader(2).post(like_url(approved), HTTP_REFERER=referer)
    assert response["Location"] == f"{article_url(approved.article)}#c{approved.pk}"


def test_the_reader_who_liked_without_javascript_sees_the_new_count(approved):
    client = reader()
    response = client.post(like_url(approved), follow=True)
    assertContains(response, "已顶。")
    assertContains(response, f'id="c{approved.pk}"')
    html = response.content.decode()
    item = html[html.index(f'id="c{approved.pk}"') :]
    assert '<span class="likes">1</span>' in item[: item.index("</li>")]


@pytest.mark.parametrize("state", ["pending", "rejected", "spam", "missing"])
def test_liking_a_comment_that_is_not_visible_is_404_with_a_clear_message(
    article, moderator, state
):
    if state == "missing":
        comment = Comment(pk=987654)
    else:
        comment = make_comment(article)
        if state != "pending":
            comment.decide(state, moderator)
    response = like(reader(), comment)
    assert response.status_code == 404
    assert response.json()["error"] == "这条评论不存在或尚未公开。"
    page = reader().post(like_url(comment))
    assertContains(page, "这条评论不存在或尚未公开。", status_code=404)
    assert not Like.objects.exists()


def test_a_reply_under_a_hidden_parent_cannot_be_liked(approved, moderator):
    reply = make_comment(approved.article, parent=approved, reply_to=approved)
    reply.approve(by=moderator)
    approved.reject(by=moderator)
    assert like(reader(), reply).status_code == 404


@pytest.mark.parametrize("change", ["unpublished", "scheduled"])
def test_a_comment_on_an_article_no_longer_published_cannot_be_liked(approved, change):
    withdraw(approved.article, change)
    response = like(reader(), approved)
    assert response.status_code == 404
    assert response.json()["error"] == "这条评论不存在或尚未公开。"
    assertContains(reader(2).post(like_url(approved)), "不存在或尚未公开", status_code=404)
    assert not Like.objects.exists()
    assert approved.shown_likes() == 0  # no counter either


def test_liking_is_get_proof_and_bad_ids_are_404(approved):
    assert reader().get(like_url(approved)).status_code == 405
    assert reader().post("/zh-hans/comments/abc/like/").status_code == 404
    assert reader().post(f"/zh-hans/comments/{10**15}/like/", **JSON).status_code == 404


def test_one_address_block_gives_a_comment_at_most_its_share_of_likes(approved, settings):
    settings.COMMENT_LIKES_PER_ADDRESS = 3
    # Cookies cleared every time: each request is a new reader from the same address.
    answers = [like(Client(REMOTE_ADDR="198.51.100.20"), approved) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"] == "操作太频繁，请稍后再试。"
    # The same /64 is one block; another address is not limited.
    assert like(Client(REMOTE_ADDR="198.51.100.21"), approved).status_code == 200
    assert approved.shown_likes() == 4


def test_an_ipv6_slash_64_is_one_address_block(approved, settings):
    settings.COMMENT_LIKES_PER_ADDRESS = 1
    assert like(Client(REMOTE_ADDR="2001:db8:5:6::1"), approved).status_code == 200
    assert like(Client(REMOTE_ADDR="2001:db8:5:6::2"), approved).status_code == 429


def test_a_flood_of_likes_gets_429(article, moderator, settings):
    settings.COMMENT_LIKE_RATE = "3/600"
    comments = [make_comment(article, approve_by=moderator) for _ in range(4)]
    client = reader(9)
    statuses = [like(client, c).status_code for c in comments]
    assert statuses == [200, 200, 200, 429]
    page = client.post(like_url(comments[0]))
    assertContains(page, "操作太频繁", status_code=429)


def test_a_like_never_writes_the_article_row_nor_the_comment_row(approved):
    with CaptureQueriesContext(connection) as captured:
        assert like(reader(), approved).status_code == 200
    writes = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))
    ]
    assert writes and all("comments_like" in sql for sql in writes), writes
    # The article is read (is it still published?), never locked.
    assert not any(
        "articles_article" in q["sql"] and "FOR UPDATE" in q["sql"]
        for q in captured.captured_queries
    )


def test_a_like_does_not_change_the_cached_article_page(approved):
    url = article_url(approved.article)
    first = reader(1).get(url)
    assert reader(2).get(url)["X-Page-Cache"] == "hit"
    like(reader(3), approved)
    after = reader(4).get(url)
    assert after["X-Page-Cache"] == "hit"
    assert after.content == first.content
    assert after["ETag"] == first["ETag"]


def test_likes_are_folded_into_the_row_every_n_likes(approved, settings):
    settings.COMMENT_LIKES_FOLD_EVERY = 3
    for n in range(1, 3):
        like(reader(n), approved)
    approved.refresh_from_db()
    assert approved.like_count == 0  # counted, not folded yet
    assert like(reader(3), approved).json()["likes"] == 3
    approved.refresh_from_db()
    assert approved.like_count == 3
    assert likes.unfolded([approved.pk]) == {}
    assert like(reader(4), approved).json()["likes"] == 4


def test_fold_likes_command_folds_the_rest_and_twice_folds_once(approved, article, moderator):
    other = make_comment(article, approve_by=moderator)
    for n in range(1, 4):
        like(reader(n), approved)
    like(reader(1), other)
    call_command("fold_likes", "--dry-run", verbosity=0)
    approved.refresh_from_db()
    assert approved.like_count == 0
    call_command("fold_likes", verbosity=0)
    call_command("fold_likes", verbosity=0)
    approved.refresh_from_db()
    other.refresh_from_db()
    assert (approved.like_count, other.like_count) == (3, 1)
    assert approved.shown_likes() == 3


def test_two_folds_racing_move_each_like_once(approved):
    """A fold claims what it read by decrementing the counter; one that read a value another
    fold has already claimed gives the difference back."""
    for n in range(1, 6):
        like(reader(n), approved)
    counter = likes.counter_key(approved.pk)
    caches["counters"].decr(counter, 5)  # another fold claimed all five meanwhile…
    Comment.objects.filter(pk=approved.pk).update(like_count=5)  # …and moved them
    caches["counters"].incr(counter, 5)  # (as if this fold read 5 before the other claimed)
    assert likes.fold(Comment.objects, [approved.pk]) == 5
    caches["counters"].set(counter, -2)  # a claim in flight: nothing to take now
    assert likes.fold(Comment.objects, [approved.pk]) == 0
    assert caches["counters"].get(counter) == -2


def test_with_the_counters_cache_down_a_like_goes_straight_into_the_row(approved, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    def down(*args, **kwargs):
        raise RedisDown("counters down")

    monkeypatch.setattr(caches["counters"], "add", down)
    monkeypatch.setattr(caches["counters"], "incr", down)
    monkeypatch.setattr(caches["counters"], "get_many", down)
    monkeypatch.setattr(caches["counters"], "get", down)
    response = like(reader(), approved)
    assert response.status_code == 200 and response.json()["likes"] == 1
    approved.refresh_from_db()
    assert approved.like_count == 1


def test_the_page_shows_folded_and_unfolded_likes_as_of_its_rendering(approved):
    Comment.objects.filter(pk=approved.pk).update(like_count=7)
    like(reader(1), approved)
    html = reader(2).get(article_url(approved.article)).content.decode()
    item = html[html.index(f'id="c{approved.pk}"') :]
    assert '<span class="likes">8</span>' in item[: item.index("</li>")]


def test_csrf_from_the_tokens_endpoint_lets_a_shared_page_like(approved):
    """As comment-actions.js does: the shared page has no token; fetch it, send it as a header."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.50")
    assert like(client, approved).status_code == 403
    tokens = client.get(f"/zh-hans/articles/{approved.article_id}/comments/tokens/").json()
    response = like(client, approved, HTTP_X_CSRFTOKEN=tokens["csrf"])
    assert response.status_code == 200 and response.json()["likes"] == 1


def test_without_javascript_a_refused_token_asks_to_confirm_and_then_counts(approved):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.51")
    confirm = client.post(like_url(approved))
    assertContains(confirm, "请再点一次", status_code=403)
    html = confirm.content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert f'action="{like_url(approved)}"' in html
    response = client.post(like_url(approved), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert approved.shown_likes() == 1


def commits_synchronously(client_request) -> list[str]:
    """``synchronous_commit`` as PostgreSQL held it when each write of the request ran."""
    seen = []

    def recorder(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT"):
            with context["connection"].connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recorder):
        client_request()
    return seen


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # transactions as served
def test_a_like_commits_without_waiting_for_the_disk_but_a_comment_does(approved, article):
    from tests.factories import comment_form, comment_url

    assert set(commits_synchronously(lambda: like(reader(7), approved))) == {"off"}
    posted = commits_synchronously(
        lambda: reader(8).post(comment_url(article), comment_form(article, body="要落盘的评论"))
    )
    assert posted and set(posted) == {"on"}
    assert Like.objects.filter(comment=approved).count() == 1
    assert Comment.objects.filter(body="要落盘的评论").count() == 1
