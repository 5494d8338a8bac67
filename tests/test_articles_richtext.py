"""The body's formatting: allow-listed on the server at save, converted text-only in every
variant, readable to search as text, and plain-text bodies as they always were."""

import re

import pytest

from articles import richtext
from articles.models import Article, GlossaryTerm
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FORMATTED = (
    "<h2>发布会现场</h2>"
    "<p>软件<strong>优化</strong>后性能提升，"
    '<a href="https://example.com/发布?x=1&amp;y=2">查看发布详情</a>。</p>'
    "<blockquote><p>我们支持开放的数据标准。</p></blockquote>"
    "<ul><li>第一条信息</li><li>第二条信息</li></ul>"
)


# --- sanitising -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>正文<script>alert(1)</script></p>", "script"),
        ("<p>正文</p><script src=/x.js></script>", "script"),
        ('<p onclick="alert(1)">正文</p>', "onclick"),
        ('<img src="/media/photos/a/480.jpg" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">链接</a>', "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">链接</a>', "alert"),
        ('<a href="jav&#x09;ascript:alert(1)">链接</a>', "alert"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">链接</a>', "data:"),
        ('<img src="data:image/png;base64,AAAA">', "data:"),
        ('<img src="https://tracker.example/p.gif">', "tracker"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ("<scr<script>ipt>alert(1)</script>", "<script"),
        ('<p style="position:fixed">正文</p>', "style"),
        ('<iframe src="https://evil.example/"></iframe>', "iframe"),
        ('<form action="/x"><input name="q"></form>', "input"),
        ("<!-- <script>alert(1)</script> -->正文", "<!--"),
        ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "javascript"),
        ('<p><a href="https://ok.example" onmouseover="alert(1)">链接</a></p>', "onmouseover"),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', "onerror"),
    ],
)
def test_sanitiser_removes_what_could_run_or_load_from_elsewhere(dirty, forbidden):
    assert forbidden.lower() not in richtext.sanitize(dirty).lower()


def test_sanitiser_keeps_what_a_story_needs_and_marks_links_noopener():
    clean = richtext.sanitize(FORMATTED)
    for tag in ("<h2>", "<strong>", "<blockquote>", "<ul>", "<li>"):
        assert tag in clean
    assert 'href="https://example.com/发布?x=1&amp;y=2"' in clean
    assert 'rel="noopener"' in clean


def test_sanitiser_turns_h1_and_unknown_tags_into_their_text():
    assert richtext.sanitize("<h1>大标题</h1><div><span>文字</span></div>") == "大标题文字"


def test_saving_an_article_sanitises_its_body_whoever_saves_it():
    article = make_article(body='<p onclick="x()">正文<script>alert(1)</script></p>')
    assert article.body == "<p>正文</p>"
    for html in article.body_variants.values():
        assert "script" not in html and "onclick" not in html


# --- conversion -------------------------------------------------------------------------------


def test_formatted_text_converts_in_every_variant_with_tags_and_urls_untouched():
    assert GlossaryTerm.objects.get(term="支持").keep  # the shipped glossary
    article = make_article(body=FORMATTED)
    tags = re.findall(r"<[^>]+>", article.body)
    # The shipped glossary holds: 发布 → 發布 (not 釋出), 优化 → 優化 (not 最佳化), 支持 stays.
    expected = {
        "zh-hans": ("发布会现场", "<strong>优化</strong>", "我们支持", "查看发布详情"),
        "zh-hant": ("發布會現場", "<strong>優化</strong>", "我們支持", "查看發布詳情"),
        "zh-tw": ("發布會現場", "<strong>優化</strong>", "我們支持", "第一條資訊", "軟體"),
        "zh-hk": ("發佈會現場", "<strong>優化</strong>", "我們支持", "第二條信息"),
    }
    for variant, words in expected.items():
        html = article.body_variants[variant]
        assert re.findall(r"<[^>]+>", html) == tags, variant
        assert 'href="https://example.com/发布?x=1&amp;y=2"' in html
        for word in words:
            assert word in html, (variant, word)


def test_protected_markup_still_applies_inside_formatted_text():
    article = make_article(
        body="<p><strong>-{发布}-</strong>与-{zh-hans:软件;zh-hant:軟體;zh-hk:軟件}-</p>"
    )
    assert article.body_variants["zh-tw"] == "<p><strong>发布</strong>與軟體</p>"
    assert article.body_variants["zh-hk"] == "<p><strong>发布</strong>與軟件</p>"


def test_a_glossary_change_rerenders_formatted_bodies():
    article = make_article(body="<h3>团队精神</h3>")
    assert article.body_variants["zh-tw"] == "<h3>團隊精神</h3>"
    GlossaryTerm.objects.create(term="团队", keep=True)
    GlossaryTerm.rerender_affected({"团队"})
    article.refresh_from_db()
    assert article.body_variants["zh-tw"] == "<h3>团队精神</h3>"


def test_plain_text_bodies_render_as_they_always_have():
    article = make_article(body="第一段 <b>不是标签</b>\n\n第二段\n换行")
    assert article.body_variants["zh-hans"] == (
        "<p>第一段 &lt;b&gt;不是标签&lt;/b&gt;</p><p>第二段<br>换行</p>"
    )
    assert article.body_variants["zh-hant"] == (
        "<p>第一段 &lt;b&gt;不是標籤&lt;/b&gt;</p><p>第二段<br>換行</p>"
    )


@pytest.mark.parametrize("variant", ["zh-hans", "zh-hant", "zh-tw", "zh-hk"])
def test_readers_see_the_formatting_in_each_variant(client, variant):
    article = make_article(body=FORMATTED)
    html = client.get(f"/{variant}/articles/{article.pk}/").content.decode()
    body = re.search(r'<div class="body">(.*?)</div>\s*(?:<nav|</article>)', html, re.S).group(1)
    assert "<h2>" in body and "<blockquote>" in body and "<strong>" in body
    assert body == article.body_variants[variant]


# --- search -----------------------------------------------------------------------------------


def test_search_finds_the_text_of_formatted_bodies_but_not_their_markup(client):
    make_article(title="格式化的文章", body=FORMATTED)

    def titles(q):
        html = client.get("/zh-hans/search/", {"q": q}).content.decode()
        return re.findall(r'<a class="item-title" href="[^"]+">(.*?)</a>', html)

    assert titles("开放的数据标准") == ["格式化的文章"]
    assert titles("查看发布详情") == ["格式化的文章"]
    assert titles("example") == []
    assert titles("blockquote") == []
    assert titles("noopener") == []


# --- the admin --------------------------------------------------------------------------------


def test_editor_saves_formatted_html_through_the_admin_sanitised(client, editor, category):
    from django.utils import timezone

    from tests.test_articles_admin import admin_datetime

    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "带格式的稿件",
            "summary": "摘要",
            "body": '<h2>小标题</h2><p onclick="x()">正文<a href="javascript:x()">链接</a></p>',
            "category": category.pk,
            "status": "published",
            **admin_datetime(timezone.now()),
            "source_script": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(title="带格式的稿件")
    assert article.body == '<h2>小标题</h2><p>正文<a rel="noopener">链接</a></p>'


def test_the_editor_opens_a_plain_text_body_as_its_paragraphs(client, editor):
    article = make_article(body="第一段\n\n第二段 <x>")
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "&lt;p&gt;第一段&lt;/p&gt;&lt;p&gt;第二段 &amp;lt;x&amp;gt;&lt;/p&gt;" in html
    assert "data-django-prose-editor-configurable" in html
