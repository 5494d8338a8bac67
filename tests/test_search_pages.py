"""The search page: what readers find, in which order, how it looks, and what it costs."""

import re
from html import unescape

import psycopg
import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles import search
from articles.models import Article
from tests.factories import make_article, make_comment


def found(client, q, variant="zh-hans", **params) -> list[str]:
    """Titles on the results page, as plain text."""
    response = client.get(f"/{variant}/search/", {"q": q, **params})
    assert response.status_code == 200
    titles = re.findall(r'<a class="item-title" href="[^"]+">(.*?)</a>', response.content.decode())
    return [unescape(re.sub(r"</?mark>", "", t)) for t in titles]


# --- visibility -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "hours_from_now", "visible"),
    [
        (Article.Status.PUBLISHED, -1, True),
        (Article.Status.PUBLISHED, +1, False),  # scheduled
        (Article.Status.DRAFT, -1, False),
        (Article.Status.DRAFT, +1, False),
    ],
)
@pytest.mark.django_db
def test_only_reader_visible_articles_are_found(client, category, status, hours_from_now, visible):
    when = timezone.now() + timezone.timedelta(hours=hours_from_now)
    make_article(category=category, title="独一无二的标题", status=status, published_at=when)
    assert (found(client, "独一无二") == ["独一无二的标题"]) is visible


@pytest.mark.django_db
def test_deleted_articles_and_comments_are_not_found(client, category, moderator):
    gone = make_article(category=category, title="即将删除的文章")
    gone.delete()
    kept = make_article(category=category, title="普通文章")
    make_comment(kept, approve_by=moderator, body="评论里独有的词语蝴蝶兰")
    assert found(client, "即将删除") == []
    assert found(client, "蝴蝶兰") == []


# --- ranking ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_title_hit_ranks_above_a_body_hit(client, category):
    now = timezone.now()
    make_article(category=category, title="其他新闻", body="正文提到芯片", published_at=now)
    make_article(
        category=category,
        title="芯片产业新进展",
        body="正文",
        published_at=now - timezone.timedelta(days=30),
    )
    assert found(client, "芯片") == ["芯片产业新进展", "其他新闻"]


@pytest.mark.django_db
def test_equal_relevance_ranks_the_newer_first(client, category):
    now = timezone.now()
    for days, title in [(3, "芯片旧闻"), (1, "芯片新闻"), (2, "芯片中闻")]:
        when = now - timezone.timedelta(days=days)
        make_article(category=category, title=title, published_at=when)
    assert found(client, "芯片") == ["芯片新闻", "芯片中闻", "芯片旧闻"]


# --- several terms, phrases, short and Latin terms -------------------------------------------


@pytest.fixture
def corpus(category):
    for title in ["苏粤合作迈上新台阶", "合作伙伴在苏粤", "广东芯片产业", "苏粤芯片合作"]:
        make_article(category=category, title=title, summary="摘要", body="正文")


@pytest.mark.django_db
def test_space_separated_terms_narrow_the_results(client, corpus):
    assert set(found(client, "苏粤")) == {"苏粤合作迈上新台阶", "合作伙伴在苏粤", "苏粤芯片合作"}
    assert found(client, "苏粤 芯片") == ["苏粤芯片合作"]
    assert found(client, "芯片 苏粤 合作") == ["苏粤芯片合作"]


@pytest.mark.django_db
def test_quoted_phrase_matches_only_in_order(client, corpus):
    assert set(found(client, "合作 苏粤")) == {
        "苏粤合作迈上新台阶",
        "合作伙伴在苏粤",
        "苏粤芯片合作",
    }
    assert found(client, '"苏粤合作"') == ["苏粤合作迈上新台阶"]
    assert found(client, '"合作苏粤"') == []


@pytest.mark.django_db
def test_one_character_latin_and_number_queries(client, category):
    make_article(category=category, title="粤语节目", body="无关")
    make_article(category=category, title="GDP增长5.2%", body="华为Mate60发布，落实“1310”部署")
    assert found(client, "粤") == ["粤语节目"]
    assert found(client, "gdp") == ["GDP增长5.2%"]
    assert found(client, "ＧＤＰ") == ["GDP增长5.2%"]
    assert found(client, "1310") == ["GDP增长5.2%"]
    assert found(client, "mate60") == ["GDP增长5.2%"]
    assert found(client, "华为") == ["GDP增长5.2%"]
    assert found(client, "131") == []  # numbers are whole words


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_results_show_title_category_date_and_summary_with_terms_marked(client, category):
    article = make_article(category=category, title="苏粤合作", summary="两省苏粤合作走深走实")
    response = client.get("/zh-hans/search/", {"q": "苏粤"})
    assertContains(response, "<mark>苏粤</mark>合作</a>")
    assertContains(response, '<p class="item-summary">两省<mark>苏粤</mark>合作走深走实</p>')
    assertContains(response, f'<span class="tag">{category.name}</span>')
    assertContains(response, timezone.localtime(article.published_at).strftime("%Y-%m-%d"))
    assertContains(response, "找到 1 篇相关文章")


@pytest.mark.django_db
def test_highlighting_escapes_html(client, category):
    make_article(category=category, title="<script>alert(1)</script>苏粤", summary="<b>苏粤</b>")
    response = client.get("/zh-hans/search/", {"q": "苏粤 script"})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    script = "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    assert f"{script}<mark>苏粤</mark>" in html
    assert "&lt;b&gt;<mark>苏粤</mark>&lt;/b&gt;" in html


