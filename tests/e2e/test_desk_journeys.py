"""The moderators' desk in Chromium: a queue cleared by keyboard alone, then the public page;
decisions without JavaScript; two moderators on one comment; the desk on a phone; reported
comments worked from the 被举报 queue."""

import re

import pytest
from django.db.models import F
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment, Decision, Report
from tests.e2e.browser import PHONE, log_in
from tests.factories import make_comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESK = "/admin/comments/comment/"


def five_comments(article) -> list[Comment]:
    bodies = [
        "第一条：写得好",
        "第二条：广告",
        "第三条：垃圾",
        "第四条：先过后撤",
        "第五条：也不错",
    ]
    comments = []
    for body in bodies:
        comment = make_comment(article, body=body, nickname="读者")
        comment.refresh_renderings()
        comment.save()
        comments.append(comment)
    return comments


def card(page, comment):
    return page.locator(f"#card-{comment.pk}")


def test_a_moderator_clears_the_queue_by_keyboard_and_readers_see_the_result(
    open_page, article, moderator
):
    first, second, third, fourth, fifth = five_comments(article)
    mod = open_page()
    log_in(mod, moderator.username, "pw", then=DESK)
    expect(mod.locator("#pending-count")).to_have_text("5")
    expect(mod.locator(".desk-keys")).to_contain_text("撤销")  # the hint lists the keys
    expect(card(mod, first)).to_have_class(re.compile("is-current"))

    mod.keyboard.press("a")
    expect(card(mod, first).locator(".desk-status")).to_have_text("已通过")
    expect(card(mod, second)).to_have_class(re.compile("is-current"))
    mod.keyboard.press("r")
    expect(card(mod, second).locator(".desk-reject fieldset")).to_be_visible()
    mod.keyboard.press("1")  # 广告
    expect(card(mod, second).locator(".desk-status")).to_have_text("已拒绝")
    mod.keyboard.press("s")
    expect(card(mod, third).locator(".desk-status")).to_have_text("垃圾信息")
    mod.keyboard.press("a")
    expect(card(mod, fourth).locator(".desk-status")).to_have_text("已通过")
    expect(mod.locator("#desk-undo")).to_contain_text("已通过")
    mod.keyboard.press("u")  # changed my mind about the fourth
    expect(card(mod, fourth).locator(".desk-status")).to_have_text("待审核")
    expect(card(mod, fourth)).to_have_class(re.compile("is-current"))
    mod.keyboard.press("j")
    expect(card(mod, fifth)).to_have_class(re.compile("is-current"))
    mod.keyboard.press("a")
    expect(card(mod, fifth).locator(".desk-status")).to_have_text("已通过")
    expect(mod.locator("#pending-count")).to_have_text("1")

    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {
        first.body: "approved",
        second.body: "rejected",
        third.body: "spam",
        fourth.body: "pending",
        fifth.body: "approved",
    }
    log = list(Decision.objects.order_by("id").values_list("to_status", "reason", "moderator"))
    assert log == [
        ("approved", "", moderator.pk),
        ("rejected", "广告", moderator.pk),
        ("spam", "", moderator.pk),
        ("approved", "", moderator.pk),
        ("pending", "撤销", moderator.pk),
        ("approved", "", moderator.pk),
    ]

    reader = open_page(locale="zh-TW")
    reader.goto(f"/zh-tw/articles/{article.pk}/")
    comments = reader.locator("#comments")
    expect(comments).to_contain_text("第一條：寫得好")
    expect(comments).to_contain_text("第五條：也不錯")
    for hidden in ("第二條", "第三條", "第四條"):
        expect(comments).not_to_contain_text(hidden)
    expect(reader.locator(".article-meta .comment-count")).to_have_text("2")
    assert Article.objects.get(pk=article.pk).comment_count == 2


def test_without_javascript_each_button_returns_to_the_same_place_in_the_queue(
    open_page, article, moderator
):
    first, second, third = five_comments(article)[:3]
    mod = open_page(javascript=False)
    log_in(mod, moderator.username, "pw", then=DESK)
    card(mod, second).get_by_role("button", name="垃圾").click()
    expect(mod).to_have_url(re.compile(rf"{DESK}#card-{third.pk}$"))
    expect(mod.locator(".messagelist")).to_contain_text("已将 读者 的评论改为“垃圾信息”")
    expect(mod.locator("#pending-count")).to_have_text("4")

    # 拒绝 opens its reasons without a script: pick one, confirm.
    card(mod, first).locator(".desk-reject > summary").click()
    card(mod, first).get_by_label("与文章无关").check()
    card(mod, first).get_by_role("button", name="确认拒绝").click()
    expect(mod.locator(".messagelist")).to_contain_text("已拒绝")
    assert Decision.objects.get(comment=first).reason == "与文章无关"


