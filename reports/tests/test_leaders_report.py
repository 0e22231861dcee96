"""The report to school leaders: the figures of the page, the PDF (read back with pdftotext) and
the workbook (read back with openpyxl) are the snapshots' figures; the librarian's note, escaped;
who may read, download and write; missing months said as such."""

from __future__ import annotations

import datetime
import io
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.tests.factories import RecordFactory
from circulation.models import Reader, Term
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role
from reports.documents.leaders import leaders_report_pdf, leaders_report_xlsx
from reports.exceptions import NoteConflict, ReportsError
from reports.models import LeadersReportNote, MonthlySnapshot
from reports.selectors.leaders import leaders_report_for_period, period_key
from reports.selectors.periods import period_of_month, period_of_term
from reports.services.leaders import leaders_note_save

from .conftest import FEBRUARY, MARCH, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOTE = 'Loans rose <50% & more; =SUM(A1) "quoted"\n第二行：感谢各班主任'


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def line_with(text: str, label: str) -> str:
    """The one line of the PDF's text that begins with ``label`` then a figure, spaces squeezed."""
    pattern = re.compile(rf"^{re.escape(label)} [-+\d—]")
    (line,) = [squeezed for line in text.splitlines() if pattern.match(squeezed := " ".join(line.split()))]
    return line


def test_the_report_adds_up_the_snapshots_and_compares_with_the_month_before(months):
    report = leaders_report_for_period(period_of_month(MARCH), school="实验小学")

    figures = {figure.name: (figure.value, figure.previous, figure.change) for figure in report.key_figures}
    assert figures["loans"] == (1234, 1000, 234)
    assert figures["returns"] == (1111, 950, 161)
    assert figures["active_readers"] == (456, 400, 56)
    assert figures["visits"] == (789, 700, 89)
    assert figures["new_copies"] == (55, 20, 35)
    assert report.key_figures[0].change_percent == 23.4
    assert [(line.rank, line.label, line.loans) for line in report.statistics.by_class] == [
        (1, "Grade 3 Class 2", 520),
        (2, "Grade 3 Class 1", 410),
        (3, "Grade 5 Class 1", 190),
    ]
    # The trend is the twelve months up to March, trimmed to where statistics begin.
    assert [(month.month, month.loans) for month in report.trend] == [(FEBRUARY, 1000), (MARCH, 1234)]
    assert report.statistics.missing_months == []


def test_the_pdf_shows_the_snapshot_figures_and_the_escaped_note(months, tmp_path):
    librarian = user_with_role(Role.LIBRARIAN, full_name="王老师")
    leaders_note_save(period=period_of_month(MARCH), text=NOTE, version=0, user=librarian)
    report = leaders_report_for_period(period_of_month(MARCH), school="实验小学")

    text = pdf_text(leaders_report_pdf(report), tmp_path)

    assert "实验小学" in text and "Library report to the school leaders" in text
    assert line_with(text, "Loans") == "Loans 1,234 1,000 +234 (+23.4%)"
    assert line_with(text, "Returns") == "Returns 1,111 950 +161 (+16.9%)"
    assert line_with(text, "Active readers") == "Active readers 456 400 +56 (+14.0%)"
    assert line_with(text, "Reading-room visits") == "Reading-room visits 789 700 +89 (+12.7%)"
    assert line_with(text, "New copies") == "New copies 55 20 +35 (+175.0%)"
    assert 'Loans rose <50% & more; =SUM(A1) "quoted"' in text
    assert "第二行：感谢各班主任" in text
    assert "王老师" in text
    # Titles that look like markup or formulas are printed as they are.
    assert "<b>Tom & Jerry</b>" in text
    assert line_with(text, "1 Grade 3 Class 2") == "1 Grade 3 Class 2 520 260 0"
    assert line_with(text, "2 Grade 3 Class 1") == "2 Grade 3 Class 1 410 205 0"
    # The three charts are drawn (their titles are in the text).
    assert text.count("Loans per month") == 1
    assert "Loans by grade" in text and "Loans by CLC class" in text


