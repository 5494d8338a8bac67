"""`manage.py backup` and `manage.py restore`: a dump restores whole into an empty database."""

import io
import re
import secrets
import subprocess
import sys

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article, Category, GlossaryTerm
from comments.models import Comment
from tests.factories import make_article, make_comment
from tests.servers import (
    ROOT,
    drop_database,
    production_env,
    server_params,
    sibling_database_url,
)

MODELS = [Category, Article, GlossaryTerm, Comment]


def rows(cursor, model) -> list[tuple]:
    cursor.execute(f'SELECT * FROM "{model._meta.db_table}" ORDER BY id')
    return cursor.fetchall()


def restore(env, file) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def empty_database():
    """(URL, psycopg parameters) of a new, empty database beside the test database."""
    name = f"portal_restore_{secrets.token_hex(3)}"
    url = sibling_database_url(name)
    try:
        yield url
    finally:
        drop_database(name)


# The dump is taken by another session, which sees only committed rows; serialized_rollback
# brings back the migrations' rows (groups, glossary) after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_articles_glossary_and_comments_in_every_status(
    tmp_path, moderator, empty_database
):
    article = make_article(title="苏粤合作新闻")
    make_article(category=article.category, status=Article.Status.DRAFT)
    GlossaryTerm.objects.create(term="苏粤合作", zh_tw="江蘇廣東合作", note="测试")
    make_comment(article, body="等待审核的评论")
    make_comment(article, approve_by=moderator, body="已通过的评论")
    make_comment(article, body="被拒绝的评论").reject(by=moderator)
    make_comment(article, body="垃圾评论 http://spam.example").mark_spam(by=moderator)
    assert set(Comment.objects.values_list("status", flat=True)) == set(Comment.Status.values)

    output = io.StringIO()
    call_command("backup", directory=tmp_path, stdout=output)
    (dump,) = tmp_path.iterdir()
    assert re.fullmatch(r"portal-\d{8}-\d{6}\.dump", dump.name)
    assert dump.stat().st_mode & 0o077 == 0  # password hashes: the owner's eyes only
    assert f"Backup written: {dump}" in output.getvalue()

    env = production_env(empty_database)
    result = restore(env, dump)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restored" in result.stdout

    test_database = connection.settings_dict["NAME"]
    with psycopg.connect(dbname=test_database, **server_params()) as original:
        expected = {model: rows(original.cursor(), model) for model in MODELS}
    with psycopg.connect(empty_database) as restored:
        for model in MODELS:
            assert rows(restored.cursor(), model) == expected[model], model.__name__
    assert len(expected[Comment]) == 4

    # A second restore into the now non-empty database is refused, and changes nothing.
    again = restore(env, dump)
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    with psycopg.connect(empty_database) as restored:
        assert rows(restored.cursor(), Comment) == expected[Comment]


def test_restore_refuses_a_file_that_is_not_a_dump(tmp_path, empty_database):
    bogus = tmp_path / "notes.dump"
    bogus.write_text("不是备份")
    result = restore(production_env(empty_database), bogus)
    assert result.returncode != 0
    assert "is not a pg_dump archive" in result.stderr