def test_two_moderators_on_one_comment_see_each_others_decision(
    open_page, article, moderator, django_user_model
):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("zhang", password="pw", is_staff=True)
    other.groups.add(Group.objects.get(name="Moderators"))
    comment = five_comments(article)[0]
    mine = open_page()
    log_in(mine, moderator.username, "pw", then=DESK)
    Comment.objects.get(pk=comment.pk).mark_spam(by=other)  # meanwhile, on another desk

    mine.keyboard.press("a")
    conflict = card(mine, comment).locator(".desk-inline-conflict")
    expect(conflict).to_contain_text("zhang")
    expect(conflict).to_contain_text("垃圾信息")
    assert Comment.objects.get(pk=comment.pk).status == "spam"  # not overwritten
    conflict.get_by_role("button", name="仍然按我的决定").click()
    expect(card(mine, comment).locator(".desk-status")).to_have_text("已通过")
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_the_desk_on_a_phone_is_one_column_of_cards_with_thumb_size_buttons(
    open_page, article, moderator
):
    comments = five_comments(article)
    make_comment(
        article,
        body="很长的链接 https://example.com/" + "a" * 120 + " 不能把页面撑宽",
        suspected=True,
        suspicion_reasons=["链接过多（3 个）"],
    )
    phone = open_page(viewport=PHONE)
    log_in(phone, moderator.username, "pw", then=DESK)
    expect(phone.locator(".desk-card")).to_have_count(6)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    boxes = [phone.locator(".desk-card").nth(i).bounding_box() for i in range(6)]
    assert len({round(box["x"]) for box in boxes}) == 1  # one column
    assert all(box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    for name in ("通过", "拒绝", "垃圾"):
        button = card(phone, comments[0]).locator(".desk-actions").get_by_text(name).first
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 88, (name, box)
    # The search, filters and bulk actions fold away so the cards come first; opened, they and
    # the reason picker fit the screen too.
    expect(phone.locator("#searchbar")).to_be_hidden()
    phone.locator("#desk-tools > summary").click()
    expect(phone.locator("#searchbar")).to_be_visible()
    card(phone, comments[1]).locator(".desk-reject > summary").click()
    expect(card(phone, comments[1]).get_by_label("违法违规")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A thumb decides: approve the first card.
    card(phone, comments[0]).get_by_role("button", name="通过").click()
    expect(card(phone, comments[0]).locator(".desk-status")).to_have_text("已通过")
    assert Comment.objects.get(pk=comments[0].pk).status == "approved"


def reported(comment, *reasons) -> None:
    """Readers' reports as the report endpoint stores them: a row each, and the open count."""
    for n, reason in enumerate(reasons):
        Report.objects.create(comment=comment, reason=reason, reader=f"r{comment.pk}-{n}")
    Comment.objects.filter(pk=comment.pk).update(open_reports=F("open_reports") + len(reasons))


def test_reports_land_in_the_reported_queue_and_the_moderator_works_them(
    open_page, article, moderator
):
    fair, rude, answer = five_comments(article)[:3]
    for comment in (fair, rude):
        comment.approve(by=moderator)
    answer.parent, answer.reply_to = rude, rude
    answer.save(update_fields=["parent", "reply_to"])
    answer.approve(by=moderator)
    reported(fair, "other")
    reported(rude, "abuse", "abuse", "ad")

    mod = open_page()
    log_in(mod, moderator.username, "pw", then=DESK)
    mod.locator("#desk-tools").get_by_role("link", name="被举报").click()
    expect(mod.locator(".desk-card")).to_have_count(2)
    expect(mod.locator(".desk-card").first).to_have_id(f"card-{rude.pk}")  # most reported first
    expect(card(mod, rude).locator(".desk-reported")).to_have_text("被举报 ×3")
    expect(card(mod, rude).locator(".desk-reports")).to_contain_text("辱骂 ×2")
    expect(card(mod, rude).locator(".desk-reports")).to_contain_text("广告 ×1")
    expect(card(mod, fair).locator(".desk-reports")).to_contain_text("其他 ×1")

    # The fair comment stays: 驳回举报, back at its place in the queue, which it leaves.
    card(mod, fair).get_by_role("button", name="驳回举报（保留评论）").click()
    expect(mod.locator(".messagelist")).to_contain_text("已驳回举报，评论保留。")
    expect(mod.locator(".desk-card")).to_have_count(1)
    # The rude one goes: rejected for a reason, which hides its reply on the public page too.
    card(mod, rude).locator(".desk-reject > summary").click()
    card(mod, rude).get_by_label("辱骂").check()
    card(mod, rude).get_by_role("button", name="确认拒绝").click()
    expect(card(mod, rude).locator(".desk-status")).to_have_text("已拒绝")

    assert Comment.objects.get(pk=fair.pk).open_reports == 0
    assert Comment.objects.get(pk=rude.pk).status == "rejected"
    assert Decision.objects.filter(comment=fair).first().reason == "驳回举报"
    reader = open_page()
    reader.goto(f"/zh-hans/articles/{article.pk}/")
    comments = reader.locator("#comments")
    expect(comments).to_contain_text(fair.body)
    expect(comments).not_to_contain_text(rude.body)
    expect(comments).not_to_contain_text(answer.body)

    # The reply's card says its parent is no longer public.
    mod.goto(f"{DESK}?status=approved")
    expect(card(mod, answer).locator(".desk-parent")).to_contain_text(rude.body)
    expect(card(mod, answer).locator(".desk-parent-hidden")).to_have_text(
        "上级评论未公开，这条回复暂不显示。"
    )
