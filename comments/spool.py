"""Comments accepted while PostgreSQL is down: spooled, then stored once when it is back.

The spool is an append-only file of JSON lines (``COMMENT_SPOOL``, under ``var/``), written
with an exclusive lock and fsync'd before the reader is told their comment was received.
``replay()`` stores each entry through ``Comment.submit`` — pending, with the same guards — and
empties the file. Storing is idempotent: an entry carries its form's token, which is unique
among comments, so two workers replaying, or one replaying twice, store it once. Replays are
tried after any request while something waits (at most every few seconds per process; see
apps.py) and by ``manage.py replay_comments``.
"""

import fcntl
import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from articles.models import Article

from .models import Comment, Duplicate

log = logging.getLogger(__name__)


def path() -> Path:
    return Path(settings.COMMENT_SPOOL)


def add(*, article_id, nickname, body, token, address, user_agent, commenter_key="") -> None:
    """Append one accepted comment, durably, before the reader is answered. With the author's
    commenter key, so blocks apply to it and its author finds it in 我的留言 once stored."""
    entry = {
        "article_id": int(article_id),
        "nickname": nickname,
        "body": body,
        "token": token,
        "address": address,
        "user_agent": user_agent[:300],
        "commenter_key": commenter_key,
        "received_at": timezone.now().isoformat(),
    }
    path().parent.mkdir(parents=True, exist_ok=True)
    with open(path(), "a", encoding="utf-8") as spool:
        fcntl.flock(spool, fcntl.LOCK_EX)
        spool.write(json.dumps(entry, ensure_ascii=False) + "\n")
        spool.flush()
        os.fsync(spool.fileno())
    log.warning("database unavailable: comment on article %s spooled", article_id)


def waiting() -> bool:
    try:
        return path().stat().st_size > 0
    except FileNotFoundError:
        return False


def count() -> int:
    with open(path(), encoding="utf-8") as spool:
        return sum(1 for line in spool if line.strip())


def replay() -> int:
    """Store every spooled comment once; return how many were stored. Stops, keeping the
    file, if the database is still unavailable."""
    if not waiting():
        return 0
    stored = 0
    with open(path(), "r+", encoding="utf-8") as spool:
        fcntl.flock(spool, fcntl.LOCK_EX)  # another worker replaying waits, then finds it empty
        for line in spool.read().splitlines():
            if line.strip():
                stored += _store(json.loads(line))
        spool.seek(0)
        spool.truncate()
    return stored


def _store(entry: dict) -> int:
    article = Article.objects.published().filter(pk=entry["article_id"]).first()
    if article is None or not article.comments_open():
        log.warning("spooled comment for article %s dropped: comments closed", entry["article_id"])
        return 0
    try:
        _, created = Comment.submit(
            article_id=article.pk,
            nickname=entry["nickname"],
            body=entry["body"],
            token=entry["token"],
            address=entry["address"],
            user_agent=entry["user_agent"],
            commenter_key=entry.get("commenter_key", ""),  # (spooled before keys were kept)
        )
    except Duplicate:
        return 0
    return int(created)


RETRY_SECONDS = 5
_last_try = [0.0]


def replay_soon(**kwargs) -> None:
    """After a request (``request_finished``): replay if anything waits and this process has
    not tried in the last few seconds; a database still down leaves the spool for next time."""
    if waiting() and time.monotonic() - _last_try[0] > RETRY_SECONDS:
        _last_try[0] = time.monotonic()
        try:
            stored = replay()
        except DatabaseError as error:
            log.warning("spooled comments kept: %s", str(error).splitlines()[0] if error else "")
        else:
            log.warning("replayed %s spooled comments", stored)
