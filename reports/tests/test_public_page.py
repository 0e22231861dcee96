"""The public page for the school's screens: off (404) until the administrator switches it on,
then only the figures chosen, no reader's name unless chosen, in a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.models import Term
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role
from reports.models import TransparencySettings

from .conftest import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
URL = "/reports/public/"


def switch_on(**fields) -> TransparencySettings:
    settings = TransparencySettings.current()
    for name, value in {"enabled": True, **fields}.items():
        setattr(settings, name, value)
    settings.save()
    return settings


@pytest.fixture
def readers(months):
    """March's two most active readers, in Grade 3 Class 2 and Grade 5 Class 1."""
    li = ReaderFactory(school_class=SchoolClassFactory(grade=3, number=2), full_name="李小明")
    zhang = ReaderFactory(school_class=SchoolClassFactory(grade=5, number=1), full_name="张小红")
    from reports.models import MonthlyTopReader

    MonthlyTopReader.objects.create(
        snapshot=months["march"], rank=1, reader=li, reader_kind="student", grade=3, class_number=2, loans=19
    )
    MonthlyTopReader.objects.create(
        snapshot=months["march"],
        rank=2,
        reader=zhang,
        reader_kind="student",
        grade=5,
        class_number=1,
        loans=14,
    )
    return li, zhang


def test_the_page_is_not_found_until_it_is_switched_on(client, months):
    assert reverse("reports:public-page") == URL
    assert client.get(URL).status_code == 404
    # Not even for a signed-in administrator, unless they ask for a preview.
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"preview": "1"}).status_code == 200
    client.force_login(user_with_role(Role.LIBRARIAN))
    assert client.get(URL, {"preview": "1"}).status_code == 404
    assert TransparencySettings.objects.count() == 0  # reading the settings wrote nothing


def test_switched_on_it_shows_only_the_chosen_figures_without_signing_in(client, readers):
    switch_on(
        show_month_loans=True,
        show_month_visits=False,
        show_top_class=True,
        show_top_titles=False,
        show_term_loans=False,
        show_top_readers=False,
    )
    response = client.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-figure="month-loans"' in html and ">1234<" in html
    assert 'data-figure="top-class"' in html and "Grade 3 Class 2" in html
    assert "Statistics of Mar 2026" in html
    for hidden in ("month-visits", "top-titles", "term-loans", "top-readers"):
        assert f'data-figure="{hidden}"' not in html
    assert ">789<" not in html and "Tom &amp; Jerry" not in html
    assert '<meta http-equiv="refresh" content="300">' in html


def test_the_most_active_readers_are_shown_by_class_unless_names_are_chosen(client, readers):
    switch_on(show_top_readers=True, show_reader_names=False)
    html = client.get(URL).content.decode()
    assert 'data-figure="top-readers"' in html
    assert "A reader of Grade 3 Class 2" in html and "A reader of Grade 5 Class 1" in html
    assert "李小明" not in html and "张小红" not in html and "data-reader-name" not in html

    switch_on(show_top_readers=True, show_reader_names=True)
    html = client.get(URL).content.decode()
    assert "李小明" in html and "张小红" in html


def test_the_titles_are_escaped_and_the_term_adds_up_its_months(client, months):
    Term.objects.create(
        name="第二学期",
        starts_on=datetime.date(2026, 2, 16),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        hard_due_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    switch_on(show_top_titles=True, show_term_loans=True, refresh_minutes=2)
    html = client.get(URL).content.decode()
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in html and "<b>Tom" not in html
    assert 'data-figure="term-loans"' in html
    assert ">2234<" in html  # February 1,000 and March 1,234
    assert '<meta http-equiv="refresh" content="120">' in html


def test_no_statistics_yet_says_so(client):
    switch_on()
    html = client.get(URL).content.decode()
    assert "data-no-figures" in html


def test_the_query_count_does_not_grow_with_the_data(client, readers, django_assert_max_num_queries):
    switch_on(show_top_readers=True, show_reader_names=True, show_term_loans=True)
    Term.objects.create(
        name="第二学期",
        starts_on=datetime.date(2026, 2, 16),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        hard_due_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    with django_assert_max_num_queries(8) as small:
        client.get(URL)
    snapshot(
        datetime.date(2026, 4, 1),
        loans=9000,
        returns=1,
        active_readers=1,
        visits=1,
        new_copies=1,
        classes=[(grade, number, grade * 10 + number) for grade in range(1, 7) for number in range(1, 9)],
        titles=[(f"书{rank}", 100 - rank) for rank in range(1, 40)],
        readers=[(ReaderFactory(school_class=SchoolClassFactory()), 50 - rank) for rank in range(1, 12)],
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(URL).content.decode()
    assert ">9000<" in html


# --- the settings page --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.LEADER, Role.TEACHER, Role.STUDENT, Role.VOLUNTEER])
def test_only_the_administrator_changes_the_settings(client, role):
    client.force_login(user_with_role(role))
    url = reverse("reports:public-page-settings")
    assert client.get(url).status_code == 403
    assert client.post(url, {"enabled": "on", "refresh_minutes": 5}).status_code == 403
    assert TransparencySettings.objects.count() == 0


def test_the_administrator_switches_the_page_on_with_chosen_figures(client, months):
    administrator = user_with_role(Role.ADMINISTRATOR)
    client.force_login(administrator)
    url = reverse("reports:public-page-settings")
    page = client.get(url).content.decode()
    assert "names no reader" in page  # the privacy note

    response = client.post(
        url, {"enabled": "on", "show_top_titles": "on", "headline": "=阅读之星", "refresh_minutes": "3"}
    )

    assert response.status_code == 302
    settings = TransparencySettings.objects.get()
    assert (
        settings.enabled,
        settings.show_top_titles,
        settings.show_month_loans,
        settings.show_reader_names,
    ) == (
        True,
        True,
        False,
        False,
    )
    assert (settings.refresh_minutes, settings.updated_by) == (3, administrator)
    client.logout()
    html = client.get(URL).content.decode()
    assert (
        "=阅读之星" in html and 'data-figure="top-titles"' in html and 'data-figure="month-loans"' not in html
    )


def test_a_bad_refresh_interval_is_refused_and_changes_nothing(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.post(reverse("reports:public-page-settings"), {"enabled": "on", "refresh_minutes": "0"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1" in response.content.decode()
    assert TransparencySettings.objects.count() == 0
