"""Browser journeys: one Chromium for them all, a fresh browser context (own cookies) per reader.

The pages run on pytest-django's live server (a thread of this process, on a free port) against
the real PostgreSQL test database. When a test fails, every page it opened is saved under
test-artifacts/ as a screenshot and as HTML.
"""

import re
from pathlib import Path

import pytest

from tests.e2e.browser import DESKTOP, launch

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_pages_key = pytest.StashKey[list]()


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """One Chromium for all the journeys (this package: pytest-django runs them one after another).

    Sync Playwright keeps an asyncio loop running in this thread for as long as it lives, which
    has two effects on Django, both undone when the package is done:

    - Django refuses ORM calls here (SynchronousOnlyOperation). The tests only set up and read
      rows between page loads, so the check is switched off — only while the browser lives,
      never at import: subprocesses (``manage.py check --deploy``) would inherit it.
    - asgiref's thread-critical Local hands this thread a second set of connections (per
      context instead of per thread). They lack the migration data the test database was
      serialized with, so serialized rollback would silently stop restoring groups and
      glossary after the first test: hand it over.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = launch(playwright)
        yield browser
        browser.close()
        connections.close_all()  # the second set, before the test database is dropped


@pytest.fixture
def open_page(request, browser, live_server):
    """``open_page(locale="zh-TW")``: a new reader (own cookies) with a page on the live server."""
    contexts = []
    pages = request.node.stash.setdefault(_pages_key, [])

    def open_page(locale="zh-CN", viewport=DESKTOP, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport=viewport,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A reader whose browser asks for Simplified Chinese."""
    return open_page()


@pytest.fixture
def demo(reference_article):
    """The demo content `make run` loads; the reference article is its first article."""
    return reference_article


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in ("setup", "call"):
        save_artifacts(item)
    return report


def save_artifacts(item):
    """A screenshot and the HTML of every page the failed test opened."""
    pages = item.stash.get(_pages_key, [])
    if not pages:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])
    for n, page in enumerate(pages, 1):
        if page.is_closed():
            continue
        stem = ARTIFACTS / f"{name}-{n}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # a crashed page must not hide the test's own failure
            Path(f"{stem}.txt").write_text(f"could not save the page: {error}\n")