def test_the_workbook_shows_the_snapshot_figures_and_the_escaped_note(months):
    librarian = user_with_role(Role.LIBRARIAN)
    leaders_note_save(period=period_of_month(MARCH), text=NOTE, version=0, user=librarian)
    report = leaders_report_for_period(period_of_month(MARCH), school="=实验小学")

    workbook = load_workbook(io.BytesIO(leaders_report_xlsx(report)))

    summary = workbook.worksheets[0]
    assert summary["A1"].value == "'=实验小学 · Library report to the school leaders"
    rows = {row[0]: row[1:5] for row in summary.iter_rows(min_row=6, max_row=13, values_only=True)}
    assert rows["Loans"] == (1234, 1000, 234, 0.234)
    assert rows["Returns"] == (1111, 950, 161, 0.169)
    assert rows["Active readers"] == (456, 400, 56, 0.14)
    assert rows["Reading-room visits"] == (789, 700, 89, 0.127)
    assert rows["New copies"] == (55, 20, 35, 1.75)
    values = [cell for row in summary.iter_rows(values_only=True) for cell in row if cell]
    # The note begins with text, so it is kept as it is; its formula-like part is inside it.
    assert NOTE.strip() in values
    ranking = workbook["Class ranking"]
    assert list(ranking.iter_rows(min_row=6, values_only=True)) == [
        (1, "Grade 3 Class 2", 520, 260, 0),
        (2, "Grade 3 Class 1", 410, 205, 0),
        (3, "Grade 5 Class 1", 190, 95, 0),
    ]
    titles = workbook["Top titles"]
    assert list(titles.iter_rows(min_row=6, values_only=True)) == [
        (1, "<b>Tom & Jerry</b>", 77),
        (2, '\'=HYPERLINK("x")', 66),
        (3, "草房子", 12),
    ]
    per_month = workbook["Per month"]
    assert [row[:2] for row in per_month.iter_rows(min_row=6, values_only=True)] == [
        ("2026-02", 1000),
        ("2026-03", 1234),
    ]


def test_a_note_that_begins_with_a_formula_sign_is_escaped_in_the_workbook(months):
    librarian = user_with_role(Role.LIBRARIAN)
    leaders_note_save(period=period_of_month(MARCH), text="=1+1 本月借阅上升", version=0, user=librarian)
    report = leaders_report_for_period(period_of_month(MARCH))

    summary = load_workbook(io.BytesIO(leaders_report_xlsx(report))).worksheets[0]

    values = [cell for row in summary.iter_rows(values_only=True) for cell in row if cell]
    assert "'=1+1 本月借阅上升" in values


def test_a_term_with_months_missing_says_which_and_does_not_count_them_as_zeros(months, tmp_path):
    term = Term.objects.create(
        name="2025-2026学年第二学期",
        starts_on=datetime.date(2026, 2, 16),
        ends_on=datetime.date(2026, 4, 30),
        hard_due_on=datetime.date(2026, 4, 20),
    )
    report = leaders_report_for_period(period_of_term(term))

    assert report.statistics.missing_months == [datetime.date(2026, 4, 1)]
    assert report.key_figures[0].value == 2234
    assert report.previous is None
    assert [(month.month, month.loans) for month in report.trend][-1] == (datetime.date(2026, 4, 1), None)
    text = pdf_text(leaders_report_pdf(report), tmp_path)
    assert "No statistics were computed for 2026-04" in text
    assert line_with(text, "2026-04") == "2026-04 — — —"
    per_month = load_workbook(io.BytesIO(leaders_report_xlsx(report)))["Per month"]
    assert list(per_month.iter_rows(min_row=6, values_only=True))[-1][:4] == ("2026-04", "—", "—", "—")


def test_a_term_compares_with_the_term_before(months):
    autumn = Term.objects.create(
        name="第一学期",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 2, 10),
        hard_due_on=datetime.date(2026, 1, 20),
    )
    spring = Term.objects.create(
        name="第二学期",
        starts_on=datetime.date(2026, 3, 2),
        ends_on=datetime.date(2026, 3, 31),
        hard_due_on=datetime.date(2026, 3, 30),
    )
    report = leaders_report_for_period(period_of_term(spring))

    assert report.previous.period.term_id == autumn.pk
    loans = report.key_figures[0]
    assert (loans.value, loans.previous) == (1234, 1000)
    assert report.previous.missing_months[0] == datetime.date(2025, 9, 1)


