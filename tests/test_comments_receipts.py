"""我的留言: the author — known by the signed commenter cookie, no account — sees what became of
each of their comments (待审核 / 已通过 with a link / 未通过 with the reason) after every reload, in
their script; nobody else does, and no shared cache ever holds it."""

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments import commenter
from comments.models import Block, Comment
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

VARIANTS = ("zh-hans", "zh-hant", "zh-tw", "zh-hk")
MY_COMMENTS = "/zh-hans/my-comments/"


def panel_url(article, variant="zh-hans") -> str:
    return f"/{variant}/articles/{article.pk}/comments/mine/"


def post(client, article, body, variant="zh-hans") -> Comment:
    response = client.post(comment_url(article, variant), comment_form(article, body=body))
    assert response.status_code == 302
    return Comment.objects.get(body=body)


def make_own(article, body, key, **fields) -> Comment:
    """A comment of the browser with ``key``, rendered as posting renders it (posting dozens
    through the form would meet the rate limit)."""
    comment = Comment(article=article, body=body, commenter_key=key, **fields)
    comment.refresh_renderings()
    comment.save()
    return comment


def panel(client, article, variant="zh-hans") -> str:
    response = client.get(panel_url(article, variant))
    assert response.status_code == 200
    return response.content.decode()


def assert_never_cached(response):
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private"):
        assert directive in cache_control, cache_control
    assert "Cookie" in response["Vary"]
    assert "X-Page-Cache" not in response


def test_posting_gives_the_browser_its_signed_key_and_the_scripts_hint(client, article):
    response = client.post(comment_url(article), comment_form(article, body="记住我"))
    assert response.status_code == 302
    key = Comment.objects.get().commenter_key
    signed = response.cookies[commenter.COOKIE_NAME]
    assert signed["httponly"] and key in signed.value and signed.value != key
    assert response.cookies["my_comments"].value == "1"  # says nothing about who


def test_article_page_holds_only_an_empty_placeholder_for_the_panel(client, article):
    post(client, article, "我的待审留言")
    for _ in range(2):
        page = client.get(article_url(article))
        assertContains(
            page,
            f'<div id="my-comments" class="my-comments" data-url="{panel_url(article)}" hidden>'
            "</div>",
        )
        assertContains(page, "/static/js/my-comments.js")
        assertNotContains(page, "我的待审留言")
        # (The test client keeps a deleted cookie, empty; a browser drops it.)
        client.cookies.pop("messages", None)
    # The author's later views are the page everyone shares: nothing of theirs is in it.
    assert client.get(article_url(article))["X-Page-Cache"] == "hit"


def test_authors_pending_comment_shows_in_their_panel_after_every_reload(client, article):
    post(client, article, "我的待审留言")
    for _ in range(3):
        client.get(article_url(article))
        html = panel(client, article)
        assert "我的待审留言" in html and "待审核" in html
        assert "审核通过后会公开显示，现在只有您能看到。" in html
        assert 'href="/zh-hans/my-comments/"' in html
    assertContains(client.get(MY_COMMENTS), "我的待审留言")


def test_approved_comment_is_marked_approved_and_links_to_itself(client, article, moderator):
    comment = post(client, article, "会被通过的留言")
    comment.approve(by=moderator)
    html = panel(client, article)
    assert "已通过" in html and "待审核" not in html
    assert f'href="/zh-hans/articles/{article.pk}/#c{comment.pk}"' in html
    page = client.get(MY_COMMENTS)
    assertContains(page, f'href="/zh-hans/articles/{article.pk}/#c{comment.pk}"')
    assertContains(page, "已通过")


def test_rejected_comment_shows_not_approved_with_the_moderators_reason(client, article, moderator):
    comment = post(client, article, "会被拒绝的留言")
    comment.reject(by=moderator, reason="广告")
    for html in (panel(client, article), client.get(MY_COMMENTS).content.decode()):
        assert "未通过" in html and "原因：广告" in html
        assert "会被拒绝的留言" in html
        assert f"#c{comment.pk}" not in html  # nothing to link to


def test_the_reason_shown_is_that_of_the_refusal_that_stands(client, article, moderator):
    comment = post(client, article, "几经审核的留言")
    comment.reject(by=moderator, reason="广告")
    comment.approve(by=moderator)  # reconsidered
    assert "已通过" in panel(client, article)
    comment.reject(by=moderator, reason="辱骂")
    html = panel(client, article)
    assert "原因：辱骂" in html and "广告" not in html
    # Undoing an approval sends it back to 未通过: its reason is the refusal's, not "撤销".
    comment.approve(by=moderator)
    comment.decisions.first().undo(by=moderator)
    html = panel(client, article)
    assert "未通过" in html and "原因：辱骂" in html and "撤销" not in html
    # Nor is a note that keeps the status (取消精选 of a comment rejected since) a reason.
    comment.approve(by=moderator)
    comment.feature(moderator)
    comment.reject(by=moderator, reason="广告")
    comment.feature(moderator, on=False)
    assert comment.decisions.first().reason == Comment.UNFEATURED
    assert "原因：广告" in panel(client, article)


