"""Headers and cookie flags (issue 13, points 9 and 16): the Content-Security-Policy on every
page, the language cookie's flags, Secure cookies everywhere when the site is served over HTTPS."""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from library_site.testing import subprocess_env

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["accounts:login", "catalog:opac", "healthz", "javascript-catalog"])
def test_every_response_carries_the_policy(client, url_name):
    policy = client.get(reverse(url_name))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


def test_the_language_cookie_is_samesite_and_hidden_from_scripts(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert not cookie["secure"]  # plain HTTP in tests: a Secure cookie would never come back


def test_over_https_every_cookie_is_secure(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SAMESITE, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE]))"
    )
    env = subprocess_env(
        drop={"DATABASE_URL", "REDIS_URL", "DEBUG"}, LIBRARY_VAR_DIR=str(tmp_path), HTTPS="true"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, True, "Lax", "Lax", "Lax"]
