"""Editors fix conversions in the admin: a glossary change re-renders what it touches; the
article form previews the four renderings; ``reconvert`` re-renders everything."""

import io

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains

from articles.models import Article, Category, GlossaryTerm
from comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db

GLOSSARY_URL = "/admin/articles/glossaryterm/"


def form(entry: GlossaryTerm, **changes) -> dict:
    """The admin form's fields for ``entry``, with ``changes``."""
    data = {
        "term": entry.term,
        "keep": "on" if entry.keep else "",
        "zh_hans": entry.zh_hans,
        "zh_hant": entry.zh_hant,
        "zh_tw": entry.zh_tw,
        "zh_hk": entry.zh_hk,
        "note": entry.note,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_editing_a_term_rerenders_the_articles_that_contain_it(client, editor, category):
    containing = make_article(category=category, title="大力支持改革")
    other = make_article(category=category, title="另一篇文章")
    other_updated = other.updated_at
    assert containing.title_variants["zh-tw"] == "大力支持改革"
    term = GlossaryTerm.objects.get(term="支持")

    client.force_login(editor)
    response = client.post(
        f"{GLOSSARY_URL}{term.pk}/change/", form(term, keep="", zh_tw="撐持"), follow=True
    )

    assertContains(response, "已重新转换 1 篇包含“支持”的文章")
    containing.refresh_from_db()
    other.refresh_from_db()
    assert containing.title_variants["zh-tw"] == "大力撐持改革"
    assert other.updated_at == other_updated


def test_adding_a_term_rerenders_and_searches_the_new_rendering(client, editor, category):
    article = make_article(category=category, title="出租车行业", body="出租车司机")
    client.force_login(editor)
    response = client.post(
        f"{GLOSSARY_URL}add/",
        {
            "term": "出租车",
            "zh_hans": "出租车",
            "zh_tw": "計程車",
            "zh_hk": "的士",
            "note": "TW, HK",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_variants["zh-tw"] == "計程車行業"
    assert article.title_variants["zh-hk"] == "的士行業"
    assert "計程車司機" in article.body_variants["zh-tw"]


def test_renaming_or_deleting_a_term_rerenders_what_the_old_term_touched(client, editor, category):
    article = make_article(category=category, title="苏粤合作新篇章")
    term = GlossaryTerm.objects.create(term="苏粤合作", zh_tw="江蘇廣東合作")
    GlossaryTerm.rerender_affected({"苏粤合作"})
    article.refresh_from_db()
    assert article.title_variants["zh-tw"] == "江蘇廣東合作新篇章"

    client.force_login(editor)
    client.post(f"{GLOSSARY_URL}{term.pk}/change/", form(term, term="苏粤两省合作"))
    article.refresh_from_db()
    assert article.title_variants["zh-tw"] == "蘇粵合作新篇章"  # OpenCC's own again

    term.refresh_from_db()
    client.post(f"{GLOSSARY_URL}{term.pk}/change/", form(term, term="苏粤合作"))
    article.refresh_from_db()
    assert article.title_variants["zh-tw"] == "江蘇廣東合作新篇章"
    client.post(f"{GLOSSARY_URL}{term.pk}/delete/", {"post": "yes"})
    assert not GlossaryTerm.objects.filter(pk=term.pk).exists()
    article.refresh_from_db()
    assert article.title_variants["zh-tw"] == "蘇粵合作新篇章"


def test_a_glossary_change_rerenders_category_names(client, editor):
    category = Category(name="通过审议", slug="shenyi")
    category.save()
    assert category.name_variants["zh-tw"] == "通過審議"  # default glossary: 通过, 审核
    term = GlossaryTerm.objects.get(term="通过")
    client.force_login(editor)
    client.post(f"{GLOSSARY_URL}{term.pk}/change/", form(term, zh_tw="透過"))
    category.refresh_from_db()
    assert category.name_variants["zh-tw"] == "透過審議"


def test_article_form_previews_the_four_renderings_side_by_side(client, editor, category):
    article = make_article(
        category=category,
        title="优化软件",
        summary="大力支持",
        body="第一段<b>\n\n第二段",
        status=Article.Status.DRAFT,
    )
    client.force_login(editor)
    response = client.get(f"/admin/articles/article/{article.pk}/change/")
    html = response.content.decode()
    for name, title in [
        ("简体", "优化软件"),
        ("繁體", "優化軟件"),
        ("臺灣", "優化軟體"),
        ("香港", "優化軟件"),
    ]:
        assert f"<strong>{name}</strong><h3>{title}</h3>" in html
    assert '<td lang="zh-Hant-TW"' in html
    # The stored body HTML is shown as HTML (escaped once, at save), not as markup text.
    assert "<p>第一段&lt;b&gt;</p><p>第二段</p>" in html


def test_reconvert_rerenders_everything_with_a_progress_bar(category):
    articles = [make_article(category=category, title=f"优化第{n}篇") for n in range(3)]
    GlossaryTerm.objects.filter(term="优化").delete()  # no re-render: the stored text is stale
    assert Article.objects.get(pk=articles[0].pk).title_variants["zh-tw"] == "優化第0篇"

    dry = io.StringIO()
    call_command("reconvert", "--dry-run", stdout=dry)
    assert "would re-render" in dry.getvalue()
    assert Article.objects.get(pk=articles[0].pk).title_variants["zh-tw"] == "優化第0篇"

    out = io.StringIO()
    call_command("reconvert", stdout=out)
    for article in articles:
        article.refresh_from_db()
        assert article.title_variants["zh-tw"].startswith("最佳化")  # OpenCC alone, as expected
    total = Article.objects.count()
    assert f"[{'#' * 40}] {total}/{total}" in out.getvalue()
    assert f"{total} articles in" in out.getvalue()


def test_reconvert_is_quiet_at_verbosity_zero(category):
    make_article(category=category)
    out = io.StringIO()
    call_command("reconvert", verbosity=0, stdout=out)
    assert out.getvalue() == ""


@pytest.mark.parametrize("keep", [True, False])
def test_a_term_is_either_kept_or_given_renderings(client, editor, keep):
    client.force_login(editor)
    data = {"term": "测试词", "note": ""}
    if keep:
        data.update(keep="on", zh_tw="測試詞")  # both
    response = client.post(f"{GLOSSARY_URL}add/", data)
    assert response.status_code == 200  # the form again, with the reason
    assertContains(response, "请二选一")
    assert not GlossaryTerm.objects.filter(term="测试词").exists()


def test_reconvert_rerenders_every_approved_comment(category, moderator):
    from tests.factories import make_comment

    article = make_article(category=category)
    comment = make_comment(article, body="软件不错", approve_by=moderator)
    Comment.objects.filter(pk=comment.pk).update(body_variants={}, item_variants={})
    call_command("reconvert", verbosity=0)
    comment.refresh_from_db()
    assert comment.body_variants["zh-tw"] == "軟體不錯"
    assert "軟體不錯" in comment.item_variants["zh-tw"]
