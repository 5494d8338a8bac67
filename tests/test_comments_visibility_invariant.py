"""The invariant, checked on every public surface: a comment that is not approved appears in no
public response — article pages in every variant, counts, lists, feeds, the sitemap, search —
and none served from a cache either. Approving shows it on the very next request.

Comments carry an ASCII marker, which no script conversion changes, so one search finds them in
every variant. Each step first requests every URL (filling any page cache), then changes the
comment's state, then requests every URL again as a fresh anonymous reader.
"""

import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import comment_form, comment_url, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

VARIANTS = ("zh-hans", "zh-hant", "zh-tw", "zh-hk")


@pytest.fixture
def site(article, category):
    """The article under test, with a neighbour so lists and feeds have more than one item."""
    make_article(category=category, title="邻居文章")
    return article


def public_urls(article) -> list[tuple[str, str]]:
    """(kind, url) for every public surface."""
    slug = article.category.slug
    urls = [("sitemap", "/sitemap.xml")]
    for v in VARIANTS:
        urls += [
            ("list", f"/{v}/"),
            ("list", f"/{v}/category/{slug}/"),
            ("article", f"/{v}/articles/{article.pk}/"),
            ("feed", f"/{v}/feeds/latest.xml"),
            ("feed", f"/{v}/feeds/category/{slug}.xml"),
            ("search", f"/{v}/search/?q=MARKER"),
            ("search", f"/{v}/search/?q={article.title}"),
            # 我的留言 shows a reader their own comments only: a new reader, nothing.
            ("receipts", f"/{v}/my-comments/"),
            ("receipts", f"/{v}/articles/{article.pk}/comments/mine/"),
        ]
    return urls


def count_in_list(html: str, article) -> int:
    """The comment count printed beside the article in a home or category list."""
    item = re.search(
        rf'href="/zh-[a-z]+/articles/{article.pk}/".*?(\d+) (?:条评论|條評論)', html, re.S
    )
    return int(item.group(1))


def count_on_article_page(html: str) -> int:
    return int(re.search(r'class="comment-count"[^>]*>(\d+)<', html).group(1))


def check_every_surface(article, visible: set[str], hidden: set[str], absent=()):
    """Request every public URL as a new anonymous reader (no session, no cookies). ``absent``:
    more text no public response may hold (a hidden comment's id, 顶 count, 热门, 精选 …)."""
    hidden = {*hidden, *absent}
    reader = Client()  # one handler (building one per request is slow); cookies cleared below
    for kind, url in public_urls(article):
        reader.cookies.clear()
        response = reader.get(url)
        assert response.status_code == (204 if url.endswith("/mine/") else 200), url
        html = response.content.decode()
        for marker in hidden:
            assert marker not in html, f"{marker} (not approved) leaked on {url}"
        for marker in visible:  # approved comments are listed on the article page only
            assert (marker in html) == (kind == "article"), f"{marker} on {url}"
        if kind == "article":
            assert count_on_article_page(html) == len(visible), url
        if kind == "list":
            assert count_in_list(html, article) == len(visible), url
    assert Comment.objects.visible().filter(article=article).count() == len(visible)


def post(article, marker, variant="zh-hans", **fields) -> Comment:
    author = Client()
    response = author.post(
        comment_url(article, variant),
        comment_form(article, body=f"评论 {marker} 内容", **fields),
    )
    assert response.status_code == 302
    return Comment.objects.get(body__contains=marker)


def test_comments_appear_publicly_only_while_approved(site, moderator):
    article = site
    check_every_surface(article, visible=set(), hidden=set())  # warms every cache

    first = post(article, "MARKERONE")
    check_every_surface(article, visible=set(), hidden={"MARKERONE"})

    first.approve(by=moderator)
    check_every_surface(article, visible={"MARKERONE"}, hidden=set())

    second = post(article, "MARKERTWO", variant="zh-tw")
    check_every_surface(article, visible={"MARKERONE"}, hidden={"MARKERTWO"})

    second.reject(by=moderator)
    check_every_surface(article, visible={"MARKERONE"}, hidden={"MARKERTWO"})

    second.approve(by=moderator)  # a rejection can be reconsidered
    check_every_surface(article, visible={"MARKERONE", "MARKERTWO"}, hidden=set())

    first.mark_spam(by=moderator)
    check_every_surface(article, visible={"MARKERTWO"}, hidden={"MARKERONE"})

    second.reject(by=moderator)
    check_every_surface(article, visible=set(), hidden={"MARKERONE", "MARKERTWO"})

    third = post(article, "MARKERTHREE", variant="zh-hk")
    third.mark_spam(by=moderator)
    check_every_surface(article, visible=set(), hidden={"MARKERONE", "MARKERTWO", "MARKERTHREE"})