def test_spam_shows_as_not_approved_with_a_neutral_text_without_a_reason(
    client, article, moderator
):
    comment = post(client, article, "被当成垃圾的留言")
    comment.mark_spam(by=moderator)
    html = panel(client, article)
    assert "未通过" in html and "这条留言没有通过审核，不会公开显示。" in html
    assert "原因：" not in html


def test_a_block_is_not_told_to_the_blocked_commenter(client, article, moderator):
    post(client, article, "第一条")
    key = Comment.objects.get().commenter_key
    Block.objects.create(kind=Block.Kind.KEY, value=key, created_by=moderator)
    post(client, article, "后来的一条")
    html = panel(client, article)
    assert "后来的一条" in html and "未通过" in html
    assert "屏蔽" not in html  # the site's own decision: the neutral text, not its reason


def test_other_readers_and_readers_without_the_cookie_see_nothing(client, article):
    post(client, article, "只属于作者的留言")
    other = Client()
    post(other, article, "另一位读者的留言")
    for reader, mine, theirs in [
        (client, "只属于作者的留言", "另一位读者的留言"),
        (other, "另一位读者的留言", "只属于作者的留言"),
    ]:
        assert mine in panel(reader, article) and theirs not in panel(reader, article)
        page = reader.get(MY_COMMENTS)
        assertContains(page, mine)
        assertNotContains(page, theirs)
    stranger = Client()
    assert stranger.get(panel_url(article)).status_code == 204
    page = stranger.get(MY_COMMENTS)
    assert page.status_code == 200
    assertContains(page, "这个浏览器上还没有记下您的留言。")
    assertNotContains(page, "留言</div>")


def test_a_forged_or_unsigned_cookie_sees_nothing(client, article):
    post(client, article, "作者的留言")
    key = Comment.objects.get().commenter_key
    forged = {
        "the bare key": key,
        "another secret's signature": signing.get_cookie_signer(
            salt=commenter.COOKIE_SALT + "x"
        ).sign(key),
        "a tampered value": client.cookies[commenter.COOKIE_NAME].value.replace(key, key[::-1]),
    }
    for what, value in forged.items():
        reader = Client()
        reader.cookies[commenter.COOKIE_NAME] = value
        assert reader.get(panel_url(article)).status_code == 204, what
        assertNotContains(reader.get(MY_COMMENTS), "作者的留言")


def test_no_cookie_is_answered_without_a_query(article, django_assert_num_queries):
    reader = Client()
    reader.cookies["my_comments"] = "1"  # the hint alone proves nothing
    with django_assert_num_queries(0):
        response = reader.get(panel_url(article))
    assert response.status_code == 204
    assert_never_cached(response)


def test_a_reader_with_no_comments_on_this_article_gets_no_panel(client, article, category):
    other = make_article(category=category)
    post(client, article, "在第一篇的留言")
    assert client.get(panel_url(other)).status_code == 204
    assert "在第一篇的留言" in panel(client, article)


def test_receipts_are_never_cached_anywhere(client, article):
    post(client, article, "私人留言")
    for url in (panel_url(article), MY_COMMENTS, "/zh-tw/my-comments/"):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert_never_cached(response)
    assert_never_cached(Client().get(MY_COMMENTS))
    assert_never_cached(Client().get(panel_url(article)))
    assert client.head(panel_url(article)).status_code == 200
    # Nobody else is ever served the author's text, from any cache.
    for variant in VARIANTS:
        for url in (article_url(article, variant), f"/{variant}/my-comments/"):
            assertNotContains(Client().get(url), "私人留言")  # (the same in every script)


@pytest.mark.parametrize(
    "variant, body, title, badge",
    [
        ("zh-hans", "这个软件的信息说得对", "经济发展报告", "待审核"),
        ("zh-hant", "這個軟件的信息說得對", "經濟發展報告", "待審核"),
        ("zh-tw", "這個軟體的資訊說得對", "經濟發展報告", "待審核"),
        ("zh-hk", "這個軟件的信息説得對", "經濟發展報告", "待審核"),
    ],
)
def test_receipts_are_in_the_readers_script(client, category, variant, body, title, badge):
    article = make_article(category=category, title="经济发展报告")
    post(client, article, "这个软件的信息说得对")  # written in Simplified
    html = panel(client, article, variant)
    assert body in html and badge in html
    page = client.get(f"/{variant}/my-comments/")
    assertContains(page, body)
    assertContains(page, f'<a class="receipt-article" href="/{variant}/articles/{article.pk}/">')
    assertContains(page, title)