# --- the note -----------------------------------------------------------------------------------


def test_saving_the_note_records_who_and_refuses_a_stale_version(months):
    librarian = user_with_role(Role.LIBRARIAN)
    other = user_with_role(Role.ADMINISTRATOR)
    period = period_of_month(MARCH)
    note = leaders_note_save(period=period, text="  第一稿  ", version=0, user=librarian)
    assert (note.period_key, note.text, note.version, note.written_by) == (
        "month:2026-03",
        "第一稿",
        1,
        librarian,
    )

    with pytest.raises(NoteConflict):
        leaders_note_save(period=period, text="覆盖", version=0, user=other)
    note.refresh_from_db()
    assert (note.text, note.version, note.written_by) == ("第一稿", 1, librarian)

    with pytest.raises(ReportsError):
        leaders_note_save(period=period, text="长" * 2001, version=1, user=other)
    note.refresh_from_db()
    assert (note.text, note.version) == ("第一稿", 1)
    assert LeadersReportNote.objects.count() == 1


def test_period_keys():
    assert period_key(period_of_month(MARCH)) == "month:2026-03"


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.VOLUNTEER])
def test_readers_teachers_and_volunteers_are_refused(client, months, role):
    client.force_login(user_with_role(role))
    for name in ("reports:leaders-report", "reports:leaders-report-pdf", "reports:leaders-report-xlsx"):
        assert client.get(reverse(name), {"month": "2026-03"}).status_code == 403
    response = client.post(
        reverse("reports:leaders-note-save") + "?month=2026-03", {"text": "x", "version": 0}
    )
    assert response.status_code == 403
    assert LeadersReportNote.objects.count() == 0


