"""Comments spooled during a database outage are stored exactly once when it is back."""

import pytest
from django.core.management import call_command

from articles.models import Article
from comments import spool
from comments.guards import make_token
from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def spool_file(settings, tmp_path):
    settings.COMMENT_SPOOL = str(tmp_path / "spool" / "comments.jsonl")
    return tmp_path / "spool" / "comments.jsonl"


def spooled(article, body, **fields):
    entry = {
        "article_id": article.pk,
        "nickname": "",
        "body": body,
        "token": make_token(article.pk),
        "address": "203.0.113.5",
        "user_agent": "test",
        **fields,
    }
    spool.add(**entry)
    return entry


def test_replaying_twice_stores_each_spooled_comment_once_and_pending(article):
    first = spooled(article, "断网时写的第一条")
    spooled(article, "断网时写的第二条")
    assert spool.replay() == 2
    spool.add(**first)  # as if another worker had spooled the same form again
    assert spool.replay() == 0
    call_command("replay_comments", verbosity=0)
    stored = Comment.objects.filter(article=article)
    assert sorted(stored.values_list("body", flat=True)) == ["断网时写的第一条", "断网时写的第二条"]
    assert set(stored.values_list("status", flat=True)) == {Comment.Status.PENDING}
    assert not spool.waiting()


def test_replayed_comments_pass_the_same_guards(article):
    from comments.models import BannedWord

    BannedWord.objects.create(word="加微信")
    spooled(article, "加微信领红包")
    spool.replay()
    comment = Comment.objects.get(article=article)
    assert comment.suspected and "屏蔽词：加微信" in comment.suspicion_reasons
    assert comment.status == Comment.Status.PENDING


def test_a_comment_for_an_article_closed_meanwhile_is_not_stored(article):
    spooled(article, "文章已关闭评论")
    Article.objects.filter(pk=article.pk).update(allow_comments=False)
    assert spool.replay() == 0
    assert not Comment.objects.exists()
    assert not spool.waiting()


def test_a_spooled_comment_keeps_its_author_who_finds_it_in_my_comments(client, article):
    import json

    from django.test import Client

    from comments import commenter
    from tests.factories import comment_form

    client.post(f"/zh-hans/articles/{article.pk}/comments/", comment_form(article, body="在线"))
    key = Comment.objects.get().commenter_key
    spooled(article, "断网时写的留言", commenter_key=key)
    # A line spooled before keys were kept still replays.
    old = {"article_id": article.pk, "nickname": "", "body": "升级前入队的留言"}
    old.update(token=make_token(article.pk), address="203.0.113.5", user_agent="test")
    with open(spool.path(), "a", encoding="utf-8") as file:
        file.write(json.dumps(old, ensure_ascii=False) + "\n")
    assert spool.replay() == 2
    assert Comment.objects.get(body="断网时写的留言").commenter_key == key
    assert Comment.objects.get(body="升级前入队的留言").commenter_key == ""
    assert "断网时写的留言" in client.get("/zh-hans/my-comments/").content.decode()
    stranger = Client()
    stranger.cookies[commenter.COOKIE_NAME] = key  # unsigned: not the author
    assert "断网时写的留言" not in stranger.get("/zh-hans/my-comments/").content.decode()
