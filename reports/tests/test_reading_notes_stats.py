"""The reading activities in the monthly statistics (issue 16, point 8): the snapshot counts the
month's notes handed in, reviewed and selected and its excerpt cards; the dashboard and the
report to leaders show them, and a month counted before they were shows "—", never 0."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import PupilWork, ReadingNote
from activities.tests.factories import CardFactory, NoteFactory, at, pupil
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports.documents.leaders import leaders_report_pdf, leaders_report_xlsx
from reports.models import MonthlySnapshot
from reports.selectors.leaders import leaders_report_for_period
from reports.selectors.periods import period_of_month
from reports.selectors.statistics import statistics_for_period
from reports.services.statistics import monthly_snapshot_compute
from reports.tests.test_leaders_report import line_with, pdf_text

pytestmark = pytest.mark.django_db
State = PupilWork.State
FEBRUARY, MARCH, APRIL = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)


def note(reader, day, state=State.SUBMITTED, **fields):
    return NoteFactory(reader=reader, record=None, state=state, submitted_at=at(day), **fields)


@pytest.fixture
def counted():
    """February counted before the snapshot knew notes (its notes unknown); March and April
    counted by the monthly job from notes and cards made here."""
    MonthlySnapshot.objects.create(month=FEBRUARY, loans=10, computed_at=at(datetime.date(2026, 3, 1)))
    ann, bob = pupil(grade=3, class_number=1), pupil(grade=4, class_number=2)
    # March: 4 notes handed in (one on paper), 2 reviewed in March, 1 of them selected for March;
    # a draft and a note returned for revision do not count as handed in.
    note(ann, datetime.date(2026, 3, 2), State.REVIEWED, reviewed_at=at(datetime.date(2026, 3, 20)))
    note(
        ann,
        datetime.date(2026, 3, 3),
        State.SELECTED,
        reviewed_at=at(datetime.date(2026, 3, 21)),
        month=MARCH,
    )
    note(bob, datetime.date(2026, 3, 4), medium=ReadingNote.Medium.PAPER)
    note(bob, datetime.date(2026, 3, 31), State.RESUBMITTED)
    note(bob, datetime.date(2026, 3, 5), State.RETURNED)
    NoteFactory(reader=bob, record=None, state=State.DRAFT)
    CardFactory(reader=ann, submitted_at=at(datetime.date(2026, 3, 6)))
    CardFactory(reader=bob, submitted_at=at(datetime.date(2026, 3, 7)), state=State.SELECTED, month=MARCH)
    # April: one note and three cards.
    note(ann, datetime.date(2026, 4, 1))
    for day in (2, 3, 4):
        CardFactory(reader=bob, submitted_at=at(datetime.date(2026, 4, day)))
    today = datetime.date(2026, 5, 2)
    return monthly_snapshot_compute(month=MARCH, today=today), monthly_snapshot_compute(
        month=APRIL, today=today
    )


def test_the_snapshot_counts_the_months_notes_and_cards(counted):
    march, april = counted
    march.refresh_from_db()
    assert (
        march.notes_handed_in,
        march.notes_on_paper,
        march.notes_reviewed,
        march.notes_selected,
        march.cards_handed_in,
        march.cards_selected,
    ) == (4, 1, 2, 1, 2, 1)
    assert (april.notes_handed_in, april.notes_reviewed, april.cards_handed_in) == (1, 0, 3)
    # Counting again leaves the same figures.
    again = monthly_snapshot_compute(month=MARCH, today=datetime.date(2026, 5, 2))
    assert (again.notes_handed_in, again.cards_handed_in) == (4, 2)


def test_a_period_adds_up_the_months_that_counted_notes_and_never_makes_unknown_zero(counted):
    stats = statistics_for_period(FEBRUARY, APRIL)
    assert stats.totals["notes_handed_in"] == 5 and stats.totals["cards_handed_in"] == 5
    assert stats.notes_missing_months == [FEBRUARY]
    february = statistics_for_period(FEBRUARY, FEBRUARY)
    assert february.totals["notes_handed_in"] is None and not february.has_notes
    assert [month.notes_handed_in for month in stats.months] == [None, 4, 1]


def test_the_dashboard_shows_the_notes_table_and_chart_with_a_dash_for_a_month_counted_before(
    client, counted
):
    client.force_login(UserFactory(roles=[Role.LEADER]))
    response = client.get(reverse("reports:statistics"), {"from": "2026-02", "to": "2026-04"})
    page = response.content.decode()
    assert "读书笔记与文摘卡" in page
    table = page[page.index('id="notes-table"') : page.index("</table>", page.index('id="notes-table"'))]
    rows = {
        month: table[table.index(f'data-month="{month}"') :].split("</tr>")[0]
        for month in ("2026-02", "2026-03", "2026-04")
    }
    cells = lambda row: [cell.split("</td>")[0] for cell in row.split('<td class="text-end">')[1:]]  # noqa: E731
    assert cells(rows["2026-02"]) == ["—"] * 6
    assert cells(rows["2026-03"]) == ["4", "1", "2", "1", "2", "1"]
    assert cells(rows["2026-04"]) == ["1", "0", "0", "0", "3", "0"]
    charts = response.context["charts"]["notes"]
    assert charts["labels"] == ["2026-02", "2026-03", "2026-04"]
    assert charts["datasets"][0]["data"] == [None, 4, 1]
    assert charts["datasets"][2]["data"] == [None, 2, 3]


def test_the_leaders_report_compares_the_notes_with_the_period_before(counted, tmp_path):
    april = leaders_report_for_period(period_of_month(APRIL), school="实验小学")
    figures = {figure.name: (figure.value, figure.previous, figure.change) for figure in april.key_figures}
    assert figures["notes_handed_in"] == (1, 4, -3)
    assert figures["notes_reviewed"] == (0, 2, -2)
    assert figures["notes_selected"] == (0, 1, -1)
    assert figures["cards_handed_in"] == (3, 2, 1)

    # March against February, counted before notes were: "—", not a fall from zero.
    march = leaders_report_for_period(period_of_month(MARCH), school="实验小学")
    figures = {figure.name: figure for figure in march.key_figures}
    assert (figures["notes_handed_in"].value, figures["notes_handed_in"].previous) == (4, None)
    assert figures["notes_handed_in"].change is None

    text = pdf_text(leaders_report_pdf(april), tmp_path)
    assert line_with(text, "上交读书笔记") == "上交读书笔记 1 4 -3 (-75.0%)"
    assert line_with(text, "上交文摘卡") == "上交文摘卡 3 2 +1 (+50.0%)"
    summary = load_workbook(io.BytesIO(leaders_report_xlsx(march))).worksheets[0]
    rows = {row[0]: row[1:4] for row in summary.iter_rows(values_only=True) if row[0]}
    assert rows["上交读书笔记"] == (4, "—", "—")
    assert rows["已批阅读书笔记"] == (2, "—", "—")


def test_the_leaders_report_of_a_month_counted_before_notes_shows_a_dash(client, counted):
    client.force_login(UserFactory(roles=[Role.LEADER]))
    page = client.get(reverse("reports:leaders-report"), {"month": "2026-02"}).content.decode()
    row = page[page.index('data-figure="notes_handed_in"') :].split("</tr>")[0]
    assert "data-value>—</td>" in row