@pytest.mark.django_db
def test_twenty_results_a_page_with_the_total(client, category):
    for n in range(25):
        make_article(category=category, title=f"芯片新闻{n}")
    first = found(client, "芯片")
    second = found(client, "芯片", page=2)
    assert (len(first), len(second)) == (20, 5)
    assert not set(first) & set(second)
    response = client.get("/zh-hans/search/", {"q": "芯片"})
    assertContains(response, "找到 25 篇相关文章")
    assertContains(response, "?q=%E8%8A%AF%E7%89%87&amp;page=2")


@pytest.mark.django_db
def test_very_common_queries_rank_the_most_recent_matches(client, category, monkeypatch):
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    now = timezone.now()
    for n in range(8):
        when = now - timezone.timedelta(days=n * 100)  # across the recent slices
        make_article(category=category, title=f"发展新闻{n}", published_at=when)
    make_article(
        category=category, title="发展发展新闻", published_at=now - timezone.timedelta(days=900)
    )
    response = client.get("/zh-hans/search/", {"q": "发展"})
    assertContains(response, "找到超过 5 篇相关文章")
    assertContains(response, "只按相关度排列了最近的 5 篇")
    assert found(client, "发展") == [f"发展新闻{n}" for n in range(5)]


@pytest.mark.django_db
def test_rarer_queries_rank_every_match_across_the_archive(client, category, monkeypatch):
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    now = timezone.now()
    for n, days in enumerate([1, 200, 3000]):  # last month, last year, long ago
        when = now - timezone.timedelta(days=days)
        make_article(category=category, title=f"芯片{n}", published_at=when)
    when = now - timezone.timedelta(days=4000)
    make_article(category=category, title="芯片芯片", published_at=when)  # oldest, most relevant
    assert found(client, "芯片") == ["芯片芯片", "芯片0", "芯片1", "芯片2"]
    assertContains(client.get("/zh-hans/search/", {"q": "芯片"}), "找到 4 篇相关文章")


@pytest.mark.django_db
def test_empty_query_shows_the_search_page_without_results(client, article):
    response = client.get("/zh-hans/search/")
    assert response.status_code == 200
    assertContains(response, "请输入关键词，简体、繁体均可。")
    assertNotContains(response, "item-title")
    assert client.get("/zh-hans/search/", {"q": "   "}).status_code == 200


@pytest.mark.django_db
def test_nothing_found_says_so_readably(client, article):
    response = client.get("/zh-hans/search/", {"q": "不存在的词"})
    assertContains(response, "没有找到与“不存在的词”相关的文章。")


@pytest.mark.django_db
def test_long_query_is_truncated_with_a_notice(client, category):
    make_article(category=category, title="苏" * 120)
    response = client.get("/zh-hans/search/", {"q": "苏" * 500})
    assert response.status_code == 200
    assertContains(response, "搜索词过长，只使用了前 100 个字。")
    assertContains(response, f'value="{"苏" * 100}"')
    assertContains(response, "找到 1 篇相关文章")


@pytest.mark.parametrize(
    "q",
    [
        "。，！？、",
        "& | ! : * ( )",
        "苏粤:* & !(",
        "' OR 1=1; DROP TABLE articles_article; --",
        "a\x00b",
        "\x00",
        "<script>",
        '"',
    ],
)
@pytest.mark.django_db
def test_hostile_queries_answer_without_error(client, category, q):
    make_article(category=category, title="苏粤合作")
    response = client.get("/zh-hans/search/", {"q": q})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_sql_and_tsquery_syntax_search_the_words_in_it(client, category):
    make_article(category=category, title="苏粤合作")
    assert found(client, "苏粤:* & !(") == ["苏粤合作"]
    assert found(client, "苏粤' OR '1'='1") == []  # AND of 苏粤, or, 1: no article has 'or'


@pytest.mark.django_db
def test_search_page_runs_a_bounded_number_of_queries(
    client, category, django_assert_max_num_queries
):
    for n in range(30):
        make_article(category=category, title=f"芯片新闻{n}", summary=f"芯片摘要{n}")
    # Candidates (up to three slices), ranking, the page's rows, the category navigation,
    # and when the page cache must expire (the next scheduled article).
    with django_assert_max_num_queries(7):
        response = client.get("/zh-hans/search/", {"q": "芯片 新闻"})
    assertContains(response, "找到 30 篇相关文章")


@pytest.mark.django_db
def test_a_database_without_a_utf8_ctype_fails_the_system_check(db):
    from tests.servers import (
        database_url,
        drop_database,
        manage_result,
        production_env,
        server_params,
    )

    name = "portal_c_ctype"
    with psycopg.connect(dbname="postgres", autocommit=True, **server_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        url = database_url(name)
        result = manage_result(production_env(url), "check", "--database", "default")
        assert result.returncode != 0
        assert "articles.E001" in result.stderr and "UTF-8" in result.stderr
    finally:
        drop_database(name)
    # The test database itself passes.
    from django.core import checks

    assert checks.run_checks(tags=[checks.Tags.database], databases=["default"]) == []


@pytest.mark.django_db
def test_search_index_is_a_gin_index_on_a_weighted_vector(category):
    from django.db import connection

    article = make_article(category=category, title="苏粤", summary="合作", body="芯片")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search'")
        assert "USING gin (search_vector)" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT search_vector @@ '苏粤:A'::tsquery, search_vector @@ '合作:B'::tsquery, "
            "search_vector @@ '芯片:C'::tsquery FROM articles_article WHERE id = %s",
            [article.pk],
        )
        assert cursor.fetchone() == (True, True, True)