def test_a_leader_reads_and_downloads_but_may_not_write_the_note(client, months):
    client.force_login(user_with_role(Role.LEADER))
    page = client.get(reverse("reports:leaders-report"), {"month": "2026-03"})
    assert page.status_code == 200
    assert "data-note-form" not in page.content.decode()
    pdf = client.get(reverse("reports:leaders-report-pdf"), {"month": "2026-03"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="leaders-report-month-2026-03.pdf"'
    xlsx = client.get(reverse("reports:leaders-report-xlsx"), {"month": "2026-03"})
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["B6"].value == 1234

    refused = client.post(
        reverse("reports:leaders-note-save") + "?month=2026-03", {"text": "x", "version": 0}
    )
    assert refused.status_code == 403
    assert LeadersReportNote.objects.count() == 0


def test_a_librarian_writes_the_note_on_the_page_and_it_is_shown_escaped(client, months):
    librarian = user_with_role(Role.LIBRARIAN)
    client.force_login(librarian)
    url = reverse("reports:leaders-note-save") + "?month=2026-03"

    response = client.post(url, {"text": "<script>alert(1)</script> & 好", "version": 0})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:leaders-report") + "?month=2026-03#note"
    note = LeadersReportNote.objects.get()
    assert (note.text, note.written_by, note.version) == ("<script>alert(1)</script> & 好", librarian, 1)
    client.force_login(user_with_role(Role.LEADER))
    page = client.get(reverse("reports:leaders-report"), {"month": "2026-03"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 好" in page
    assert "<script>alert(1)" not in page

    # Pressing save again with the old version changes nothing and says why.
    client.force_login(librarian)
    stale = client.post(url, {"text": "另一稿", "version": 0}, follow=True)
    assert "Someone else saved this note" in stale.content.decode()
    note.refresh_from_db()
    assert (note.text, note.version) == ("<script>alert(1)</script> & 好", 1)


def test_the_page_shows_the_figures_and_downloading_twice_writes_nothing(
    client, months, django_assert_max_num_queries
):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    # The report, and its targets measured over the period (about a dozen queries more).
    with django_assert_max_num_queries(40):
        page = client.get(reverse("reports:leaders-report"), {"month": "2026-03"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="loans"' in html and ">1234<" in html
    assert "data-missing-months" not in html
    assert html.count("<svg") == 3
    counts = (MonthlySnapshot.objects.count(), LeadersReportNote.objects.count())
    first = client.get(reverse("reports:leaders-report-xlsx"), {"month": "2026-03"})
    second = client.get(reverse("reports:leaders-report-xlsx"), {"month": "2026-03"})
    assert first.status_code == second.status_code == 200
    assert (MonthlySnapshot.objects.count(), LeadersReportNote.objects.count()) == counts


def test_the_page_query_count_does_not_grow_with_classes_and_titles(
    client, months, django_assert_max_num_queries
):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    snapshot(
        datetime.date(2026, 4, 1),
        loans=5000,
        returns=1,
        active_readers=1,
        visits=1,
        new_copies=1,
        classes=[(grade, number, grade * 10 + number) for grade in range(1, 7) for number in range(1, 9)],
        titles=[(f"书{rank}", 100 - rank) for rank in range(1, 60)],
    )
    # The report, and its targets measured over the period (about a dozen queries more).
    with django_assert_max_num_queries(40):
        assert client.get(reverse("reports:leaders-report"), {"month": "2026-04"}).status_code == 200


def test_a_period_without_statistics_offers_no_download(client, months):
    client.force_login(user_with_role(Role.LIBRARIAN))
    page = client.get(reverse("reports:leaders-report"), {"month": "2025-06"})
    assert "data-no-statistics" in page.content.decode()
    assert "data-download-pdf" not in page.content.decode()
    response = client.get(reverse("reports:leaders-report-pdf"), {"month": "2025-06"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:leaders-report") + "?month=2025-06"
    assert "There are no statistics for this period yet" in response.content.decode()


def test_a_bad_period_gets_a_clear_message(client):
    client.force_login(user_with_role(Role.LIBRARIAN))
    response = client.get(reverse("reports:leaders-report"), {"month": "2026-13"})
    assert response.status_code == 400
    assert "is not a month" in response.content.decode()


def test_the_leaders_home_page_and_the_menu_link_to_the_report(client, months):
    client.force_login(user_with_role(Role.LEADER))
    html = client.get(reverse("home")).content.decode()
    assert 'href="/reports/leaders/" data-leaders-report-link' in html


def test_the_dashboard_links_to_the_report_of_the_same_period_and_back(client, months):
    term = Term.objects.create(
        name="第二学期",
        starts_on=datetime.date(2026, 2, 16),
        ends_on=datetime.date(2026, 7, 10),
        hard_due_on=datetime.date(2026, 7, 1),
    )
    client.force_login(user_with_role(Role.LEADER))
    for params, query in (
        ({"month": "2026-03"}, "month=2026-03"),
        ({"term": term.pk}, f"term={term.pk}"),
        ({"year": "2026"}, "year=2026"),
        ({"from": "2026-02", "to": "2026-03"}, "from=2026-02&amp;to=2026-03"),
    ):
        dashboard = client.get(reverse("reports:statistics"), params).content.decode()
        assert f'href="/reports/leaders/?{query}" data-leaders-report-link' in dashboard
        report = client.get(reverse("reports:leaders-report"), params).content.decode()
        assert f'href="/reports/statistics/?{query}" data-statistics-link' in report


def test_a_report_of_real_loans_computed_by_the_monthly_job(tmp_path):
    """End to end: loans at the desk, the month computed, the PDF's loan figure."""
    from circulation.models import Loan
    from reports.services.statistics import monthly_snapshot_compute

    reader = ReaderFactory(school_class=SchoolClassFactory(grade=4, number=3))
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, school_class=None)
    record = RecordFactory(title="夏洛的网", clc_code="I712.45", copies=3)
    for copy, who in zip(record.copies.order_by("pk"), (reader, reader, teacher), strict=True):
        Loan.objects.create(
            copy=copy,
            reader=who,
            lent_at=timezone.make_aware(datetime.datetime(2026, 5, 6, 10)),
            due_on=datetime.date(2026, 5, 20),
        )
    monthly_snapshot_compute(month=datetime.date(2026, 5, 1))
    report = leaders_report_for_period(period_of_month(datetime.date(2026, 5, 1)))
    text = pdf_text(leaders_report_pdf(report), tmp_path)
    assert line_with(text, "Loans").startswith("Loans 3 ")
    assert line_with(text, "Active readers").startswith("Active readers 2 ")
    assert line_with(text, "1 Grade 4 Class 3").startswith("1 Grade 4 Class 3 2 1")
    assert "夏洛的网" in text