def test_reason_and_states_are_in_the_readers_script(client, article, moderator):
    first, second = post(client, article, "第一条留言"), post(client, article, "第二条留言")
    first.reject(by=moderator, reason="违反审核规定")
    second.approve(by=moderator)
    html = panel(client, article, "zh-tw")
    # 審核 as the glossary says (OpenCC's s2twp would say 稽核).
    assert "原因：違反審核規定" in html and "未通過" in html and "已通過" in html


def test_my_comments_lists_newest_first_twenty_a_page(client, article, category, moderator):
    import time_machine
    from django.utils import timezone

    other = make_article(category=category, title="另一篇新闻")
    start = timezone.now() - timezone.timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        key = post(client, article, "第00条留言").commenter_key
    for n in range(1, 25):
        created_at = start + timezone.timedelta(minutes=n)
        on = article if n % 2 else other
        make_own(on, f"第{n:02d}条留言", key, created_at=created_at)
    first = client.get(MY_COMMENTS).content.decode()
    assert first.count('<li class="receipt ') == 20
    assert first.index("第24条留言") < first.index("第23条留言") < first.index("第05条留言")
    assert "第04条留言" not in first
    assert "另一篇新闻" in first and "第 1 / 2 页" in first and 'href="?page=2"' in first
    second = client.get(MY_COMMENTS + "?page=2").content.decode()
    assert second.count('<li class="receipt ') == 5 and "第00条留言" in second
    assert client.get(MY_COMMENTS + "?page=abc").status_code == 200


def test_comments_on_an_unpublished_article_are_left_out(client, article):
    post(client, article, "撤稿前的留言")
    article.status = Article.Status.DRAFT
    article.save()
    assertNotContains(client.get(MY_COMMENTS), "撤稿前的留言")
    assert client.get(panel_url(article)).status_code == 204


def test_an_approved_reply_under_a_hidden_comment_says_it_is_not_shown(client, article, moderator):
    parent = make_comment(article, body="被回复的评论", approve_by=moderator)
    reply = post(client, article, "我的回复")
    Comment.objects.filter(pk=reply.pk).update(parent=parent, reply_to=parent)
    reply.refresh_from_db()
    reply.approve(by=moderator)
    assert f"#c{reply.pk}" in panel(client, article)
    parent.reject(by=moderator)
    html = panel(client, article)
    assert "所回复的留言已不再显示" in html and f"#c{reply.pk}" not in html


def test_queries_do_not_grow_with_the_readers_comments(
    client, article, category, moderator, django_assert_max_num_queries
):
    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    post(client, article, "第一条")
    few = {url: queries(url) for url in (panel_url(article), MY_COMMENTS)}
    key = Comment.objects.get().commenter_key
    for n in range(49):
        on = article if n % 2 else make_article(category=category)
        comment = make_own(on, f"更多{n}", key)
        if n % 3 == 0:
            comment.reject(by=moderator, reason=f"原因{n % 2}")
        elif n % 3 == 1:
            comment.approve(by=moderator)
    assert Comment.objects.of_commenter(key).count() == 50
    for url, count in few.items():
        # A page's reasons are converted once (one query for the glossary), then cached.
        with django_assert_max_num_queries(count + 1):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
    # The panel is one query; the page adds its count and the category bar.
    assert few[panel_url(article)] == 1


def test_links_land_on_the_page_that_shows_the_comment_at_its_anchor(
    client, article, moderator, django_assert_max_num_queries
):
    """50 top-level comments a page, 精选 first then by 楼层; the first ten replies of a comment
    under it, the rest on its 回复 page (50 a page)."""
    others = make_approved_comments(article, 99)  # 楼层 1–99
    listed = post(client, article, "MARKERLISTED")
    listed.approve(by=moderator)  # 楼层 100: 99 before it, the second page
    key = listed.commenter_key
    featured = make_own(article, "MARKERFEATURED", key)
    featured.approve(by=moderator)
    featured.feature(by=moderator)  # 精选: heads the first page, and pushes 楼层 100 to the third
    early_reply = make_own(article, "MARKERR1", key, parent=others[0], reply_to=others[0])
    early_reply.approve(by=moderator)
    make_approved_replies(others[60], 55)
    late_reply = make_own(article, "MARKERR2", key, parent=others[60], reply_to=others[60])
    late_reply.approve(by=moderator)  # the 56th reply: the second page of the 回复 page
    article_page, reply_page = article_url(article), f"/zh-hans/comments/{others[60].pk}/reply/"
    expected = {
        listed: f"{article_page}?cpage=3#c{listed.pk}",
        featured: f"{article_page}#c{featured.pk}",
        early_reply: f"{article_page}#c{early_reply.pk}",
        late_reply: f"{reply_page}?page=2#c{late_reply.pk}",
    }
    with django_assert_max_num_queries(1):
        html = panel(client, article)
    mine = client.get(MY_COMMENTS).content.decode()
    for comment, url in expected.items():
        assert f'href="{url}"' in html and f'href="{url}"' in mine
        shown = Client().get(url.split("#")[0])
        assertContains(shown, f'id="c{comment.pk}"')
        assertContains(shown, comment.body)
