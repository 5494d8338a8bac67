"""In Chromium, readers' pages and the admin run under the Content-Security-Policy without a
single violation: the site's scripts (comment-form.js, the admin's) load and work, and nothing
inline is refused."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import log_in
from tests.factories import make_comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Runs before any of the page's own scripts; the browser fires the event for every refusal.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Watch:
    """What the browser refused on a page: the violation events and the console's errors."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(LISTEN)
        page.on("console", lambda message: self.console.append(message.text))

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")
        return events + [text for text in self.console if "Content Security Policy" in text]

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response.status == 200, path
        assert response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        assert self.violations() == [], path


def test_the_watch_sees_what_the_policy_refuses(page, demo):
    """The check below means something: an inline style and an inline script are reported."""
    watch = Watch(page)
    watch.visit("/zh-hans/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = '1'; document.head.append(s)"
    )
    page.wait_for_timeout(200)
    refused = watch.violations()
    assert any(v.startswith("style-src") for v in refused), refused
    assert any(v.startswith("script-src") for v in refused), refused


def test_reader_pages_run_under_the_policy_and_the_comment_form_gets_its_tokens(page, demo):
    watch = Watch(page)
    for path in [
        "/zh-hans/",
        "/zh-tw/",
        f"/zh-hk/category/{demo.category.slug}/",
        "/zh-hans/search/?q=江苏",
    ]:
        watch.visit(path)
    watch.visit(f"/zh-hans/articles/{demo.pk}/")
    form = page.locator("form.comment-form")
    form.scroll_into_view_if_needed()
    form.get_by_role("textbox").first.focus()
    expect(form.locator("input[name=token]")).not_to_have_value("")  # fetched by our own script
    assert watch.violations() == []


def test_the_admin_runs_under_the_policy(open_page, demo, moderator, editor):
    comment = make_comment(demo, body="请审核这条评论")
    desk = open_page()
    watch = Watch(desk)
    watch.visit("/admin/login/")
    log_in(desk, moderator.username, "pw")
    assert watch.violations() == []
    watch.visit("/admin/comments/comment/")
    status = desk.locator(".desk-card .desk-status").first
    expect(status).to_have_css("background-color", "rgb(178, 92, 0)")  # css/desk.css is applied
    expect(desk.locator(".desk-card").first).to_have_class(re.compile("is-current"))  # desk.js
    desk.locator("#desk-select-page").check()
    expect(desk.locator(".desk-check").first).to_be_checked()
    desk.keyboard.press("a")  # a decision sent by desk.js (fetch), under the policy
    expect(status).to_have_text("已通过")
    watch.visit(f"/admin/comments/comment/{comment.pk}/change/")
    assert watch.violations() == []

    editing = open_page()
    watch = Watch(editing)
    log_in(editing, editor.username, "pw")
    watch.visit("/admin/")
    watch.visit("/admin/articles/article/")
    watch.visit(f"/admin/articles/article/{demo.pk}/change/")
    expect(editing.locator("table.variant-preview")).to_have_count(1)  # in a folded fieldset
    watch.visit("/admin/articles/article/add/")
    editing.locator(".datetimeshortcuts a").first.click()  # "今天": the admin's calendar script
    expect(editing.locator("#id_published_at_0")).not_to_have_value("")
    assert watch.violations() == []


def test_a_locked_out_login_is_told_why_in_chinese_under_the_policy(page, moderator):
    watch = Watch(page)
    page.goto("/admin/login/")
    for n in range(6):
        page.get_by_label("用户名").fill(moderator.username)
        page.get_by_label("密码").fill(f"wrong-{n}" if n < 5 else "pw")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("load")
        if n < 4:
            expect(page.locator(".errornote")).to_contain_text("请输入一个正确的")
        else:
            expect(page.get_by_role("heading", name="登录已暂停")).to_be_visible()
            page.get_by_role("link", name="返回登录页").click()
    assert watch.violations() == []
