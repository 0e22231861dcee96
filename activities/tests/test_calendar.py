"""The activity calendar: the states table, the months without a themed activity flagged in
advance and afterwards, the targets board's selector, the published results, and the command."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from ..exceptions import ActivityRefused
from ..models import Activity
from ..selectors.calendar import calendar_months, calendar_year, school_year_activity_counts
from ..services.calendar import activity_create, activity_move, plan_set
from ..states import ACTIVITY_STATES
from .factories import activity, librarian, pupil, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """The refusals and pages in English, as the assertions read them (Chinese is the default)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)


TODAY = date(2026, 12, 10)


def test_every_move_not_in_the_table_is_refused():
    staff = librarian()
    for source, target in ACTIVITY_STATES.refused_moves():
        item = activity("reader", state=source)
        with pytest.raises(ActivityRefused):
            activity_move(activity=item, to=target, by=staff, results="结果")
        item.refresh_from_db()
        assert item.state == source


def test_publishing_needs_results_and_records_who_and_when():
    staff = librarian()
    item = activity("reader", state=Activity.State.JUDGING)
    with pytest.raises(ActivityRefused, match="Write the results"):
        activity_move(activity=item, to=Activity.State.PUBLISHED, by=staff)
    activity_move(activity=item, to=Activity.State.PUBLISHED, by=staff, results="一等奖：三年级(1)班")
    item.refresh_from_db()
    assert item.state == Activity.State.PUBLISHED and item.published_by == staff and item.published_at


def test_a_teacher_cannot_plan_an_activity():
    with pytest.raises(ActivityRefused):
        activity_create(kind="themed", title="读书月", starts_on=TODAY, ends_on=TODAY, by=teacher().user)
    assert not Activity.objects.exists()


def test_months_without_a_themed_activity_are_flagged_before_and_after():
    staff = librarian()
    plan_set(school_year=2026, reader_activities=2, themed_months="9,10,11,12,1", by=staff)
    activity("themed", starts_on=date(2026, 9, 5), state=Activity.State.CLOSED)
    # October: planned but never held (still "planned" after the month) → flagged afterwards.
    activity("themed", starts_on=date(2026, 10, 5), state=Activity.State.PLANNED)
    activity("themed", starts_on=date(2026, 11, 5), state=Activity.State.OPEN)
    # December (under way) has one planned: not flagged yet; January has none: flagged in advance.
    activity("themed", starts_on=date(2026, 12, 20), state=Activity.State.PLANNED)
    activity("essay", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), state=Activity.State.PUBLISHED)
    data = calendar_year(2026, today=TODAY)
    assert data["flagged_months"] == [date(2026, 10, 1), date(2027, 1, 1)]
    counts = school_year_activity_counts(2026, today=TODAY)
    assert counts["reader_activities_held"] == 1
    assert counts["reader_activities_target"] == 2
    assert counts["months_without_themed"] == [date(2026, 10, 1), date(2027, 1, 1)]
    assert counts["months_with_themed"] == [date(2026, 9, 1), date(2026, 11, 1), date(2026, 12, 1)]
    # The targets board's lighter read flags the same months, in two queries.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        months = calendar_months(2026, today=TODAY)
    assert [line.month for line in months if line.flagged] == data["flagged_months"]
    assert len(queries.captured_queries) == 2


def test_the_calendar_page_flags_the_month_and_pupils_cannot_see_it(client, django_assert_max_num_queries):
    staff = librarian()
    activity("themed", starts_on=date(2026, 9, 5))
    client.force_login(staff)
    url = reverse("activities:calendar-year", args=[2026])
    page = client.get(url).content.decode()
    assert 'data-month="2026-10" data-flagged' in page
    for index in range(10):
        activity("reader", starts_on=date(2026, 9, 1 + index))
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    client.force_login(pupil().user)
    assert client.get(url).status_code == 403


def test_the_published_results_show_on_the_schools_page(client):
    staff = librarian()
    item = activity("reader", state=Activity.State.JUDGING, title="读书征文")
    activity_move(activity=item, to=Activity.State.PUBLISHED, by=staff, results="一等奖：林小雨")
    client.force_login(pupil().user)
    page = client.get(reverse("activities:results-board")).content.decode()
    assert "读书征文" in page and "一等奖：林小雨" in page


def test_the_calendar_command_writes_the_year_and_its_missing_months(tmp_path, capsys):
    activity("themed", starts_on=date(2026, 9, 5), title="九月主题", state=Activity.State.CLOSED)
    out = tmp_path / "calendar.xlsx"
    call_command("activities_calendar", "2026", "--out", str(out))
    assert "months without a themed activity: 2026-10" in capsys.readouterr().out
    workbook = load_workbook(out)
    assert workbook.worksheets[0]["B2"].value == "九月主题"
    months = {row[0].value: row[3].value for row in workbook.worksheets[1].iter_rows(min_row=2)}
    assert months["Oct 2026"] == "missing"
