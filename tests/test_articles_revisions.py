"""Every save keeps a revision; editors list, compare and restore them in the admin, and a save
over someone else's newer save is refused with both versions kept."""

import re

import pytest
from django.utils import timezone

from articles.models import Article
from articles.revisions import ArticleRevision
from tests.factories import make_article
from tests.test_articles_admin import admin_datetime

pytestmark = pytest.mark.django_db


def change_form_data(client, article) -> dict:
    """What the change form would post back, as the editor's browser received it."""
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    version = re.search(r'name="known_version" value="(\d+)"', html).group(1)
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "status": article.status,
        **admin_datetime(article.published_at),
        "allow_comments": "on",
        "source": article.source,
        "author": article.author,
        "source_script": article.source_script,
        "known_version": version,
    }


@pytest.fixture
def second_editor(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ed2", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_every_save_keeps_a_revision_with_who_when_and_what(client, editor):
    article = make_article(title="第一稿")
    assert article.revisions.count() == 1
    client.force_login(editor)
    data = change_form_data(client, article) | {"title": "第二稿", "body": "<p>改过的正文</p>"}
    response = client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = article.revisions.first()
    assert (latest.version, latest.title, latest.body) == (2, "第二稿", "<p>改过的正文</p>")
    assert latest.saved_by == editor
    assert timezone.now() - latest.saved_at < timezone.timedelta(minutes=1)


def test_publishing_is_a_revision_but_a_glossary_rerender_is_not():
    from articles.models import GlossaryTerm

    article = make_article(status=Article.Status.DRAFT, body="团队")
    article.publish()
    assert [r.fields["status"] for r in article.revisions.all()] == ["published", "draft"]
    GlossaryTerm.objects.create(term="团队", keep=True)
    GlossaryTerm.rerender_affected({"团队"})
    assert article.revisions.count() == 2


def test_history_lists_revisions_and_compares_two_in_the_editors_script(client, editor):
    article = make_article(title="原来的标题", body="<p>原来的第一段</p><p>不变的段落</p>")
    article.title, article.body = "新的标题", "<p>改写的第一段</p><p>不变的段落</p>"
    article.last_edited_by = editor
    article.save()
    client.force_login(editor)
    history = client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert "第 1 版" in history and "第 2 版" in history and "ed" in history
    old, new = article.revisions.order_by("version")
    html = client.get(
        f"/admin/articles/article/{article.pk}/history/compare/", {"a": new.pk, "b": old.pk}
    ).content.decode()
    assert '<tr class="diff-removed"><td class="diff-sign">−</td><td>标题：<del>原来</del>' in html
    assert '<tr class="diff-added"><td class="diff-sign">+</td><td>标题：<ins>新</ins>' in html
    assert "<del>原来</del>的第一段" in html and "<ins>改写</ins>的第一段" in html
    assert '<tr class="diff-same"><td class="diff-sign"></td><td>不变的段落</td>' in html
    assert "&lt;p&gt;" not in html  # text, not markup


def test_restoring_a_revision_brings_its_text_back_as_a_new_revision(client, editor):
    article = make_article(title="好的标题", body="<p>好的正文</p>")
    first = article.revisions.get()
    article.title, article.body = "改坏的标题", "<p>改坏的正文</p>"
    article.save()
    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{article.pk}/history/{first.pk}/restore/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body, article.version) == ("好的标题", "<p>好的正文</p>", 3)
    assert article.title_variants["zh-hant"] == "好的標題"
    latest = article.revisions.first()
    assert (latest.kind, latest.saved_by, latest.note) == ("restored", editor, "恢复自第 1 版")
    page = client.get(f"/zh-hans/articles/{article.pk}/").content.decode()
    assert "好的正文" in page and "改坏" not in page


def test_restore_is_a_post_by_someone_who_may_change_articles(client, editor, moderator):
    article = make_article()
    revision = article.revisions.get()
    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/history/{revision.pk}/restore/"
    assert client.get(url).status_code == 405
    client.force_login(moderator)
    assert client.post(url).status_code == 403
    assert article.revisions.count() == 1


def test_saving_over_a_newer_save_is_refused_and_both_versions_are_kept(
    client, editor, second_editor
):
    article = make_article(title="共同编辑的稿件", body="<p>原稿</p>")
    client.force_login(editor)
    mine = change_form_data(client, article) | {"body": "<p>甲的修改</p>"}
    client.force_login(second_editor)
    theirs = change_form_data(client, article) | {"body": "<p>乙的修改</p>"}
    assert client.post(f"/admin/articles/article/{article.pk}/change/", theirs).status_code == 302

    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{article.pk}/change/", mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "未保存：ed2 在" in html and "较新的第 2 版" in html
    article.refresh_from_db()
    assert article.body == "<p>乙的修改</p>"  # theirs stands
    conflict = article.revisions.get(kind=ArticleRevision.Kind.CONFLICT)
    assert (conflict.body, conflict.saved_by, conflict.version) == ("<p>甲的修改</p>", editor, 1)
    # Having read the message, submitting the same form again is a knowing overwrite.
    assert 'name="known_version" value="2"' in html
    again = mine | {"known_version": "2"}
    assert client.post(f"/admin/articles/article/{article.pk}/change/", again).status_code == 302
    article.refresh_from_db()
    assert (article.body, article.version) == ("<p>甲的修改</p>", 3)
