"""Sign-in through a real nginx in front of gunicorn, configured with deploy/nginx-proxy.conf as
the README's production section says (issue 13, point 10): a spoofed X-Forwarded-For does not
choose the address the throttle sees, and 30 wrong passwords lock the account whatever form of
its identifier is typed. The test starts gunicorn and nginx on free loopback ports itself;
.ci/run installs Debian's nginx, so CI never skips it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings

from circulation.tests.factories import ReaderFactory
from library_site.testing import database_url, free_port, subprocess_env, wait_for

from .factories import PASSWORD

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
pytestmark = [
    pytest.mark.nginx,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(NGINX is None, reason="no nginx: install Debian's nginx package (.ci/run does)"),
]
PROXY_CONF = Path(django_settings.BASE_DIR) / "deploy" / "nginx-proxy.conf"


@pytest.fixture
def site(tmp_path, data_from_migrations):
    """gunicorn on one free port, nginx on another in front of it; yields nginx's base URL."""
    app_port, proxy_port = free_port(), free_port()
    env = subprocess_env(
        DATABASE_URL=database_url(),
        LIBRARY_VAR_DIR=str(tmp_path / "var"),
        TRUSTED_PROXY_COUNT="1",
        ALLOWED_HOSTS="127.0.0.1",
        # Static files from the source folders: this test does not run collectstatic.
        DEBUG="true",
    )
    logs = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "library_site.wsgi",
            "--bind",
            f"127.0.0.1:{app_port}",
            "--workers",
            "2",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/nginx-error.log;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"  access_log {tmp_path}/nginx-access.log;\n"
        f"  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;\n"
        f"  server {{\n    listen 127.0.0.1:{proxy_port};\n"
        f"    location / {{\n      proxy_pass http://127.0.0.1:{app_port};\n      include {PROXY_CONF};\n    }}\n  }}\n"
        "}\n"
    )
    nginx = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp_path)], stdout=logs, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{proxy_port}"
    try:
        wait_for(f"{base}/healthz", [gunicorn, nginx])
        yield base
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
        for process in (nginx, gunicorn):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()


class Browser:
    """A client with its own cookies, as one browser through nginx."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def sign_in(self, identifier: str, password: str, *, forwarded: str | None = None) -> int:
        page = self.opener.open(f"{self.base}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": identifier, "password": password}
        ).encode()
        request = urllib.request.Request(f"{self.base}/accounts/login/", data=data)  # noqa: S310 - the loopback nginx of the test
        if forwarded:
            request.add_header("X-Forwarded-For", forwarded)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_sign_in_through_nginx_counts_the_real_client_and_the_account(site, settings):
    # Hashed as gunicorn's settings check them (the tests' own hasher is a fast one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    pupil = ReaderFactory(number="2026030105", card_number="R0000077")
    spoofed = ReaderFactory(number="2026030106", card_number="R0000078")
    target = ReaderFactory(number="2026030107", card_number="R0000079")

    # The right password signs in through nginx (a redirect to the home page).
    assert Browser(site).sign_in("2026030105", PASSWORD) == 302

    # Wrong passwords, each with a different forged X-Forwarded-For: all are counted under the
    # address nginx saw (127.0.0.1), and the account is paused for the right password too.
    answers = [
        Browser(site).sign_in("2026030106", "guess", forwarded=f"10.66.0.{attempt}")
        for attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last one allowed pauses
    assert Browser(site).sign_in("2026030106", PASSWORD, forwarded="10.66.0.99") == 429
    addresses = set(
        AccessAttempt.objects.filter(username=spoofed.user.username).values_list("ip_address", flat=True)
    )
    assert addresses == {"127.0.0.1"}

    # 30 wrong passwords under every form of one pupil's identifier lock that account.
    forms = ["2026030107", "R0000079", "r0000079", "Ｒ０００００７９", target.user.username]
    answers = [Browser(site).sign_in(forms[index % len(forms)], "guess") for index in range(30)]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(answers[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}, answers
    for identifier in forms:
        assert Browser(site).sign_in(identifier, PASSWORD) == 429, identifier
    # The pupil of the first sign-in, at the same address, is not locked out.
    assert Browser(site).sign_in("R0000077", PASSWORD) == 302
    assert pupil.user.username not in set(AccessAttempt.objects.values_list("username", flat=True))
