"""The portal runs on real PostgreSQL, configured from the environment, safe by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


SETUP = "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; import django; "


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter (no pytest loaded), as a server process would."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_test_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_database_has_a_utf8_ctype_so_chinese_is_searchable(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple', '江苏 GDP')::text")
        assert cursor.fetchone()[0] == "'gdp':2 '江苏':1"


def test_database_url_names_the_server_to_use():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings';"
        "from django.conf import settings; import json;"
        "d=settings.DATABASES['default'];"
        "print(json.dumps([d['ENGINE'], d['NAME'], d['HOST'], d['PORT'], d['USER']]))"
    )
    result = run_python(
        code, DEBUG="true", DATABASE_URL="postgres://news:secret@db.example:6543/newsroom"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.db.backends.postgresql",
        "newsroom",
        "db.example",
        6543,
        "news",
    ]


def test_statements_are_prepared_unless_a_pooler_needs_them_not_to_be(db):
    # This suite's own connection: psycopg binds on the server and prepares repeated statements.
    connection.ensure_connection()
    assert connection.connection.cursor_factory.__name__ == "ServerBindingCursor"
    assert connection.connection.prepare_threshold == 2
    code = (
        SETUP + "from django.conf import settings;"
        "print(settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    result = run_python(code, DEBUG="true", DB_PREPARED_STATEMENTS="false")
    assert result.returncode == 0, result.stderr
    assert "server_side_binding" not in result.stdout


def test_a_non_postgresql_database_url_is_refused():
    code = SETUP + "django.setup()"
    result = run_python(code, DEBUG="true", DATABASE_URL="mysql://u@localhost/x")
    assert result.returncode != 0
    assert "must name a PostgreSQL database" in result.stderr


def test_production_mode_refuses_to_start_without_secret_key():
    code = SETUP + "django.setup()"
    result = run_python(code, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr.strip().splitlines()[-1]


def test_check_deploy_is_silent_in_production_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "-production-like-secret-key-with-enough-entropy-123",
            "ALLOWED_HOSTS": "news.example",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_defaults_are_safe():
    assert os.environ.get("TIME_ZONE", "Asia/Shanghai") == settings.TIME_ZONE
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_without_a_traceback_when_the_database_is_down(
    client, django_db_blocker
):
    original = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1", "NAME": "nowhere"})
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_the_500_page_is_the_sites_own_static_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/zh-hans/"))
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()
