"""The comment thread in a browser: 回复 held until approved, then nested; 顶 once per reader;
举报 landing in the moderators' 被举报 queue."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment, Like
from tests.e2e.browser import log_in
from tests.factories import make_comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reply_is_seen_by_others_only_once_approved_then_nested_with_whom_it_answers(
    open_page, article, moderator
):
    top = make_comment(article, approve_by=moderator, nickname="甲", body="原来的评论")
    answer = make_comment(article, nickname="乙", body="乙的回复", parent=top, reply_to=top)
    answer.approve(by=moderator)
    url = f"/zh-hans/articles/{article.pk}/"

    a = open_page()
    a.goto(url)
    answered = a.locator(f"#c{answer.pk}")
    answered.get_by_role("link", name="回复").click()
    form = answered.locator("form.comment-form")  # the form moved under the reply
    expect(form.locator(".replying")).to_contain_text("回复 @乙")
    form.get_by_label("昵称").fill("丙")
    form.get_by_label("留言内容").fill("丙对乙说的话")
    form.get_by_role("button", name="发表留言").click()
    expect(a).to_have_url(re.compile(rf"{url}#comments$"))
    expect(a.get_by_role("status")).to_contain_text("留言已提交，审核通过后才会公开显示。")
    mine = a.locator("#my-comments .receipt.pending")  # the author's 我的留言 panel
    expect(mine).to_contain_text("丙对乙说的话")
    expect(mine).to_contain_text("回复 @乙")
    reply = Comment.objects.get(body="丙对乙说的话")
    assert (reply.status, reply.parent_id, reply.reply_to_id) == ("pending", top.pk, answer.pk)

    b = open_page()
    b.goto(url)
    expect(b.locator(f"#c{top.pk}")).to_contain_text("乙的回复")
    expect(b.locator("#comments")).not_to_contain_text("丙对乙说的话")

    reply.approve(by=moderator)
    b.reload()
    nested = b.locator(f"#c{top.pk} > ul.replies > li#c{reply.pk}")
    expect(nested).to_contain_text("丙对乙说的话")
    expect(nested).to_contain_text("回复 @乙")
    expect(nested.locator(".comment-meta .nickname")).to_have_text("丙")
    expect(b.locator(".article-meta .comment-count")).to_have_text("3")


def test_likes_from_two_readers_count_two_and_twice_from_one_counts_one(
    open_page, article, moderator
):
    top = make_comment(article, approve_by=moderator, nickname="甲", body="值得一顶")
    url = f"/zh-hans/articles/{article.pk}/"

    def like_button(page):
        return page.locator(f"#c{top.pk} > .comment-actions form.like button")

    first = open_page()
    first.goto(url)
    expect(like_button(first)).to_have_text("顶 0")
    like_button(first).click()
    expect(like_button(first)).to_have_text("顶 1")
    expect(first.locator(f"#c{top.pk} .action-note")).to_have_text("已顶。")
    like_button(first).click()
    expect(first.locator(f"#c{top.pk} .action-note")).to_have_text("您已经顶过这条评论了。")
    expect(like_button(first)).to_have_text("顶 1")

    second = open_page()
    second.goto(url)
    like_button(second).click()
    expect(like_button(second)).to_have_text("顶 2")
    assert Like.objects.filter(comment=top).count() == 2

    # 举报 opens its reasons in place and says it was received.
    second.locator(f"#c{top.pk} > .comment-actions a.report").click()
    reasons = second.locator(f"#c{top.pk} > form.report-form")
    reasons.get_by_label("广告").check()
    reasons.get_by_role("button", name="提交举报").click()
    expect(second.locator(f"#c{top.pk} .action-note")).to_contain_text("举报已收到")
    top.refresh_from_db()
    assert top.open_reports == 1

    # The report lands in the moderators' 被举报 queue with its reason.
    desk = open_page()
    log_in(desk, moderator.username, "pw", then="/admin/comments/comment/")
    desk.locator("#desk-tools").get_by_role("link", name="被举报").click()
    reported = desk.locator(f"#card-{top.pk}")
    expect(reported.locator(".desk-reported")).to_have_text("被举报 ×1")
    expect(reported.locator(".desk-reports")).to_contain_text("广告 ×1")


def test_the_form_and_the_actions_share_one_token_request_on_a_first_visit(
    open_page, article, moderator
):
    """Two token requests at once would each set a new CSRF cookie, and the 举报 whose cookie lost
    was refused (403): the actions wait for the form's request instead of making their own."""
    top = make_comment(article, approve_by=moderator, nickname="甲", body="要举报的评论")
    page = open_page()
    held = []
    page.route("**/comments/tokens/", lambda route: held.append(route))  # released below
    page.goto(f"/zh-hans/articles/{article.pk}/")
    page.locator("#comment-form").scroll_into_view_if_needed()
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1  # the form's request, on its way
    page.locator(f"#c{top.pk} > .comment-actions a.report").click()
    reasons = page.locator(f"#c{top.pk} > form.report-form")
    reasons.get_by_label("广告").check()
    reasons.get_by_role("button", name="提交举报").click()
    page.wait_for_timeout(500)
    assert len(held) == 1  # no second request beside it
    for route in held:
        route.continue_()
    expect(page.locator(f"#c{top.pk} .action-note")).to_contain_text("举报已收到")
    top.refresh_from_db()
    assert top.open_reports == 1