def test_suspected_comment_stays_hidden_everywhere_until_approved(site, moderator):
    from comments.models import BannedWord

    article = site
    BannedWord.objects.create(word="赌博")
    check_every_surface(article, visible=set(), hidden=set())
    suspect = post(article, "MARKERSUS 赌博")
    assert suspect.suspected and suspect.status == "pending"
    check_every_surface(article, visible=set(), hidden={"MARKERSUS"})
    suspect.approve(by=moderator)
    check_every_surface(article, visible={"MARKERSUS"}, hidden=set())


def test_pending_comment_is_shown_to_its_author_alone_and_never_cached(site):
    article = site
    author = Client()
    author.post(comment_url(article), comment_form(article, body="MARKERMINE"))
    for _ in range(2):  # in the author's 我的留言 after every view; never in the page itself
        assert "MARKERMINE" not in author.get(f"/zh-hans/articles/{article.pk}/").content.decode()
        for url in (f"/zh-hans/articles/{article.pk}/comments/mine/", "/zh-hans/my-comments/"):
            assert "MARKERMINE" in author.get(url).content.decode()
    # Nobody else, nor a later cache hit, shows it.
    check_every_surface(article, visible=set(), hidden={"MARKERMINE"})


def test_form_error_page_never_shows_pending_comments_of_others(site, client):
    article = site
    post(article, "MARKEROTHER")
    response = client.post(comment_url(article), comment_form(article, body=""))
    assert response.status_code == 400
    assert "MARKEROTHER" not in response.content.decode()


def test_approved_comment_appears_on_the_next_request_in_every_variant(site, moderator):
    article = site
    comment = post(article, "MARKERNEXT")
    reader = Client()
    for v in VARIANTS:  # cached now, without the comment
        assert "MARKERNEXT" not in reader.get(f"/{v}/articles/{article.pk}/").content.decode()
    comment.approve(by=moderator)
    for v in VARIANTS:
        assert "MARKERNEXT" in reader.get(f"/{v}/articles/{article.pk}/").content.decode()


HOT = ("热门评论", "熱門評論")
FEATURED = 'class="mark-featured"'


def traces(comment) -> set[str]:
    """What the list shows of a comment besides its text: its anchor, its id for the script,
    its 顶/回复/举报 URLs."""
    return {f'id="c{comment.pk}"', f'data-id="{comment.pk}"', f"/comments/{comment.pk}/"}


def test_replies_floors_hot_featured_and_likes_appear_only_while_approved(site, moderator):
    """Replies, 楼层, 热门评论, 精选 and 顶 counts of comments that are not visible — pending,
    rejected, or replies under a hidden comment — appear on no public URL."""
    article = site
    check_every_surface(article, visible=set(), hidden=set())

    top = post(article, "MARKERTOPC", nickname="甲")
    Comment.objects.filter(pk=top.pk).update(featured=True, like_count=4321)
    check_every_surface(
        article, visible=set(), hidden={"MARKERTOPC"}, absent={*traces(top), "4321", *HOT, FEATURED}
    )

    top.approve(by=moderator)
    assert Comment.objects.get(pk=top.pk).floor == 1
    check_every_surface(article, visible={"MARKERTOPC"}, hidden=set())

    first = post(article, "MARKERREPLYONE", nickname="乙", parent=str(top.pk))
    Comment.objects.filter(pk=first.pk).update(featured=True, like_count=8765)
    check_every_surface(
        article,
        visible={"MARKERTOPC"},
        hidden={"MARKERREPLYONE"},
        absent={*traces(first), "8765"},
    )

    first.approve(by=moderator)
    second = post(article, "MARKERREPLYTWO", nickname="丙", parent=str(first.pk), variant="zh-tw")
    check_every_surface(
        article,
        visible={"MARKERTOPC", "MARKERREPLYONE"},
        hidden={"MARKERREPLYTWO"},
        absent={*traces(second), "回复 @乙", "回覆 @乙"},
    )

    second.approve(by=moderator)
    check_every_surface(
        article, visible={"MARKERTOPC", "MARKERREPLYONE", "MARKERREPLYTWO"}, hidden=set()
    )
    assert "回覆 @乙" in Client().get(f"/zh-tw/articles/{article.pk}/").content.decode()

    # The top comment rejected: its approved replies go with it, counts, floor, 热门 and all.
    top.refresh_from_db()
    top.reject(by=moderator)
    replies = {"MARKERREPLYONE", "MARKERREPLYTWO"}
    check_every_surface(
        article,
        visible=set(),
        hidden={"MARKERTOPC", *replies},
        absent={
            *traces(top),
            *traces(first),
            *traces(second),
            "4321",
            "8765",
            "1楼",
            "1樓",
            *HOT,
        },
    )

    # A reply rejected on its own leaves its comment; approved again, the floor is the same.
    top.approve(by=moderator)
    first.reject(by=moderator)
    check_every_surface(
        article,
        visible={"MARKERTOPC", "MARKERREPLYTWO"},
        hidden={"MARKERREPLYONE"},
        absent={*traces(first), "8765"},
    )
    assert Comment.objects.get(pk=top.pk).floor == 1
