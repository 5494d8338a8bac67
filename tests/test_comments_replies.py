"""回复, 楼层, 精选 and 热门评论 on the article page: a reply is held like any comment, shown under
its top-level comment (one level; a reply to a reply says "回复 @昵称"), and only while both
are approved. Floors never change; pages count top-level comments."""

import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.forms import CommentForm
from comments.models import Comment
from tests.factories import (
    article_url,
    comment_form,
    comment_url,
    make_approved_comments,
    make_approved_replies,
    make_article,
    make_comment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

NOT_THERE = "您回复的评论不存在或尚未公开。"


@pytest.fixture
def top(article, moderator):
    return make_comment(article, approve_by=moderator, nickname="甲", body="MARKERTOP")


def reply(article, parent, body, nickname="乙", client=None):
    client = client or Client()
    data = comment_form(article, body=body, nickname=nickname, parent=str(parent.pk))
    response = client.post(comment_url(article), data)
    assert response.status_code == 302, response.content.decode()[:300]
    return Comment.objects.get(body=body)


def page(article, query="", variant="zh-hans") -> str:
    response = Client().get(article_url(article, variant) + query)
    assert response.status_code == 200
    return response.content.decode()


def item(html: str, comment) -> str:
    """The <li> of a comment, its replies included."""
    start = html.index(f'id="c{comment.pk}"')
    depth, at = 0, html.rindex("<li", 0, start)
    for tag in re.finditer(r"<(/?)li\b", html[at:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return html[at : at + tag.end()]
    raise AssertionError("unclosed item")


def test_a_reply_is_stored_pending_under_its_comment(top):
    answer = reply(top.article, top, "MARKERREPLY")
    assert answer.status == "pending"
    assert (answer.parent, answer.reply_to) == (top, top)
    assertNotContains(Client().get(article_url(top.article)), "MARKERREPLY")


def test_a_reply_to_a_reply_joins_the_top_comment_and_says_whom_it_answers(top, moderator):
    first = reply(top.article, top, "MARKERFIRST", nickname="乙")
    first.approve(by=moderator)
    second = reply(top.article, first, "MARKERSECOND", nickname="丙")
    assert (second.parent_id, second.reply_to_id) == (top.pk, first.pk)
    second.approve(by=moderator)
    html = page(top.article)
    nested = item(html, top)
    assert nested.index("MARKERTOP") < nested.index("MARKERFIRST") < nested.index("MARKERSECOND")
    assert '<ul class="replies">' in nested
    second_item = item(html, second)
    assert "回复 @乙" in second_item
    assert "回复 @" not in item(html, first)  # answers the top comment itself: no "@"
    # Replies carry no floor; the top comment does.
    assert "楼</span>" not in second_item
    assert f"{top.floor}楼" in nested
    assert "回覆 @乙" in page(top.article, variant="zh-tw")


@pytest.mark.parametrize("state", ["pending", "rejected", "spam", "missing", "other", "junk"])
def test_a_reply_to_a_comment_that_is_not_visible_is_refused_with_the_text_kept(
    article, moderator, state
):
    if state == "missing":
        parent = "987656"
    elif state == "junk":
        parent = "1 OR 1=1"
    elif state == "other":
        parent = str(make_comment(make_article(), approve_by=moderator).pk)
    else:
        comment = make_comment(article)
        if state != "pending":
            comment.decide(state, moderator)
        parent = str(comment.pk)
    data = comment_form(article, body="MARKERKEPT", parent=parent)
    response = Client().post(comment_url(article), data)
    assertContains(response, NOT_THERE, status_code=400)
    assertContains(response, "MARKERKEPT", status_code=400)  # the reader's text, to post again
    assert 'name="parent" value=""' in response.content.decode() or (
        'name="parent"' in response.content.decode()
        and f'name="parent" value="{parent}"' not in response.content.decode()
    )
    assert not Comment.objects.filter(body="MARKERKEPT").exists()


def test_a_reply_under_a_rejected_comment_is_refused(top, moderator):
    answer = reply(top.article, top, "MARKERR1")
    answer.approve(by=moderator)
    top.reject(by=moderator)
    data = comment_form(top.article, body="MARKERR2", parent=str(answer.pk))
    assertContains(Client().post(comment_url(top.article), data), NOT_THERE, status_code=400)


def test_replies_wait_for_the_database_and_are_never_spooled_as_comments(top):
    data = comment_form(top.article, body="离线回复", parent=str(top.pk))
    form = CommentForm(data, article=top.article, offline=True)
    assert not form.is_valid()
    assert "暂时无法回复" in str(form.errors)


def test_replies_are_listed_oldest_first_only_while_approved(top, moderator):
    answers = [reply(top.article, top, f"MARKERR{n}") for n in range(3)]
    answers[2].approve(by=moderator)
    answers[0].approve(by=moderator)
    nested = item(page(top.article), top)
    assert nested.index("MARKERR0") < nested.index("MARKERR2")
    assert "MARKERR1" not in nested
    top.article.refresh_from_db()
    assert top.article.comment_count == 3  # the top comment and two replies


def test_floors_never_change_and_a_rejected_top_comment_takes_its_replies(top, moderator):
    article = top.article
    second = make_comment(article, approve_by=moderator, body="MARKERSECONDTOP")
    answer = reply(article, top, "MARKERANSWER")
    answer.approve(by=moderator)
    floors = (top.floor, Comment.objects.get(pk=second.pk).floor)
    assert floors == (1, 2)
    article.refresh_from_db()
    assert article.comment_count == 3

    top.reject(by=moderator)
    html = page(article)
    assert "MARKERTOP" not in html and "MARKERANSWER" not in html
    article.refresh_from_db()
    assert article.comment_count == 1
    assert re.search(r'class="comment-count"[^>]*>1<', html)

    third = make_comment(article, approve_by=moderator, body="MARKERTHIRD")
    top.approve(by=moderator)
    rows = dict(Comment.objects.filter(floor__isnull=False).values_list("body", "floor"))
    assert rows == {"MARKERTOP": 1, "MARKERSECONDTOP": 2, "MARKERTHIRD": 3}
    html = page(article)
    assert "1楼" in item(html, top) and "MARKERANSWER" in item(html, top)
    assert html.index("MARKERTOP") < html.index("MARKERSECONDTOP") < html.index(str(third.body))
    article.refresh_from_db()
    assert article.comment_count == 4


def test_featured_comments_come_first_marked_then_by_floor(article, moderator):
    comments = [make_comment(article, approve_by=moderator, body=f"MARKERF{n}") for n in range(3)]
    Comment.objects.filter(pk=comments[2].pk).update(featured=True)
    html = page(article)
    assert html.index("MARKERF2") < html.index("MARKERF0") < html.index("MARKERF1")
    assert "精选" in item(html, comments[2]) and "精选" not in item(html, comments[0])


def test_pages_count_top_level_comments_and_carry_their_replies(article, moderator):
    tops = make_approved_comments(article, 50)
    for n in range(3):
        Comment.objects.create(
            article=article,
            parent=tops[-1],
            reply_to=tops[-1],
            body=f"MARKERLASTREPLY{n}",
            status="approved",
            item_variants={"zh-hans": f"MARKERLASTREPLY{n}"},
        )
    html = page(article)
    assert "第 1 / 2 页" not in html  # 53 visible comments, 50 of them top-level: one page
    assert "MARKERLASTREPLY2" in item(html, tops[-1])
    make_approved_comments(article, 1)
    assertContains(Client().get(article_url(article) + "?cpage=2"), "第 2 / 2 页")


def test_the_list_count_follows_top_level_comments_through_every_decision(article, moderator):
    """The paginator reads the article's stored top-level count: every decision keeps it equal
    to the rows listed, and a reply never counts in it."""

    def counts():
        stored = Article.objects.get(pk=article.pk)
        listed = Comment.objects.listed().filter(article=article).count()
        assert stored.top_level_comment_count == listed
        return stored.top_level_comment_count, stored.comment_count

    first = make_comment(article, approve_by=moderator)
    answer = make_comment(article, parent=first, reply_to=first, approve_by=moderator)
    assert counts() == (1, 2)
    second = make_comment(article)
    steps = [
        (second, "approve", (2, 3)),
        (first, "reject", (1, 1)),  # its reply is hidden with it
        (answer, "mark_spam", (1, 1)),
        (first, "approve", (2, 3 - 1)),
        (second, "mark_spam", (1, 1)),
    ]
    for comment, method, expected in steps:
        getattr(comment, method)(by=moderator)
        assert counts() == expected, (comment.body, method)


def test_hot_comments_head_the_first_page_when_liked_enough(article, moderator, settings):
    settings.COMMENT_HOT_MIN_LIKES = 3
    comments = [make_comment(article, approve_by=moderator, body=f"MARKERH{n}") for n in range(5)]
    html = page(article)
    assert "热门评论" not in html
    for comment, likes in zip(comments, (2, 9, 4, 3, 5), strict=True):
        Comment.objects.filter(pk=comment.pk).update(like_count=likes)
    Article.objects.get(pk=article.pk).save()  # any change of the page: rendered again
    html = page(article)
    hot = html[html.index("热门评论") : html.index("最新评论")]
    order = [hot.index(f"MARKERH{n}") for n in (1, 4, 2)]
    assert order == sorted(order)
    assert "MARKERH3" not in hot and "MARKERH0" not in hot
    assert f'id="hot-c{comments[1].pk}"' in hot
    assert html.count(f'id="c{comments[1].pk}"') == 1  # listed in its place too, once by id


def test_the_reply_link_opens_a_page_of_the_readers_own_with_the_form(top):
    client = Client()
    html = page(top.article)
    assert f'href="/zh-hans/comments/{top.pk}/reply/"' in html
    response = client.get(f"/zh-hans/comments/{top.pk}/reply/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "X-Page-Cache" not in response
    assertContains(response, "回复 @甲")
    assertContains(response, f'name="parent" value="{top.pk}"')
    assertContains(response, "MARKERTOP")
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1][:10]
    assert token.strip('"')  # a CSRF token of this reader's: posting works without JavaScript
    # Nobody else's article page shows the form answering anyone.
    assert 'class="replying" hidden' in page(top.article)


def test_a_comment_lists_its_first_ten_replies_and_links_to_all_of_them(top, moderator):
    make_approved_replies(top, 12, prefix="MARKERR")
    make_comment(top.article, parent=top, reply_to=top, body="MARKERPENDING")  # not counted
    other = make_comment(top.article, approve_by=moderator, body="MARKEROTHER")
    make_approved_replies(other, 10, prefix="MARKERO")
    html = page(top.article)
    nested = item(html, top)
    assert re.findall(r"MARKERR(\d+)", nested) == [f"{n:03d}" for n in range(10)]  # oldest ten
    link = (
        f'<a class="more-replies" href="/zh-hans/comments/{top.pk}/reply/">查看全部 12 条回复</a>'
    )
    assert link in nested
    assert len(re.findall(r"MARKERO\d+", item(html, other))) == 10
    assert "more-replies" not in item(html, other)  # exactly ten: all of them are here
    assert "檢視全部 12 條回覆" in item(page(top.article, variant="zh-tw"), top)


def test_the_reply_page_lists_all_visible_replies_a_page_at_a_time(top):
    replies = make_approved_replies(top, 60, prefix="MARKERR")
    make_comment(top.article, parent=top, reply_to=top, body="MARKERPENDING")
    url = f"/zh-hans/comments/{top.pk}/reply/"
    first = Client().get(url)
    html = first.content.decode()
    assert re.findall(r"MARKERR(\d+)", html) == [f"{n:03d}" for n in range(50)]
    assert f'id="c{replies[0].pk}"' in html  # the anchor a link to the reply lands on
    assert "共 60 条回复" in html and "第 1 / 2 页" in html and 'href="?page=2"' in html
    assert "MARKERPENDING" not in html
    assertContains(first, f'name="parent" value="{top.pk}"')  # and the form answering it
    second = Client().get(url + "?page=2").content.decode()
    assert re.findall(r"MARKERR(\d+)", second) == [f"{n:03d}" for n in range(50, 60)]


def test_the_reply_page_of_a_closed_article_lists_the_replies_without_a_form(top):
    make_approved_replies(top, 3, prefix="MARKERR")
    top.article.allow_comments = False
    top.article.save()
    response = Client().get(f"/zh-hans/comments/{top.pk}/reply/")
    assertContains(response, "MARKERR002")
    assertContains(response, "本文评论已关闭。")
    assertNotContains(response, 'name="body"')


def test_the_reply_page_of_a_hidden_comment_is_404_without_its_text(article, moderator):
    pending = make_comment(article, body="MARKERSECRET", nickname="隐")
    response = Client().get(f"/zh-hans/comments/{pending.pk}/reply/")
    assertContains(response, NOT_THERE, status_code=404)
    assertNotContains(response, "MARKERSECRET", status_code=404)
    assert Client().get("/zh-hans/comments/987657/reply/").status_code == 404


def test_the_author_sees_their_pending_reply_with_whom_it_answers_only_in_their_receipts(top):
    author = Client()
    reply(top.article, top, "MARKERMYREPLY", client=author)
    mine = author.get(f"/zh-hans/articles/{top.article.pk}/comments/mine/").content.decode()
    receipt = mine[mine.rindex('<li class="receipt', 0, mine.index("MARKERMYREPLY")) :]
    assert "待审核" in receipt and "回复 @甲" in receipt
    # The shared page never carries it, for the author or anyone else.
    assert "MARKERMYREPLY" not in author.get(article_url(top.article)).content.decode()
    assert "MARKERMYREPLY" not in Client().get(article_url(top.article)).content.decode()
