"""The Content-Security-Policy refuses inline scripts, and the pages still work under it: a
real Chromium reports every refusal on its console (issue 13, point 16)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_main_pages_run_under_the_policy_without_a_refusal(page):
    refusals = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "Content Security Policy" in message.text else None,
    )
    UserFactory(username="wangadmin", roles=[Role.ADMINISTRATOR])
    reader = ReaderFactory(
        full_name="林小雨", card_number="R0000123", school_class=SchoolClassFactory(grade=3, number=2)
    )
    # Five wrong passwords for the pupil, as the sign-in records them.
    AccessAttempt.objects.create(
        username=reader.user.username,
        ip_address="203.0.113.9",
        user_agent="Chromium",
        failures_since_start=5,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    browser_login(page, "wangadmin", PASSWORD)
    response = page.request.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The desk: a scan answers in place (htmx and library.js run).
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    page.keyboard.type("R0000123")
    page.keyboard.press("Enter")
    page.locator("#reader-panel [data-reader]").wait_for()
    # The reader list's filter fields get their classes from library.js, not an inline script.
    page.goto(reverse("circulation:reader-list"))
    page.wait_for_load_state("networkidle")
    assert "form-select" in page.locator("form[data-form-controls] select").first.get_attribute("class")
    page.goto(reverse("reports:statistics"))
    page.wait_for_load_state("networkidle")
    page.goto(reverse("accounts:login-lockouts"))
    page.wait_for_load_state("networkidle")
    assert "林小雨" in page.locator("[data-lockouts=accounts]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "login-lockouts-zh.png"), full_page=True)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Paused sign-ins"
    page.screenshot(path=str(ARTIFACTS / "login-lockouts-en.png"), full_page=True)
    page.click("[data-lockouts=accounts] button:has-text('Lift the pause')")
    page.wait_for_load_state("networkidle")
    assert "Sign-in is possible again" in page.locator(".alert").first.inner_text()
    assert page.locator("[data-lockouts=accounts]").count() == 0
    # An inline script injected into the page is refused: the policy is enforced.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert len(refusals) == 1, refusals
    assert "inline script" in refusals[0]
