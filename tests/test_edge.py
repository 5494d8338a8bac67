"""The edge cache, through the shipped configuration: a real nginx (edge/portal.conf.template)
started on a free port in front of a real gunicorn serving the portal from its own database."""

import http.cookiejar
import json
import logging
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import transaction

import edge
from articles import purge
from portal import edge as edge_purges
from tests.servers import (
    drop_database,
    free_port,
    gunicorn,
    manage,
    production_env,
    reference_article_id,
    sibling_database_url,
)

needs_nginx = pytest.mark.skipif(
    edge.missing() is not None, reason=f"needs nginx and its purge module: {edge.INSTALL_HINT}"
)

APPROVE = """
from django.contrib.auth.models import User
from articles.models import Article
from comments.models import Comment
moderator, _ = User.objects.get_or_create(username="edge-moderator", is_staff=True)
for comment in Comment.objects.filter(body__contains={marker!r}):
    comment.{action}(by=moderator)
"""

FOLDED_HEAT = """
from django.core.management import call_command
from articles.models import Article
for _ in range(2):
    call_command("fold_heat", verbosity=0)
    print(Article.objects.get(pk={pk}).heat)
"""

UNPUBLISH = """
from articles.models import Article
Article.objects.get(pk={pk}).{action}()
"""


class Reader:
    """A browser without JavaScript: keeps its cookies, follows no redirect."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def get(self, path: str, method: str | None = None, form: dict | None = None):
        """(status, headers, body); a POST of ``form`` when one is given."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def cache_status(self, path: str) -> str:
        return self.get(path)[1]["X-Cache-Status"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def anonymous(stack) -> Reader:
    return Reader(stack["edge"].base)


@pytest.fixture(scope="module")
def site(prepared_site):
    name = f"portal_edge_{secrets.token_hex(3)}"
    url = sibling_database_url(name, template=prepared_site)
    env = production_env(url, COMMENT_MIN_SECONDS=0, COMMENT_RATE="50/60")
    try:
        yield env, reference_article_id(url)
    finally:
        drop_database(name)


def serve(site, tmp: Path, **settings):
    """(context of) gunicorn and the edge in front of it, purged by the app."""
    env, article_id = site
    port = free_port()
    env = {
        **env,
        "EDGE_PURGE_URLS": f"http://127.0.0.1:{port}",
        "EDGE_READ_LOGS": str(tmp / "reads.log"),
        **{k: str(v) for k, v in settings.items()},
    }

    class Stack:
        def __enter__(self):
            self.app = gunicorn(env)
            base = self.app.__enter__()
            self.edge = edge.running(tmp, port=port, app=base.removeprefix("http://"))
            return {"edge": self.edge.__enter__(), "app": base, "env": env, "article": article_id}

        def stop_app(self):
            """Stop gunicorn; the edge keeps running, its upstream now fails."""
            self.app.__exit__(None, None, None)
            self.app = None

        def __exit__(self, *exc):
            self.edge.__exit__(*exc)
            if self.app is not None:
                self.app.__exit__(*exc)

    return Stack()


@pytest.fixture(scope="module")
def stack(site, tmp_path_factory):
    if edge.missing():
        pytest.skip(f"needs nginx and its purge module: {edge.INSTALL_HINT}")
    with serve(site, tmp_path_factory.mktemp("edge")) as running:
        yield running


def approve(stack, marker: str, action: str = "approve") -> None:
    manage(stack["env"], "shell", "-c", APPROVE.format(marker=marker, action=action))


def post_comment(reader: Reader, article_id: int, body: str):
    """As comment-form.js does on a shared page: fetch the form's tokens, then post."""
    status, _, answer = reader.get(f"/zh-hans/articles/{article_id}/comments/tokens/")
    assert status == 200
    tokens = json.loads(answer)
    form = {
        "csrfmiddlewaretoken": tokens["csrf"],
        "token": tokens["token"],
        "nickname": "",
        "body": body,
        "website": "",
    }
    return reader.get(f"/zh-hans/articles/{article_id}/comments/", form=form)


# --- through nginx --------------------------------------------------------------------------------


@needs_nginx
def test_the_second_anonymous_read_is_a_hit_for_every_cached_page(stack):
    reader = anonymous(stack)
    article = stack["article"]
    for path in (
        f"/zh-hans/articles/{article}/",
        f"/zh-tw/articles/{article}/?cpage=1",
        "/zh-hk/",
        "/zh-hans/category/jiangsu/",
        "/zh-hant/feeds/latest.xml",
        "/sitemap.xml",
        "/zh-hans/search/?q=%E8%8B%8F%E7%B2%A4",
    ):
        first = reader.cache_status(path)
        status, headers, _ = reader.get(path)
        assert (status, first, headers["X-Cache-Status"]) == (200, "MISS", "HIT"), path


@needs_nginx
def test_every_response_says_where_it_came_from(stack):
    reader = anonymous(stack)
    static = re.search(r'href="(/static/[^"]+\.css)"', reader.get("/zh-hans/")[2]).group(1)
    status, headers, _ = reader.get(static)
    assert status == 200 and headers["X-Cache-Status"] == "BYPASS"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for path in ("/admin/login/", "/healthz", "/robots.txt", "/no-such-page/"):
        assert reader.cache_status(path) == "BYPASS", path
    status, headers, _ = reader.get(f"/zh-hans/articles/{stack['article']}/comments/", form={})
    assert status == 403 and headers["X-Cache-Status"] == "BYPASS"


@needs_nginx
def test_campaign_and_repeated_parameters_cannot_store_one_page_under_another(stack):
    reader = anonymous(stack)
    page_2 = reader.get("/zh-hans/?page=2")[2]
    page_1 = reader.get("/zh-hans/?utm_source=x")[2]
    assert page_1 != page_2
    # nginx keys on the first page=…, Django would render the last: the edge sends only the first.
    assert reader.get("/zh-hans/?page=1&page=2")[2] == reader.get("/zh-hans/?page=1")[2]
    assert reader.get("/zh-hans/?page=1")[2] != page_2
    assert reader.get("/zh-hans/?%70age=2")[2] == page_1
    article = f"/zh-hans/articles/{stack['article']}/"
    assert reader.get(article + "any-slug/")[1]["X-Cache-Status"] in ("HIT", "MISS")
    assert reader.get(article + "any-slug/")[2] == reader.get(article)[2]


@needs_nginx
def test_an_approval_purges_the_article_in_all_four_variants(stack):
    reader = anonymous(stack)
    article = stack["article"]
    pages = [f"/{v}/articles/{article}/" for v in ("zh-hans", "zh-hant", "zh-tw", "zh-hk")]
    marker = f"edge-{secrets.token_hex(4)}"
    for page in pages:
        reader.get(page)
        assert reader.cache_status(page) == "HIT"
    assert post_comment(Reader(stack["edge"].base), article, f"赞同。{marker}")[0] == 302
    for page in pages:
        status, headers, html = reader.get(page)
        assert headers["X-Cache-Status"] == "HIT" and marker not in html

    approve(stack, marker)

    for page in pages:
        status, headers, html = reader.get(page)
        assert status == 200 and headers["X-Cache-Status"] == "MISS", page
        assert marker in html, page
    # Hiding it again purges them again.
    approve(stack, marker, "reject")
    for page in pages:
        assert marker not in reader.get(page)[2], page


@needs_nginx
def test_pending_comment_receipts_and_tokens_are_never_cached(stack):
    article = stack["article"]
    page = f"/zh-hans/articles/{article}/"
    mine = f"/zh-hans/articles/{article}/comments/mine/"
    marker = f"pending-{secrets.token_hex(4)}"
    author = Reader(stack["edge"].base)
    assert author.get(page)[0] == 200
    assert post_comment(author, article, f"待审核的留言{marker}")[0] == 302

    status, headers, html = author.get(page)  # the flash message: a page of their own
    assert status == 200 and marker not in html
    assert headers["X-Cache-Status"] == "BYPASS"
    assert "private" in headers["Cache-Control"]
    # Then the page everyone shares; the author's comment is in 我的留言, never cached.
    for _ in range(2):
        status, headers, html = author.get(page)
        assert headers["X-Cache-Status"] in ("HIT", "MISS") and marker not in html
        for path in (mine, "/zh-hans/my-comments/"):
            status, headers, html = author.get(path)
            assert status == 200 and marker in html, path
            assert headers["X-Cache-Status"] == "BYPASS", path
            assert "no-store" in headers["Cache-Control"], path

    for _ in range(2):
        status, headers, html = anonymous(stack).get(page)
        assert status == 200 and headers["X-Cache-Status"] in ("HIT", "MISS")
        assert marker not in html
        status, headers, html = anonymous(stack).get(mine)
        assert status == 204 and headers["X-Cache-Status"] == "BYPASS"
        assert marker not in anonymous(stack).get("/zh-hans/my-comments/")[2]

    tokens = f"/zh-hans/articles/{article}/comments/tokens/"
    first = anonymous(stack).get(tokens)
    second = anonymous(stack).get(tokens)
    assert first[1]["X-Cache-Status"] == second[1]["X-Cache-Status"] == "BYPASS"
    assert json.loads(first[2])["token"] != json.loads(second[2])["token"]


@needs_nginx
def test_unpublishing_purges_the_article_lists_and_feeds(stack):
    reader = anonymous(stack)
    article = stack["article"]
    pages = [f"/zh-hk/articles/{article}/", "/zh-hk/", "/zh-hk/feeds/latest.xml"]
    for page in pages:
        reader.get(page)
        assert reader.cache_status(page) == "HIT"
    link = f"/zh-hk/articles/{article}/"
    assert link in reader.get("/zh-hk/feeds/latest.xml")[2]
    manage(stack["env"], "shell", "-c", UNPUBLISH.format(pk=article, action="unpublish"))
    try:
        assert reader.get(pages[0])[0] == 404
        assert link not in reader.get("/zh-hk/")[2]
        assert link not in reader.get("/zh-hk/feeds/latest.xml")[2]
    finally:
        manage(stack["env"], "shell", "-c", UNPUBLISH.format(pk=article, action="publish"))
    status, headers, _ = reader.get(pages[0])
    assert status == 200 and headers["X-Cache-Status"] == "MISS"
    assert link in reader.get("/zh-hk/feeds/latest.xml")[2]


HEAT = re.compile(r'<span class="heat" title="热度">(\d+)℃</span>')


def heat(stack) -> tuple[int, int]:
    """The article's heat in its row once ``fold_heat`` folded every counted read, and after
    folding a second time (one manage.py run for both: its state is in the database)."""
    time.sleep(1.2)  # the edge writes its reads log a second at a time
    rows = manage(stack["env"], "shell", "-c", FOLDED_HEAT.format(pk=stack["article"]))
    first, second = rows.strip().splitlines()[-2:]
    return int(first), int(second)


@needs_nginx
def test_reads_served_by_the_edge_are_counted_exactly_once(stack):
    page = f"/zh-tw/articles/{stack['article']}/?cpage=1"
    before, _ = heat(stack)
    reader = anonymous(stack)
    statuses = [reader.cache_status(page) for _ in range(7)]
    statuses.append(Reader(stack["edge"].base).get(page, method="HEAD")[1]["X-Cache-Status"])
    # A conditional read the edge answers itself (304) is a read too, as it is for the app.
    etag = reader.get(page)[1]["ETag"]
    statuses.append("HIT")
    request = urllib.request.Request(stack["edge"].base + page, headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=10)
    assert not_modified.value.code == 304
    statuses.append(not_modified.value.headers["X-Cache-Status"])
    assert statuses.count("MISS") <= 1 and statuses[-1] == "HIT"
    reads = len(statuses)

    assert heat(stack) == (before + reads, before + reads)  # folding again adds nothing

    # logrotate renames the log and has nginx reopen it; lines on both sides count once.
    log = stack["edge"].reads_log
    for _ in range(3):
        reader.get(page)
    log.rename(log.with_name(log.name + ".1"))
    stack["edge"].reopen_logs()
    time.sleep(0.5)
    for _ in range(2):
        reader.get(page)
    assert heat(stack) == (before + reads + 5, before + reads + 5)


@needs_nginx
def test_cached_pages_are_served_stale_for_a_bounded_time_when_the_app_is_down(site, tmp_path):
    stack = serve(site, tmp_path, PAGE_CACHE_SECONDS=1, EDGE_STALE_IF_ERROR=3)
    with stack as running:
        reader = anonymous(running)
        # A page no other test read: the app's own cache (shared with them) has no older copy.
        page = f"/zh-hans/articles/{running['article']}/?cpage=9"
        status, headers, html = reader.get(page)
        assert status == 200 and headers["X-Cache-Status"] == "MISS"
        assert headers["Cache-Control"].endswith("s-maxage=1, stale-if-error=3")
        stack.stop_app()
        # Fresh for a second (nginx counts whole seconds), then stale, never an error.
        deadline = time.monotonic() + 5
        while True:
            status, headers, stale = reader.get(page)
            assert status == 200 and headers["X-Cache-Status"] in ("HIT", "STALE")
            if headers["X-Cache-Status"] == "STALE":
                break
            assert time.monotonic() < deadline, "never served stale"
            time.sleep(0.3)
        assert stale == html
        assert reader.get("/zh-hans/category/china/")[0] == 502  # never cached
        # Stale for at most stale-if-error (3 s, counted in whole seconds), then an error.
        deadline = time.monotonic() + 5
        while (status := reader.get(page)[0]) != 502:
            assert status == 200 and time.monotonic() < deadline, "stale for too long"
            time.sleep(0.2)


# --- the purge client, without nginx --------------------------------------------------------------
# Transactional tests (purges go out after a real commit) keep the migrations' rows (groups,
# glossary) with serialized_rollback, as the other transactional tests do.


def test_cache_key_is_the_path_and_the_naming_parameters_as_the_edge_builds_it():
    assert edge_purges.cache_key("/zh-hans/") == "/zh-hans/?"
    assert edge_purges.cache_key("/zh-hans/articles/5/?cpage=2") == "/zh-hans/articles/5/?cpage=2&"
    assert edge_purges.cache_key("/zh-tw/search/?page=2&q=苏&utm_source=x") == (
        "/zh-tw/search/?q=%E8%8B%8F&page=2&"
    )


def test_purged_pages_are_paged_as_the_site_pages_them():
    from articles.views import LIST_CAP, PublishedArticlesMixin
    from comments.section import COMMENTS_PER_PAGE

    assert purge.LIST_CAP == LIST_CAP
    assert PublishedArticlesMixin.paginate_by == purge.LIST_PAGE_SIZE
    assert purge.COMMENTS_PER_PAGE == COMMENTS_PER_PAGE


@pytest.mark.django_db
def test_an_approval_purges_its_article_and_the_list_pages_showing_it(settings, article):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9"]
    paths = purge.after_comments_changed(type(article).objects, article.pk)
    for variant in ("zh-hans", "zh-hant", "zh-tw", "zh-hk"):
        assert f"/{variant}/articles/{article.pk}/" in paths
        assert f"/{variant}/articles/{article.pk}/?cpage=1" in paths
        assert f"/{variant}/" in paths
        assert f"/{variant}/category/{article.category.slug}/" in paths
    assert not any("feeds" in path for path in paths)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edge_that_is_down_neither_fails_nor_slows_the_change_and_is_logged(
    settings, article, caplog
):
    settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}"]  # nothing listens there
    caplog.set_level(logging.WARNING, logger="portal.edge")
    started = time.monotonic()
    article.title = "改过的标题"
    article.save()
    assert time.monotonic() - started < settings.EDGE_PURGE_WAIT + 0.3
    assert edge_purges.drain(5)
    assert any("purges failed" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_purges_wait_for_the_commit_and_a_rollback_sends_none(settings, article):
    sent = []
    listener = PurgeListener(sent)
    settings.EDGE_PURGE_URLS = [listener.url]
    try:
        with transaction.atomic():
            article.title = "事务中的标题"
            article.save()
            time.sleep(0.2)
            assert sent == []  # not before the commit
        assert edge_purges.drain(5)
        assert f"/_edge/purge/zh-hans/articles/{article.pk}/?" in sent
        sent.clear()
        with pytest.raises(RuntimeError), transaction.atomic():
            article.save()
            raise RuntimeError("rolled back")
        time.sleep(0.3)
        assert sent == []
    finally:
        listener.close()


class PurgeListener:
    """A stand-in edge on a free port recording the purges it receives (answers 404)."""

    def __init__(self, sent: list):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_PURGE(self):
                sent.append(self.path)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_glossary_change_purges_the_pages_it_rerenders_once_after_the_commit(settings, moderator):
    from articles.models import GlossaryTerm
    from tests.factories import make_article, make_category, make_comment

    category = make_category(name="江苏")
    touched = make_article(category=category, title="边缘词出现在标题")
    commented = make_article(category=category, title="第三篇")
    make_comment(commented, approve_by=moderator, body="评论里的边缘词")
    elsewhere = make_article(title="别的新闻")  # another category: not a neighbour either
    sent = []
    listener = PurgeListener(sent)
    settings.EDGE_PURGE_URLS = [listener.url]
    # A purge timing out is sent again (rightly: the edge may not have it); not on a busy machine.
    settings.EDGE_PURGE_TIMEOUT = 30
    try:
        with transaction.atomic():
            GlossaryTerm.objects.create(term="边缘词", keep=True)
            GlossaryTerm.rerender_affected({"边缘词"})
            assert sent == []
        assert edge_purges.drain(5)
    finally:
        listener.close()
    purged = {path.removeprefix(edge_purges.PURGE_PREFIX) for path in sent}
    for variant in ("zh-hans", "zh-hant", "zh-tw", "zh-hk"):
        assert f"/{variant}/articles/{touched.pk}/?" in purged
        assert f"/{variant}/articles/{commented.pk}/?" in purged  # its comments re-rendered
        assert f"/{variant}/?" in purged and f"/{variant}/feeds/latest.xml?" in purged
        assert f"/{variant}/articles/{elsewhere.pk}/?" not in purged
    # Not asserted: each page once. Each purge() of the commit is a batch of its own, and the
    # sender thread may wake between two of them and send a page both name twice (harmless: a
    # PURGE is idempotent; seen under load, README "Edge cache").


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_renaming_a_category_purges_every_page_since_every_page_names_it(settings, article):
    sent = []
    listener = PurgeListener(sent)
    settings.EDGE_PURGE_URLS = [listener.url]
    try:
        article.category.name = "新名字"
        article.category.save()
        assert edge_purges.drain(5)
    finally:
        listener.close()
    purged = {path.removeprefix(edge_purges.PURGE_PREFIX) for path in sent}
    assert f"/zh-hk/articles/{article.pk}/?" in purged
    assert f"/zh-hans/category/{article.category.slug}/?" in purged
    assert "/sitemap.xml?" in purged
