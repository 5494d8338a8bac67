import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.fixtures import _set_suffix_to_test_databases


def pytest_configure(config):
    # Test speed-ups and plain-http test client; production behaviour is tested by subprocess.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.HTTPS = False
    settings.COMMENT_MIN_SECONDS = 0
    # Photos uploaded or drawn by tests (load_demo) go to a directory of this run, not var/media.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
    # Pages render without a collectstatic run; the manifest is tested through `make run`.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # One process, one cache: the live server thread and the test share it; tests that need the
    # shared cache across processes (Redis, PostgreSQL) configure it themselves.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
        "counters": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "c"},
    }


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """TEST_DB_SUFFIX lets several suites share one server without sharing a test database."""
    suffix = os.environ.get("TEST_DB_SUFFIX")
    if suffix:
        _set_suffix_to_test_databases(suffix)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Empty shared caches."""
    from django.core.cache import caches

    for alias in ("default", "counters"):
        caches[alias].clear()
    yield
    for alias in ("default", "counters"):
        caches[alias].clear()


@pytest.fixture
def category(db):
    from tests.factories import make_category

    return make_category()


@pytest.fixture
def article(category):
    from tests.factories import make_article

    return make_article(category=category)


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """What `load_demo` writes, captured once per run (tests/snapshots.py)."""
    from django.core.management import call_command

    from articles.models import GlossaryTerm
    from tests.snapshots import RowSnapshot

    snapshot = RowSnapshot(
        lambda: call_command("load_demo", verbosity=0),
        inputs=lambda: GlossaryTerm.objects.as_glossary().terms,
    )
    with django_db_blocker.unblock():
        snapshot.capture()
    return snapshot


REFERENCE_TITLE = "江苏省党政代表团到广东考察交流"


@pytest.fixture
def reference_article(db, demo_snapshot):
    """The reference article, loaded the way `make run` loads it (a copy of its rows)."""
    from articles.models import Article

    demo_snapshot.restore()
    return Article.objects.get(title__startswith=REFERENCE_TITLE)


@pytest.fixture(scope="module")
def committed_demo(demo_snapshot, django_db_blocker):
    """The demo newsroom committed for a module's tests, removed afterwards; the reference
    article."""
    from articles.models import Article, Category
    from articles.photos import Photo

    with django_db_blocker.unblock():
        # Articles first: they refer to categories and photos.
        models = (Article, Category, Photo)
        before = {model: set(model.objects.values_list("pk", flat=True)) for model in models}
        demo_snapshot.restore()
        yield Article.objects.get(title__startswith=REFERENCE_TITLE)
        for model, kept in before.items():
            model.objects.exclude(pk__in=kept).delete()


@pytest.fixture
def editor(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("mod", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def fast_test_client(settings):
    """Opt-in speed-up: WhiteNoise looks static files up per request instead of scanning
    STATIC_ROOT whenever a test Client builds its handler (~40 ms a Client after collectstatic)."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def server_dir():
    """A directory for an embedded PostgreSQL of a test's own. Not under pytest's tmp_path: as
    root, pgserver runs the server as its own user, which must traverse the path, and every
    pytest session resets its base directory to mode 0700."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="portal-test-pg-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def prepared_site():
    """Name of a database set up once per run as `make run` sets one up (migrations, cache
    table, demo content, static files: ~17 s of manage.py runs). Modules that serve a site copy it
    (``sibling_database_url(name, template=prepared_site)``, well under a second)."""
    import secrets

    from tests.servers import drop_database, prepare_site, production_env, sibling_database_url

    name = f"portal_prepared_{secrets.token_hex(3)}"
    try:
        prepare_site(production_env(sibling_database_url(name)))
        yield name
    finally:
        drop_database(name)
