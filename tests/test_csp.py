"""A Content-Security-Policy on readers' pages and the admin: the site's own scripts and styles
only (issue 14). The browser's side of it is in tests/e2e/test_csp.py."""

import re

import pytest

from tests.factories import make_article, make_category, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def inline_code(html: str) -> list[str]:
    """Script or style the policy would refuse: inline scripts, style attributes, handlers."""
    found = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    found += re.findall(r"<[a-z][^>]*\s(?:style|on[a-z]+)=[^>]*>", html)
    return found


@pytest.fixture
def article(db):
    return make_article(category=make_category(slug="jiangsu"))


def test_policy_allows_only_the_sites_own_scripts_and_styles(client, article):
    response = client.get("/zh-hans/")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("variant", ["zh-hans", "zh-tw"])
def test_reader_pages_carry_the_policy_from_the_page_cache_too(client, article, variant):
    paths = [
        f"/{variant}/",
        f"/{variant}/category/jiangsu/",
        f"/{variant}/articles/{article.pk}/",
        f"/{variant}/search/?q=测试",
        "/zh-hans/articles/999999/",
    ]
    for path in paths:
        for _ in range(3):  # a miss, a hit from the shared cache, a hit from this process
            response = client.get(path)
            assert policy(response)["script-src"] == ["'self'"], path
        assert inline_code(response.content.decode()) == [], path


def test_the_500_page_needs_no_inline_style(rf):
    from django.views.defaults import server_error

    assert inline_code(server_error(rf.get("/zh-hans/")).content.decode()) == []


def test_admin_pages_carry_the_policy_and_our_customisations_no_inline_style(
    client, article, moderator, editor
):
    assert policy(client.get("/admin/login/"))["script-src"] == ["'self'"]
    comment = make_comment(article, body="待审核的评论")
    client.force_login(moderator)
    for path in ["/admin/", "/admin/comments/comment/", f"/admin/comments/comment/{comment.pk}/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert policy(response)["script-src"] == ["'self'"], path
        assert inline_code(response.content.decode()) == [], path
    desk = client.get("/admin/comments/comment/").content.decode()
    assert '<article class="desk-card status-pending"' in desk
    assert "css/desk.css" in desk and "js/desk.js" in desk
    client.force_login(editor)
    response = client.get(f"/admin/articles/article/{article.pk}/change/")
    html = response.content.decode()
    assert '<table class="variant-preview">' in html
    # The rich-text editor's import map is the one inline script, allowed by this page's nonce.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    importmap = f'<script type="importmap" nonce="{nonce}">'
    assert importmap in html
    assert inline_code(html.replace(importmap, "")) == []
    assert "css/admin.css" in html


def test_no_admin_list_hides_its_actions_which_would_need_an_inline_style():
    """Django's change list writes a <style> element when a ModelAdmin shows its actions neither
    on top nor at the bottom; the policy would refuse it (and the column would be misdrawn)."""
    from django.apps import apps
    from django.contrib import admin

    registered = [
        admin.site.get_model_admin(m) for m in apps.get_models() if admin.site.is_registered(m)
    ]
    assert len(registered) > 5
    for model_admin in registered:
        assert model_admin.actions_on_top or model_admin.actions_on_bottom, model_admin
