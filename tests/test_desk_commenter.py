"""Commenters without accounts: a pseudonymous key in a signed cookie and the address block
(IPv6 by /64); blocks on either send new comments straight to spam — kept, never shown."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.commenter import COOKIE_NAME, address_block
from comments.models import Block, Comment, Decision
from tests.factories import article_url, comment_form, comment_url, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

DESK = "/admin/comments/comment/"


@pytest.mark.parametrize(
    "ip, block",
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("", ""),
        (None, ""),
        ("not an address", ""),
        ("203.0.113.5/24", ""),
    ],
)
def test_an_address_counts_by_its_block(ip, block):
    assert address_block(ip) == block


def post(client, article, address="203.0.113.5", **fields):
    return client.post(comment_url(article), comment_form(article, **fields), REMOTE_ADDR=address)


def test_posting_gives_the_browser_a_key_and_stores_it_with_the_address_block(client, article):
    response = post(client, article, address="2001:db8:7:8::42", body="第一条")
    assert response.status_code == 302
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["max-age"] >= 365 * 24 * 3600
    first = Comment.objects.get()
    assert len(first.commenter_key) >= 12
    assert first.address_block == "2001:db8:7:8::/64"
    assert first.commenter_key not in cookie.value.split(":")[1:]  # signed, not bare

    post(client, article, address="198.51.100.9", body="第二条")
    second = Comment.objects.latest("id")
    assert second.commenter_key == first.commenter_key  # the same browser
    assert second.address_block == "198.51.100.9"

    other = Client()
    post(other, article, address="198.51.100.9", body="别人的")
    assert Comment.objects.latest("id").commenter_key != first.commenter_key


def test_a_forged_key_cookie_is_replaced(client, article):
    client.cookies[COOKIE_NAME] = "chosen-by-me:forged"
    post(client, article)
    assert Comment.objects.get().commenter_key != "chosen-by-me"


def test_comments_are_rendered_for_the_desk_when_posted_but_stay_hidden(client, article):
    post(client, article, body="软件")
    comment = Comment.objects.get()
    assert comment.body_variants["zh-tw"] == "軟體"
    assert comment.status == "pending"
    assertNotContains(Client().get(article_url(article)), "軟體")


# --- blocks ---------------------------------------------------------------------------------------


def block(kind, value, moderator, **fields):
    return Block.objects.create(kind=kind, value=value, created_by=moderator, **fields)


def test_a_blocked_commenters_new_comment_is_stored_as_spam_and_never_shown(
    client, article, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENT_NOTIFY_EMAILS = ["mod@example.com"]
    post(client, article, body="屏蔽前")
    key = Comment.objects.get().commenter_key
    block(Block.Kind.KEY, key, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, article, address="198.51.100.200", body="屏蔽后的广告")
    assert response.status_code == 302  # told nothing different
    blocked = Comment.objects.get(body="屏蔽后的广告")
    assert blocked.status == "spam"
    decision = Decision.objects.get(comment=blocked)
    assert (decision.moderator, decision.from_status, decision.to_status) == (
        None,
        "pending",
        "spam",
    )
    assert decision.reason == "已屏蔽的评论者"
    assert mailoutbox == []  # nothing to moderate
    for variant in ("zh-hans", "zh-tw"):
        assertNotContains(Client().get(article_url(article, variant)), "屏蔽后的广告")
    assert Article.objects.get(pk=article.pk).comment_count == 0
    assert Comment.objects.pending().count() == 1


def test_an_ipv6_block_covers_the_whole_64(client, article, moderator):
    block(Block.Kind.ADDRESS, "2001:db8:5:6::/64", moderator)
    post(client, article, address="2001:db8:5:6:ffff:1:2:3", body="同一段")
    post(Client(), article, address="2001:db8:5:7::1", body="另一段")
    assert Comment.objects.get(body="同一段").status == "spam"
    assert Comment.objects.get(body="另一段").status == "pending"


def test_expired_and_lifted_blocks_no_longer_apply(client, article, moderator):
    block(
        Block.Kind.ADDRESS, "203.0.113.5", moderator, until=timezone.now() - dt.timedelta(hours=1)
    )
    lifted = block(Block.Kind.ADDRESS, "203.0.113.5", moderator)
    lifted.lift(by=moderator)
    post(client, article, body="解除之后")
    assert Comment.objects.get().status == "pending"
    assert Block.objects.count() == 2  # lifting keeps the record


def test_a_block_until_a_date_ends_by_itself(client, article, moderator):
    block(Block.Kind.ADDRESS, "203.0.113.5", moderator, until=timezone.now() + dt.timedelta(days=1))
    post(client, article, body="期间")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        post(Client(), article, body="到期后")
    assert Comment.objects.get(body="期间").status == "spam"
    assert Comment.objects.get(body="到期后").status == "pending"


@pytest.mark.parametrize("kind, days", [("key", "7"), ("address", ""), ("address", "1")])
def test_a_moderator_blocks_from_the_card(moderator, article, kind, days):
    comment = make_comment(article, commenter_key="reader-key-42", ip_address="2001:db8:9::1")
    client = Client()
    client.force_login(moderator)
    response = client.post(f"{DESK}{comment.pk}/block/", {"kind": kind, "days": days, "next": DESK})
    assert response["Location"] == f"{DESK}#card-{comment.pk}"
    made = Block.objects.get()
    assert made.value == {"key": "reader-key-42", "address": "2001:db8:9::/64"}[kind]
    assert made.created_by == moderator
    if days:
        assert made.until - timezone.now() == pytest.approx(
            dt.timedelta(days=int(days)), abs=dt.timedelta(minutes=1)
        )
    else:
        assert made.until is None
    assert Comment.objects.get().status == "pending"  # blocking decides nothing by itself
    assertContains(client.get(DESK), "已屏蔽")


def test_blocking_needs_something_to_block(moderator, article):
    comment = make_comment(article)  # no key, no address
    client = Client()
    client.force_login(moderator)
    response = client.post(
        f"{DESK}{comment.pk}/block/", {"kind": "key", "days": "7"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert not Block.objects.exists()


def test_blocks_are_listed_and_lifted_in_the_admin(moderator):
    active = block(Block.Kind.KEY, "reader-key-1", moderator)
    block(Block.Kind.KEY, "reader-key-2", moderator, until=timezone.now() - dt.timedelta(days=1))
    client = Client()
    client.force_login(moderator)
    listed = client.get("/admin/comments/block/", {"active": "yes"})
    assert [b.value for b in listed.context["cl"].result_list] == ["reader-key-1"]
    client.post("/admin/comments/block/", {"action": "lift", "_selected_action": [active.pk]})
    active.refresh_from_db()
    assert active.lifted_by == moderator and active.lifted_at is not None
    assert client.get(f"/admin/comments/block/{active.pk}/delete/").status_code == 403
