"""Editors publish through the admin; roles are least-privilege."""

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_comment


def admin_datetime(moment):
    local = timezone.localtime(moment)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


@pytest.mark.django_db
def test_editor_writes_and_schedules_an_article_in_the_admin(client, editor, category):
    client.force_login(editor)
    when = timezone.now() + timezone.timedelta(days=1)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "编辑部的新文章",
            "summary": "这是摘要",
            "body": "第一段\n\n第二段",
            "category": category.pk,
            "status": "published",
            **admin_datetime(when),
            "allow_comments": "on",
            "source": "本网",
            "author": "记者",
            "source_script": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="编辑部的新文章")
    assert article.last_edited_by == editor
    assert article.title_variants["zh-tw"] == "編輯部的新文章"
    assert not article.is_visible  # scheduled for tomorrow
    assert client.get(f"/zh-hans/articles/{article.pk}/").status_code == 200  # staff preview
    client.logout()
    assert client.get(f"/zh-hans/articles/{article.pk}/").status_code == 404


@pytest.mark.django_db
def test_bulk_publish_and_unpublish_change_what_readers_see(client, editor):
    draft = make_article(status=Article.Status.DRAFT, title="等待发布")
    client.force_login(editor)
    client.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.last_edited_by == editor
    client.logout()
    assert client.get(f"/zh-hans/articles/{draft.pk}/").status_code == 200

    client.force_login(editor)
    client.post("/admin/articles/article/", {"action": "unpublish", "_selected_action": [draft.pk]})
    client.logout()
    assert client.get(f"/zh-hans/articles/{draft.pk}/").status_code == 404


@pytest.mark.django_db
def test_admin_article_list_shows_heat_comment_count_and_schedule(client, editor):
    make_article(title="列表里的文章", published_at=timezone.now() + timezone.timedelta(hours=2))
    client.force_login(editor)
    html = client.get("/admin/articles/article/").content.decode()
    assert "列表里的文章" in html
    assert "定时发布" in html
    assert "热度" in html and "评论数" in html


@pytest.mark.django_db
def test_admin_shows_the_four_renderings_side_by_side(client, editor):
    article = make_article(title="软件优化发布")
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    for rendering in article.title_variants.values():
        assert rendering in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url", "allowed"),
    [
        ("editor", "/admin/articles/article/add/", True),
        ("editor", "/admin/articles/glossaryterm/add/", True),
        ("editor", "/admin/comments/comment/", False),
        ("moderator", "/admin/comments/comment/", True),
        ("moderator", "/admin/articles/article/add/", False),
        ("moderator", "/admin/articles/article/{article}/change/", False),
        ("anonymous", "/admin/articles/article/add/", False),
        ("anonymous", "/admin/comments/comment/", False),
    ],
)
def test_roles_have_least_privilege(client, editor, moderator, article, role, url, allowed):
    if role != "anonymous":
        client.force_login({"editor": editor, "moderator": moderator}[role])
    response = client.get(url.format(article=article.pk))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)  # login redirect for anonymous


@pytest.mark.django_db
def test_an_editor_cannot_approve_a_comment(client, editor, article):
    comment = make_comment(article)
    client.force_login(editor)
    client.post("/admin/comments/comment/", {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert not editor.has_perm("comments.moderate_comment")


@pytest.mark.django_db
def test_a_moderator_cannot_publish_an_article(client, moderator):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(moderator)
    response = client.post(
        "/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
