"""Reader pages come from the shared cache, yet every change shows on the very next request,
and nothing personal is ever shared."""

import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, GlossaryTerm
from comments.guards import make_token
from tests.factories import form_tokens, make_article, make_comment

VARIANTS = ("zh-hans", "zh-hant", "zh-tw", "zh-hk")


def token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html).group(1)


@pytest.mark.django_db
def test_second_anonymous_request_is_served_from_the_cache(client, article):
    first = client.get("/zh-hans/")
    second = client.get("/zh-hans/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert first.content == second.content


@pytest.mark.django_db
def test_a_cached_page_needs_no_database_query(client, article, django_assert_num_queries):
    client.get("/zh-hans/")
    with django_assert_num_queries(0):
        assert client.get("/zh-hans/")["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_a_shared_article_page_carries_no_per_reader_token(article):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_a = alice.get(f"/zh-hans/articles/{article.pk}/")
    page_b = bob.get(f"/zh-hans/articles/{article.pk}/")
    assert page_b["X-Page-Cache"] == "hit"
    assert "<!--hole:" not in page_b.content.decode()
    assert token_in(page_a.content.decode()) == token_in(page_b.content.decode()) == ""
    assert "csrftoken" not in page_b.cookies  # nothing set for one reader on a shared page

    # Each reader fetches their own tokens, and Bob's are accepted.
    tokens_a, tokens_b = form_tokens(alice, article), form_tokens(bob, article)
    assert tokens_a["csrf"] != tokens_b["csrf"] and tokens_a["token"] != tokens_b["token"]
    assert (
        "no-store" in bob.get(f"/zh-hans/articles/{article.pk}/comments/tokens/")["Cache-Control"]
    )
    response = bob.post(
        f"/zh-hans/articles/{article.pk}/comments/",
        {
            "csrfmiddlewaretoken": tokens_b["csrf"],
            "token": tokens_b["token"],
            "body": "从缓存页面提交",
        },
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_page_rendered_for_one_reader_carries_their_tokens(client, article):
    client.post(
        f"/zh-hans/articles/{article.pk}/comments/",
        {"token": make_token(article.pk), "body": "有了会话的读者"},
    )
    own = client.get(f"/zh-hans/articles/{article.pk}/")
    assert "X-Page-Cache" not in own  # the flash message bypasses the shared cache
    assert token_in(own.content.decode()) != ""


@pytest.mark.django_db
def test_the_authors_pending_comment_is_never_stored_in_the_shared_cache(article):
    author, other = Client(), Client()
    other.get(f"/zh-hans/articles/{article.pk}/")  # cached for everyone
    author.get(f"/zh-hans/articles/{article.pk}/")
    author.post(
        f"/zh-hans/articles/{article.pk}/comments/",
        {"token": make_token(article.pk), "body": "只有作者本人能看到的待审留言"},
    )
    own = author.get(f"/zh-hans/articles/{article.pk}/")
    assert "X-Page-Cache" not in own  # the flash message bypasses the shared cache
    assert "private" in own["Cache-Control"]
    assertNotContains(own, "只有作者本人能看到的待审留言")
    # The author reads it in 我的留言, fetched by the page and never cached.
    mine = author.get(f"/zh-hans/articles/{article.pk}/comments/mine/")
    assertContains(mine, "只有作者本人能看到的待审留言")
    assert "no-store" in mine["Cache-Control"] and "X-Page-Cache" not in mine
    author.cookies.pop("messages")  # (deleted; the test client keeps it, empty)
    for reader in (author, other):
        page = reader.get(f"/zh-hans/articles/{article.pk}/")
        assert page["X-Page-Cache"] == "hit"
        assertNotContains(page, "只有作者本人能看到的待审留言")


@pytest.mark.django_db
def test_approving_a_comment_shows_on_every_variant_at_once(client, article, moderator):
    for v in VARIANTS:
        assertContains(client.get(f"/{v}/articles/{article.pk}/"), 'href="#comments"')
    comment = make_comment(article, body="审核通过的评论")
    for v in VARIANTS:  # still cached, and the pending comment is not in it
        assertNotContains(client.get(f"/{v}/articles/{article.pk}/"), "审核通过的评论")
        assertNotContains(client.get(f"/{v}/articles/{article.pk}/"), "審核通過的評論")
    comment.approve(by=moderator)
    assertContains(client.get(f"/zh-hans/articles/{article.pk}/"), "审核通过的评论")
    assertContains(client.get(f"/zh-tw/articles/{article.pk}/"), "審核通過的評論")
    assertContains(client.get(f"/zh-hk/articles/{article.pk}/"), "審核通過的評論")


@pytest.mark.django_db
def test_publishing_editing_and_unpublishing_show_on_the_next_request(client, category):
    article = make_article(category=category, title="草稿新闻", status=Article.Status.DRAFT)
    pages = ["/zh-hans/", f"/zh-hans/category/{category.slug}/", "/zh-hans/feeds/latest.xml"]
    for page in pages:
        assertNotContains(client.get(page), "草稿新闻")
    assertNotContains(client.get("/zh-hans/search/", {"q": "草稿新闻"}), 'class="item"')

    article.publish()
    for page in pages:
        assertContains(client.get(page), "草稿新闻")
    assertContains(client.get("/zh-hans/search/", {"q": "草稿新闻"}), 'class="item"')
    assertContains(client.get(f"/zh-tw/articles/{article.pk}/"), "草稿新聞")

    article.title = "改过标题的新闻"
    article.save()
    for page in pages:
        assertContains(client.get(page), "改过标题的新闻")
    assertContains(client.get(f"/zh-tw/articles/{article.pk}/"), "改過標題的新聞")

    article.unpublish()
    for page in pages:
        assertNotContains(client.get(page), "改过标题的新闻")
    assert client.get(f"/zh-hans/articles/{article.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_glossary_change_shows_on_cached_pages_at_once(client, article, editor):
    article.title = "本地软件优化"
    article.save()
    url = f"/zh-tw/articles/{article.pk}/"
    assertContains(client.get(url), "優化")
    client.force_login(editor)
    client.post(
        "/admin/articles/glossaryterm/add/",
        {
            "term": "软件",
            "zh_tw": "軟件程式",
            "zh_hans": "",
            "zh_hant": "",
            "zh_hk": "",
            "note": "",
        },
    )
    assert GlossaryTerm.objects.filter(term="软件").exists()
    assertContains(Client().get(url), "軟件程式")


@pytest.mark.django_db
def test_unchanged_pages_answer_304_to_a_revalidating_client(client, article):
    client.get("/zh-hans/")
    cached = client.get("/zh-hans/")
    assert cached["ETag"]
    assert "public" in cached["Cache-Control"]
    assert client.get("/zh-hans/", headers={"If-None-Match": cached["ETag"]}).status_code == 304

    article.title = "新的标题"
    article.save()
    fresh = client.get("/zh-hans/", headers={"If-None-Match": cached["ETag"]})
    assert fresh.status_code == 200
    assertContains(fresh, "新的标题")


@pytest.mark.django_db
def test_article_pages_are_public_and_a_revalidation_still_counts_the_read(client, article):
    first = client.get(f"/zh-hans/articles/{article.pk}/")
    page = client.get(f"/zh-hans/articles/{article.pk}/")
    assert "public" in page["Cache-Control"] and "must-revalidate" in page["Cache-Control"]
    # A reader with a session cookie gets a page of their own (staff, a flash message).
    # (And one stored gzipped has two representations: Accept-Encoding.)
    assert first["Vary"] == page["Vary"] == "Cookie, Accept-Encoding"
    other_reader = Client().get(
        f"/zh-hans/articles/{article.pk}/", headers={"If-None-Match": page["ETag"]}
    )
    assert other_reader.status_code == 304
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 3
    # A change to the page gives it a new ETag.
    article.title = "改过的标题"
    article.save()
    changed = client.get(
        f"/zh-hans/articles/{article.pk}/", headers={"If-None-Match": page["ETag"]}
    )
    assert changed.status_code == 200


@pytest.mark.django_db
def test_cached_article_pages_still_count_every_read(client, article):
    for _ in range(5):
        client.get(f"/zh-hans/articles/{article.pk}/")
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 5
    article.save()  # the page is rendered afresh with the reads counted so far
    assertContains(client.get(f"/zh-hans/articles/{article.pk}/"), "5℃")


@pytest.mark.django_db
def test_staff_previews_are_never_cached(client, editor):
    draft = make_article(title="内部预览稿件", status=Article.Status.DRAFT)
    client.force_login(editor)
    assertContains(client.get(f"/zh-hans/articles/{draft.pk}/"), "内部预览稿件")
    assert Client().get(f"/zh-hans/articles/{draft.pk}/").status_code == 404


@pytest.mark.django_db
def test_page_cache_can_be_switched_off(client, article, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/zh-hans/")
    assert "X-Page-Cache" not in client.get("/zh-hans/")


@pytest.mark.django_db
def test_a_hit_has_the_same_headers_and_bytes_as_the_miss(article):
    url = f"/zh-hans/articles/{article.pk}/"
    miss, hit = Client().get(url), Client().get(url)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for header in ("Content-Type", "Content-Language", "X-Frame-Options", "Cache-Control", "Vary"):
        assert hit[header] == miss[header], header
    assert hit["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware still runs
    assert int(hit["Content-Length"]) == len(hit.content)
    assert hit.content == miss.content


@pytest.mark.django_db
def test_pages_are_kept_per_host_and_a_forged_host_gets_400(settings, article):
    settings.ALLOWED_HOSTS = ["news.example", "www.news.example"]
    url = f"/zh-hans/articles/{article.pk}/"
    Client(HTTP_HOST="news.example").get(url)
    other = Client(HTTP_HOST="www.news.example").get(url)
    assert other["X-Page-Cache"] == "miss"
    assertContains(other, f'rel="canonical" href="http://www.news.example{url}"')
    assert Client(HTTP_HOST="evil.example").get(url).status_code == 400


@pytest.mark.django_db
def test_plain_http_is_still_redirected_to_https_before_a_cached_page(settings, article):
    url = f"/zh-hans/articles/{article.pk}/"
    Client().get(url)
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(url)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_pages_rendered_before_a_deploy_with_new_static_files_are_not_served_after_it(
    settings, tmp_path, article
):
    from portal import pagecache

    url = f"/zh-hans/articles/{article.pk}/"
    settings.STATIC_ROOT = tmp_path
    manifest = tmp_path / "staticfiles.json"
    try:
        manifest.write_text('{"paths": {"js/comment-form.js": "js/comment-form.1.js"}}')
        pagecache.release.cache_clear()
        Client().get(url)
        assert Client().get(url)["X-Page-Cache"] == "hit"

        manifest.write_text('{"paths": {"js/comment-form.js": "js/comment-form.2.js"}}')
        pagecache.release.cache_clear()  # a worker started after collectstatic
        assert Client().get(url)["X-Page-Cache"] == "miss"
    finally:
        pagecache.release.cache_clear()


@pytest.mark.django_db
def test_every_shared_page_varies_on_cookie_however_it_was_served(article):
    for url in ("/zh-hans/", f"/zh-hans/articles/{article.pk}/"):
        miss, hit = Client().get(url), Client().get(url)
        revalidated = Client().get(url, headers={"If-None-Match": hit["ETag"]})
        assert revalidated.status_code == 304
        for response in (miss, hit, revalidated):
            assert "Cookie" in response["Vary"], (url, response.status_code)


@pytest.mark.django_db
def test_a_campaign_link_is_the_same_cached_page_but_another_page_number_is_not(client, article):
    client.get("/zh-hans/")
    assert client.get("/zh-hans/?utm_source=weibo&utm_medium=share")["X-Page-Cache"] == "hit"
    url = f"/zh-hans/articles/{article.pk}/"
    client.get(url)
    assert client.get(url + "?utm_campaign=x")["X-Page-Cache"] == "hit"
    assert client.get(url + "?cpage=2")["X-Page-Cache"] == "miss"
    assert client.get("/zh-hans/search/?q=苏粤")["X-Page-Cache"] == "miss"
    assert client.get("/zh-hans/search/?q=苏粤&from=home")["X-Page-Cache"] == "hit"
    assert client.get("/zh-hans/search/?q=江苏")["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_comments_re_rendered_for_the_glossary_show_on_cached_pages_at_once(
    client, article, moderator
):
    from articles.signals import glossary_changed
    from comments.models import Comment

    comment = make_comment(article, body="软件不错", approve_by=moderator)
    Comment.objects.filter(pk=comment.pk).update(
        item_variants={"zh-tw": '<li class="comment">舊的渲染</li>'}
    )
    url = f"/zh-tw/articles/{article.pk}/"
    assertContains(client.get(url), "舊的渲染")  # now in the page cache

    # What reconvert and glossary edits send once articles are saved: comments re-render.
    glossary_changed.send(sender=None, terms=None, glossary=GlossaryTerm.objects.as_glossary())
    page = client.get(url)
    assertNotContains(page, "舊的渲染")
    assertContains(page, "軟體不錯")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/zh-hans/", "/zh-tw/articles/{pk}/"])
def test_a_hit_is_answered_before_the_view_and_the_session_auth_and_csrf_middleware(article, path):
    """The fast path (portal/pagecache.py, PageCacheMiddleware): a hit never reaches URL
    dispatch, sessions, auth or CSRF — which is what brings it from 0.60 to the figures in its
    docstring. Fails loudly if a Django or settings change makes hits go down the stack again."""
    url = path.format(pk=article.pk)
    miss = Client().get(url)
    assert miss.wsgi_request.resolver_match is not None  # a miss runs the view
    assert hasattr(miss.wsgi_request, "session")
    hit = Client().get(url)
    assert hit["X-Page-Cache"] == "hit"
    request = hit.wsgi_request
    assert request.resolver_match is None  # Django's handler never dispatched it
    for attribute in ("session", "user", "_messages", "csrf_processing_done"):
        assert not hasattr(request, attribute), attribute
    # The headers the skipped middleware gave the miss were stored with the page.
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language"):
        assert hit[header] == miss[header], header


@pytest.mark.django_db
def test_a_hit_counts_the_read_once_without_running_the_view(client, article, monkeypatch):
    from articles import views

    url = f"/zh-hans/articles/{article.pk}/"
    client.get(url)  # the miss renders and counts
    rendered = []
    monkeypatch.setattr(views, "article_page", lambda *a, **kw: rendered.append(1))
    for _ in range(3):
        assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url, headers={"If-None-Match": client.get(url)["ETag"]}).status_code == 304
    assert rendered == []
    Article.fold_all_reads()
    article.refresh_from_db()
    assert article.heat == 6


@pytest.mark.django_db
def test_the_article_row_is_shared_by_renderings_until_the_article_changes(article, settings):
    """A page rendered for one reader (here: the page cache off) reads the article's row from
    the shared cache, until the article is saved; an unpublished one is a 404 at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    url = f"/zh-tw/articles/{article.pk}/"

    def article_queries():
        with CaptureQueriesContext(connection) as captured:
            response = Client().get(url)
        sql = [q["sql"] for q in captured.captured_queries]
        return response, [q for q in sql if '"body_variants"' in q]  # the row, with its body

    assert len(article_queries()[1]) == 1
    response, queried = article_queries()
    assert queried == [] and response.status_code == 200

    article.title = "改过的标题"
    article.save()
    response, queried = article_queries()
    assert len(queried) == 1
    assertContains(response, "改過的標題")

    article.status = Article.Status.DRAFT
    article.save()
    assert Client().get(url).status_code == 404


def test_a_shared_page_is_sent_gzipped_to_browsers_and_plain_to_other_clients(article):
    import gzip

    url = f"/zh-hans/articles/{article.pk}/"
    browser = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    for expected_state in ("miss", "hit"):
        zipped = browser.get(url)
        assert zipped["X-Page-Cache"] == expected_state
        assert zipped["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped["Vary"]
        html = gzip.decompress(zipped.content).decode()
        assert article.title in html
        assert int(zipped["Content-Length"]) == len(zipped.content) < len(html.encode()) / 2
    plain = Client().get(url)
    assert not plain.has_header("Content-Encoding")
    assert plain.content.decode() == html
    # Each representation has its own tag: a revalidation never mixes them up.
    assert plain["ETag"] != zipped["ETag"]
    again = browser.get(url, HTTP_IF_NONE_MATCH=zipped["ETag"])
    assert again.status_code == 304
    assert Client().get(url, HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 200
