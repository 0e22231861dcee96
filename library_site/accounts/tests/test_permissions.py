"""Each role reaches what it should and is refused (403, not 500) what it should not.

The table below is the permission matrix of README.md, page by page."""

import pytest
from django.urls import reverse

from circulation.tests.factories import ReaderFactory
from library_site.accounts.navigation import menu_keys
from library_site.accounts.roles import Role

from .factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "librarian", "leader", "volunteer", "teacher", "student"]
OK, NO = 200, 403
PAGES = {
    #                          admin librarian leader volunteer teacher student
    "home": (OK, OK, OK, OK, OK, OK),
    "circulation:desk": (OK, OK, NO, OK, NO, NO),
    "circulation:my-library": (OK, OK, OK, OK, OK, OK),
    "circulation:desk-pile": (OK, OK, NO, OK, NO, NO),
    "circulation:class-sets": (OK, OK, NO, OK, NO, NO),
    "circulation:policies": (OK, NO, NO, NO, NO, NO),
    "circulation:policy-create": (OK, NO, NO, NO, NO, NO),
    "circulation:policy-settings": (OK, NO, NO, NO, NO, NO),
    "circulation:closed-create": (OK, NO, NO, NO, NO, NO),
    "circulation:term-create": (OK, NO, NO, NO, NO, NO),
    "circulation:class-list": (OK, OK, NO, NO, NO, NO),
    "circulation:reader-list": (OK, OK, NO, NO, NO, NO),
    "circulation:reader-create": (OK, OK, NO, NO, NO, NO),
    "circulation:roster-upload": (OK, OK, NO, NO, NO, NO),
    "circulation:roster-template": (OK, OK, NO, NO, NO, NO),
    "circulation:promotion": (OK, OK, NO, NO, NO, NO),
    "circulation:room-list": (OK, OK, NO, NO, NO, NO),
    "accounts:password-change": (OK, OK, OK, OK, OK, OK),
    "accounts:role-matrix": (OK, NO, NO, NO, NO, NO),
    "accounts:login-lockouts": (OK, OK, NO, NO, NO, NO),
    "system:status": (OK, NO, NO, NO, NO, NO),
    "system:status-panel": (OK, NO, NO, NO, NO, NO),
    "catalog:purchase-plans": (OK, OK, OK, NO, NO, NO),
    "catalog:purchase-plan-create": (OK, OK, NO, NO, NO, NO),
    "catalog:donation-create": (OK, OK, NO, NO, NO, NO),
    "catalog:acquisition-registers": (OK, OK, NO, NO, NO, NO),
    "reports:statistics": (OK, OK, OK, NO, NO, NO),
}


def make_user(role: str):
    if role == "student":
        return ReaderFactory().user
    if role == "volunteer":
        return ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user
    if role == "teacher":
        return ReaderFactory(kind="teacher", school_class=None).user
    return UserFactory(roles=[Role(role)])


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_its_pages_and_is_refused_the_others(client, role):
    client.force_login(make_user(role))
    column = ROLES.index(role)
    for url_name, expected in PAGES.items():
        response = client.get(reverse(url_name))
        assert response.status_code == expected[column], f"{role} → {url_name}"
        if expected[column] == NO:
            assert "您的账号无权打开此页面" in response.content.decode()


@pytest.mark.parametrize("url_name", list(PAGES))
def test_anonymous_visitors_are_sent_to_the_login_page(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("role", "expected"), [("administrator", 200), ("librarian", 200), ("teacher", 302), ("student", 302)]
)
def test_only_staff_roles_enter_the_back_office(client, role, expected):
    client.force_login(make_user(role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == expected


# The library's management (issue 20): everyone who reads the statistics sees these pages.
MANAGEMENT_PAGES = (
    "plans",
    "targets-board",
    "compliance",
    "equipment",
    "safety",
    "staff",
    "study-sessions",
    "term-summary",
)


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_shows_each_role_its_own_entries(client, role):
    client.force_login(make_user(role))
    menu = menu_keys(client.get(reverse("home")).context["menu"])
    expected = {
        "administrator": {
            "opac",
            "desk",
            "school",
            "cataloguing",
            "acquisitions",
            "serials",
            "textbooks",
            "collection-care",
            "catalog-settings",
            "policies",
            "roles",
            "login-lockouts",
            "system-status",
            "system-jobs",
            "back-office",
            "statistics",
            "registers",
            "leaders-report",
            *MANAGEMENT_PAGES,
            "criteria",
            "public-page-settings",
            "review",
            "selection",
            "notes-rules",
            "class-reviewers",
            "cash-list",
            "corners",  # issue 18: class book corners, the service team and its criteria
            "team",
            "team-criteria",
            "issue-reservations-desk",
            "room-timetables",
        },
        "librarian": {
            "opac",
            "desk",
            "school",
            "cataloguing",
            "acquisitions",
            "serials",
            "textbooks",
            "collection-care",
            "login-lockouts",
            "back-office",
            "statistics",
            "leaders-report",
            *MANAGEMENT_PAGES,
            "review",
            "selection",
            "class-reviewers",
            "cash-list",
            "corners",
            "team",
            "issue-reservations-desk",
            "room-timetables",
        },
        "leader": {"opac", "acquisitions", "statistics", "leaders-report", *MANAGEMENT_PAGES},
        "volunteer": {"opac", "desk", "my-library", "my-notes", "cash-list", "issue-reservations-desk"},
        "teacher": {"opac", "review", "issue-reservations-mine"},  # their home page is their own library page
        "student": {"opac", "my-notes"},
    }[role]
    # The reading activities and the readers' voice (issues 17 and 19) and the move from the old
    # system (issue 15).
    expected |= {
        "administrator": {
            *("activity-calendar", "quizzes", "contests", "honour-roll"),
            *("bulletin", "bulletin-manage", "reading-lists", "picks", "reviews"),
            *("surveys-manage", "suggestions-manage", "promotion-settings", "old-system"),
        },
        "librarian": {
            *("activity-calendar", "quizzes", "contests", "honour-roll"),
            *("bulletin", "bulletin-manage", "reading-lists", "picks", "reviews"),
            *("surveys-manage", "suggestions-manage"),
        },
        "leader": {"bulletin", "reading-lists"},
        "volunteer": {
            "bulletin",
            "reading-lists",
            "my-quizzes",
            "my-contests",
            "my-surveys",
            "suggestion-box",
        },
        "teacher": {
            "bulletin",
            "reading-lists",
            "quizzes",
            "contests",
            "reviews",
            "my-surveys",
            "suggestion-box",
        },
        "student": {"bulletin", "reading-lists", "my-quizzes", "my-contests", "my-surveys", "suggestion-box"},
    }[role]
    assert menu == expected
