"""Chromium through Playwright for the browser journeys; skipped only outside CI, and on
PostgreSQL (they run once, on SQLite)."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Chromium alone, for journeys that drive a server of their own and need no test
    database."""
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; browser tests must run in CI.")
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser(django_db_setup, request):
    # Playwright's sync API keeps an event loop running in this thread from here on. Django
    # then treats the thread as async: the ORM must be allowed, and database handles are
    # looked up per context, so the new handles need the snapshot that serialized_rollback
    # restores between browser tests.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    browser = request.getfixturevalue("chromium")
    for alias, snapshot in snapshots.items():
        connections[alias]._test_serialized_contents = snapshot
    return browser


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe():
    return Axe()


def assert_accessible(axe, page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def pytest_collection_modifyitems(config, items):
    """CI runs the suite on SQLite and again on PostgreSQL; the browser tests drive the
    same pages either way, so they run in the SQLite pass only."""
    if connections["default"].vendor != "postgresql":
        return
    skip = pytest.mark.skip(reason="the browser tests run once, on SQLite")
    for item in items:
        if str(item.path).startswith(HERE):
            item.add_marker(skip)
