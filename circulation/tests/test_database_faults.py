"""The database's connection cut in the middle of a checkout (issue 13, point 17): the desk
runs in a real gunicorn, keeping its connection between requests as in production
(CONN_MAX_AGE), and PostgreSQL's ``pg_terminate_backend`` ends that connection while the
checkout's transaction has changed the copy and not yet written the loan. The scan fails; the
next scan lends the book; nothing of the cut-off checkout remains. Nothing is mocked.

The checkout is held at that point by the test's own transaction holding the loans table in
EXCLUSIVE mode (the copy's update and its status change go through; the loan's INSERT waits).
"""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.db import connection

from catalog.models import Copy, CopyStatusChange
from circulation.models import DeskAction, Loan
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import database_url, free_port, subprocess_env, wait_for

from .factories import ReaderFactory, copies_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="pg_terminate_backend cuts a database server's connection; SQLite runs inside the "
        "process and has no connection to cut",
    ),
]


class Desk:
    """A librarian's browser at the desk: its own cookies, the page's CSRF token, htmx posts."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""

    def sign_in(self, username: str) -> None:
        page = self.opener.open(f"{self.base}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        ).encode()
        self.opener.open(urllib.request.Request(f"{self.base}/accounts/login/", data=data), timeout=30)  # noqa: S310 - the test's loopback gunicorn
        page = self.opener.open(f"{self.base}/circulation/desk/", timeout=30).read().decode()
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

    def scan(self, code: str) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - the test's loopback gunicorn
            f"{self.base}/circulation/desk/scan/",
            data=urllib.parse.urlencode({"code": code, "mode": "lend"}).encode(),
            headers={
                "HX-Request": "true",
                "X-CSRFToken": self.token,
                "Referer": f"{self.base}/circulation/desk/",
            },
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


@pytest.fixture
def site(tmp_path, data_from_migrations):
    """gunicorn with one worker (so both scans use the one connection that is cut)."""
    port = free_port()
    env = subprocess_env(
        DATABASE_URL=database_url(),
        LIBRARY_VAR_DIR=str(tmp_path / "var"),
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="true",  # static files from the source folders: no collectstatic here
        SECRET_KEY="test-database-faults",
    )
    logs = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "library_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", [gunicorn], seconds=90)
        yield base, tmp_path / "gunicorn.log"
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        logs.close()


def test_a_connection_cut_in_the_middle_of_a_checkout_leaves_no_half_loan_and_the_next_scan_lends(
    settings, site
):
    import psycopg2

    # Hashed as gunicorn's settings check them (the tests' own hasher is a fast one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    base, log = site
    UserFactory(roles=[Role.LIBRARIAN], username="deskfault")
    pupil = ReaderFactory(full_name="李四", card_number="R0000777")
    (copy,) = copies_of("城南旧事")
    desk = Desk(base)
    desk.sign_in("deskfault")
    status, page = desk.scan("R0000777")
    assert status == 200 and 'data-outcome="reader"' in page, page

    db = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=db["NAME"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
    )
    answer: dict = {}
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE circulation_loan IN EXCLUSIVE MODE")
        scanning = threading.Thread(target=lambda: answer.update(first=desk.scan(copy.barcode)))
        scanning.start()
        # The checkout's transaction has updated the copy and waits to insert the loan.
        pid = None
        deadline = time.monotonic() + 60
        while pid is None and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"circulation_loan\"%%'"
                )
                row = cursor.fetchone()
            pid = row[0] if row else None
            if pid is None:
                time.sleep(0.1)
        assert pid is not None, log.read_text()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
        scanning.join(timeout=60)
    finally:
        blocker.rollback()
        blocker.close()
    status, page = answer["first"]
    assert status == 500, page  # the scan failed with the connection; the desk says so and nothing was lent
    copy.refresh_from_db()
    assert copy.status == Copy.Status.AVAILABLE
    assert not Loan.objects.exists()
    assert not DeskAction.objects.filter(action=DeskAction.Action.CHECKOUT).exists()
    assert not CopyStatusChange.objects.filter(copy=copy, to_status=Copy.Status.ON_LOAN).exists()

    # The same worker, a new connection: the next scan lends the book, once.
    status, page = desk.scan(copy.barcode)
    assert status == 200 and 'data-outcome="done"' in page and "城南旧事" in page, page
    loan = Loan.objects.get()
    copy.refresh_from_db()
    assert (loan.copy_id, loan.reader_id, loan.state, copy.status) == (
        copy.pk,
        pupil.pk,
        Loan.State.OPEN,
        Copy.Status.ON_LOAN,
    )
    assert DeskAction.objects.filter(action=DeskAction.Action.CHECKOUT, loan=loan).count() == 1
