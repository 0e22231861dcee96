"""The menu bar at a school's screen (1280 px) and on a phone: one row for every role in English
and in Chinese, even with a long school name and a long person's name; its drop-downs open and
are walked with the keyboard (Bootstrap's static script, no inline JS under the strict CSP); on a
phone the bar folds behind its button and the drop-downs still lead to their pages."""

from __future__ import annotations

import pytest

from circulation.models import Reader
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Alexandra Montgomery-Whitfield"


def people() -> dict[str, str]:
    """Each role's user name; the librarian and administrator have long names."""
    UserFactory(username="librarian", full_name=LONG_NAME, roles=[Role.LIBRARIAN])
    UserFactory(username="administrator", full_name=LONG_NAME, roles=[Role.ADMINISTRATOR])
    UserFactory(username="leader", full_name="张校长", roles=[Role.LEADER])
    school_class = SchoolClassFactory(grade=6, number=2)
    ReaderFactory(kind=Reader.Kind.TEACHER, number="T001", full_name="杨旭")
    ReaderFactory(number="2026030101", full_name="植宇", school_class=SchoolClassFactory(grade=3, number=1))
    ReaderFactory(
        number="2026060206", full_name="萧辉", school_class=school_class, extra_roles=(Role.VOLUNTEER,)
    )
    return {
        "librarian": "librarian",
        "administrator": "administrator",
        "leader": "leader",
        "teacher": "T001",
        "pupil": "2026030101",
        "volunteer": "2026060206",
    }


# The tops of the bar's entries (the menu and the person's own drop-down), and the bar's height.
BAR_ROWS = """() => {
  const items = [...document.querySelectorAll('#main-menu > .navbar-nav > .nav-item')];
  return {
    tops: [...new Set(items.map(li => Math.round(li.getBoundingClientRect().top)))],
    height: document.querySelector('nav.navbar').getBoundingClientRect().height,
    count: items.length,
  };
}"""


def sign_in(browser, live_server, username: str, language: str, width: int, height: int = 800):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    browser_login(page, username, PASSWORD)
    return context, page


def test_the_menu_is_one_row_at_1280_px_for_every_role_in_both_languages(
    browser, live_server, data_from_migrations, settings
):
    settings.SCHOOL_NAME = "Riverside Experimental Primary School of Haidian District"
    ARTIFACTS.mkdir(exist_ok=True)
    wrapped = []
    for role, username in people().items():
        for language in ("en", "zh-hans"):
            context, page = sign_in(browser, live_server, username, language, 1280)
            bar = page.evaluate(BAR_ROWS)
            assert bar["count"] >= 3, (role, language, bar)
            if len(bar["tops"]) != 1 or bar["height"] > 70:
                wrapped.append((role, language, bar))
                page.screenshot(path=str(ARTIFACTS / f"menu-wrapped-{role}-{language}.png"))
            context.close()
    assert not wrapped, wrapped


def test_a_drop_down_opens_and_is_walked_with_the_keyboard(browser, live_server, data_from_migrations):
    people()
    context, page = sign_in(browser, live_server, "librarian", "en", 1280)
    toggle = page.locator("nav [data-menu=circulation] > a")
    assert toggle.inner_text().strip() == "Circulation"
    desk_link = page.locator("nav [data-menu=desk] a")
    assert not desk_link.is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-menu=circulation] .dropdown-menu.show')")
    assert desk_link.is_visible()
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('[data-menu=desk]')"
    )
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => document.activeElement && !document.activeElement.closest('[data-menu=desk]')"
        " && document.activeElement.classList.contains('dropdown-item')"
    )
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('[data-menu=circulation] .dropdown-menu.show')")
    assert not desk_link.is_visible()
    # Enter on an entry follows it.
    toggle.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/circulation/desk/") or page.locator("h1").inner_text() == "Circulation desk"
    context.close()


def test_on_a_phone_the_menu_folds_and_its_drop_downs_lead_to_their_pages(
    browser, live_server, data_from_migrations
):
    people()
    context, page = sign_in(browser, live_server, "2026030101", "zh-hans", 390, 844)
    menu = page.locator("#main-menu")
    assert not menu.is_visible()
    page.click("nav .navbar-toggler")
    page.wait_for_function("() => document.querySelector('#main-menu').classList.contains('show')")
    # The icons show again in the folded menu.
    assert page.locator("nav [data-menu=activities] > a .bi").is_visible()
    page.click("nav [data-menu=activities] > a")
    notes = page.locator("nav [data-menu=my-notes] a")
    notes.wait_for(state="visible")
    page.screenshot(path=str(ARTIFACTS / "menu-phone-pupil.png"))
    notes.click()
    page.wait_for_load_state("networkidle")
    assert "/notes/" in page.url
    context.close()
