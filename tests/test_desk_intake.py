"""Intake control: editors pause new comments site-wide or per category — at once, every night,
or while the backlog is over a limit. Readers see a notice instead of the form; what is posted
meanwhile is refused with the text kept; nothing already posted changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from comments import intake
from comments.models import Comment, IntakeRule
from tests.factories import (
    article_url,
    comment_form,
    comment_url,
    make_article,
    make_category,
    make_comment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

FORM = 'class="comment-form"'


def local(hour, minute=0):
    """Tomorrow (local time) at ``hour``: after the test's articles were published."""
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(hour, minute), ZoneInfo(settings.TIME_ZONE))


def test_with_no_rules_comments_are_accepted(client, article):
    assert intake.pause_for(article) is None
    assertContains(client.get(article_url(article)), FORM)


def test_a_site_wide_pause_shows_a_notice_instead_of_the_form_and_refuses_posts(
    client, article, moderator
):
    make_comment(article, body="暂停前已通过", approve_by=moderator)
    IntakeRule.objects.create(paused=True)
    intake.refresh()
    for variant, notice in (("zh-hans", "暂停接收新留言"), ("zh-tw", "暫停接收新留言")):
        page = Client().get(article_url(article, variant))
        assertNotContains(page, FORM)
        assertContains(page, notice)
    assertContains(client.get(article_url(article)), "暂停前已通过")  # nothing posted changes

    response = client.post(comment_url(article), comment_form(article, body="我写了很久的留言"))
    assert response.status_code == 403
    assertContains(response, "暂停接收新留言", status_code=403)
    assertContains(response, "我写了很久的留言", status_code=403)  # the reader keeps the text
    assert Comment.objects.count() == 1


def test_a_category_pause_affects_only_that_category(client, article, moderator):
    other = make_article(category=make_category())
    IntakeRule.objects.create(category=article.category, paused=True)
    intake.refresh()
    assertNotContains(Client().get(article_url(article)), FORM)
    assertContains(Client().get(article_url(other)), FORM)
    assert client.post(comment_url(other), comment_form(other)).status_code == 302
    assert client.post(comment_url(article), comment_form(article)).status_code == 403
    assert Comment.objects.get().article == other


@pytest.mark.parametrize(
    "now, paused",
    [(local(23, 30), True), (local(3, 0), True), (local(7, 0), False), (local(12, 0), False)],
)
def test_a_nightly_pause_runs_from_evening_to_morning(article, now, paused):
    IntakeRule.objects.create(nightly_from=dt.time(23, 0), nightly_until=dt.time(7, 0))
    with time_machine.travel(now, tick=False):
        pause = intake.refresh() and intake.pause_for(article)
        assert bool(pause) == paused
        if paused:
            assertContains(Client().get(article_url(article)), "每天 23:00 至 07:00 暂停接收新留言")


def test_a_backlog_limit_pauses_and_resumes_by_itself(client, article, moderator):
    IntakeRule.objects.create(backlog_limit=2)
    waiting = [make_comment(article) for _ in range(3)]
    intake.refresh()
    page = Client().get(article_url(article))
    assertContains(page, "待审核的留言较多")
    assertNotContains(page, FORM)
    # A moderator's decision on the desk ends a pause for the backlog at once (otherwise the
    # state is recomputed within half a minute of a page being rendered).
    desk = Client()
    desk.force_login(moderator)
    desk.post(f"/admin/comments/comment/{waiting[0].pk}/decide/", {"decision": "approve"})
    assertContains(Client().get(article_url(article)), FORM)


def test_saving_a_rule_in_the_admin_takes_effect_on_cached_pages_at_once(editor, article):
    first = Client().get(article_url(article))
    assertContains(first, FORM)
    assert first["X-Page-Cache"] == "miss"
    assert Client().get(article_url(article))["X-Page-Cache"] == "hit"
    admin = Client()
    admin.force_login(editor)
    response = admin.post("/admin/comments/intakerule/add/", {"paused": "on"})
    assert response.status_code == 302
    assert IntakeRule.objects.get().updated_by == editor
    page = Client().get(article_url(article))
    assertNotContains(page, FORM)
    assertContains(page, "暂停接收新留言")

    rule = IntakeRule.objects.get()
    admin.post(f"/admin/comments/intakerule/{rule.pk}/delete/", {"post": "yes"})
    assertContains(Client().get(article_url(article)), FORM)


def test_one_site_wide_rule_and_nights_need_both_ends(editor):
    admin = Client()
    admin.force_login(editor)
    admin.post("/admin/comments/intakerule/add/", {"paused": "on"})
    second = admin.post("/admin/comments/intakerule/add/", {"backlog_limit": "10"})
    assert second.status_code == 200  # the form again, with the error
    half = admin.post("/admin/comments/intakerule/add/", {"nightly_from": "23:00"})
    assertContains(half, "要同时填写或同时留空")
    assert IntakeRule.objects.count() == 1


@pytest.mark.parametrize("role, allowed", [("editor", True), ("moderator", True)])
def test_editors_and_moderators_may_pause_intake(request, role, allowed):
    user = request.getfixturevalue(role)
    admin = Client()
    admin.force_login(user)
    response = admin.get("/admin/comments/intakerule/add/")
    assert (response.status_code == 200) == allowed


def test_the_desk_says_when_intake_is_paused(moderator, article):
    IntakeRule.objects.create(paused=True)
    desk = Client()
    desk.force_login(moderator)
    assertContains(desk.get("/admin/comments/comment/"), "新留言已暂停接收（全站）")


def test_with_the_shared_cache_down_the_rules_are_read_from_the_database(article, monkeypatch):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisDown

    IntakeRule.objects.create(paused=True)

    def down(*args, **kwargs):
        raise RedisDown("Redis is down")

    for method in ("get", "set", "get_many", "set_many"):
        monkeypatch.setattr(cache, method, down)
    assert intake.pause_for(article) == {"why": "paused"}
    assert intake.refresh() == {"site": {"why": "paused"}}
