"""Fixtures every app's tests share, loaded as a pytest plugin (``-p library_site.testing`` in
pytest.ini): plain static files, an isolated cache, and the browser harness.

The browser harness drives Debian's Chromium (``/usr/bin/chromium``) with Playwright against
pytest-django's live server. ``playwright install`` cannot download browsers here, so the
browser is the system's; where it is missing the browser tests are skipped with the reason.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def subprocess_env(*, drop=(), **overrides) -> dict[str, str]:
    """The environment for a process a test starts (a worker, manage.py), as a server would
    have it: this process's environment without the test harness's own switches."""
    env = {key: value for key, value in os.environ.items() if key not in {ASYNC_UNSAFE, *drop}}
    env["DJANGO_SETTINGS_MODULE"] = "library_site.settings"
    env.update(overrides)
    return env


# --- processes a test starts on loopback (gunicorn, nginx, a worker) --------------------------------


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process the test starts."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(url: str, processes, seconds: float = 40) -> None:
    """Wait until ``url`` answers (any HTTP status), failing at once when a process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, f"{process.args[0]} exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a loopback URL of the test
                return
        except urllib.error.HTTPError:
            # The server answers (a 503 from /healthz: no Celery worker or beat runs in this test).
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture(autouse=True)
def _interface_language():
    """Each test starts in the default language: a request in English leaves English active in
    the thread (every real request activates its own language, so only tests notice)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Static files straight from the finders (no collectstatic in tests) and a private cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Hashing is slow on purpose; tests sign in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser is
    # open; the ORM calls that tests make meanwhile are ordinary synchronous calls, so Django's
    # async guard is lifted for as long as the browser lives (and subprocess_env drops it).
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield instance
            instance.close()
    finally:
        os.environ.pop(ASYNC_UNSAFE, None)


# The data migrations whose rows a transactional test's flush removes, and their functions.
DATA_MIGRATIONS = [
    ("library_site.accounts.migrations.0002_roles", ["create_roles"]),
    ("library_site.accounts.migrations.0004_override_blocks_right", ["grant"]),
    ("library_site.accounts.migrations.0007_charges_rights", ["grant"]),
    ("circulation.migrations.0002_back_office_view_rights", ["grant"]),
    ("circulation.migrations.0004_loans", ["seed_policies"]),
    ("catalog.migrations.0002_classification_and_defaults", ["load_classification", "create_defaults"]),
    # The leaders' right to approve the library's work plans (issue 20).
    ("reports.migrations.0011_plans_targets_staff", ["grant_approval"]),
    # The honorary titles the activities begin with: 小作家, 小蜜蜂, 小博士, 服务之星 … (issue 17).
    ("activities.migrations.0002_calendar_quiz_contests_honours", ["titles_add"]),
]


@pytest.fixture
def data_from_migrations(transactional_db):
    """The rows the data migrations made (roles, classification, rooms). A transactional test
    empties every table when it ends; the next one gets them back from the migrations."""
    from django.apps import apps

    for module_name, functions in DATA_MIGRATIONS:
        module = importlib.import_module(module_name)
        for function in functions:
            getattr(module, function)(apps, None)


@pytest.fixture
def page(browser, live_server, data_from_migrations):
    """A fresh browser context (no cookies) and page; the live server's address is
    ``page.base_url``. Screenshots go to test-artifacts/."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    yield tab
    context.close()


def browser_login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('登录'), button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state("networkidle")
