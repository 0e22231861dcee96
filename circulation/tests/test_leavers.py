"""Leavers: the clearance list of a class (离校清书), the clearance certificate (离校证明), the
graduates with books out at promotion, and the anonymising of a leaver's loan history."""

import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from catalog.models import Copy, CopyStatusChange
from circulation.exceptions import ClearanceRefused
from circulation.models import (
    CirculationSettings,
    ClearanceCertificate,
    Compensation,
    DeskAction,
    Loan,
    Reader,
)
from circulation.printing.leavers import clearance_certificate_pdf
from circulation.selectors.leavers import class_clearance, readers_with_open_items
from circulation.selectors.school import promotion_plan
from circulation.services.leavers import (
    anonymise_cutoff,
    clearance_certificate_issue,
    compensation_mark_paid,
    loans_anonymise,
)
from circulation.services.loans import loan_checkout, loan_mark_lost, loan_return
from circulation.services.readers import reader_update
from circulation.services.school import grades_promote
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.LIBRARIAN], full_name="王老师")


@pytest.fixture
def librarian(client, staff):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sixth():
    return SchoolClassFactory(grade=6, number=1)


def lend(reader, copy, user, today=WEDNESDAY):
    return loan_checkout(reader=reader, copy=copy, user=user, desk="前台", today=today).loan


def give_back(copy, user, today=WEDNESDAY):
    return loan_return(copy=copy, user=user, desk="前台", today=today)


# --- what a reader still has out ------------------------------------------------------------------


def test_readers_with_open_items_lists_open_loans_and_unpaid_compensations(sixth, staff):
    borrower = ReaderFactory(school_class=sixth)
    loser = ReaderFactory(school_class=sixth)
    clear = ReaderFactory(school_class=sixth)
    (book,) = copies_of("草房子")
    (lost,) = copies_of("青铜葵花", price=Decimal("20.00"))
    lend(borrower, book, staff)
    loan_mark_lost(loan=lend(loser, lost, staff), user=staff)
    items = readers_with_open_items([borrower.pk, loser.pk, clear.pk], today=WEDNESDAY + timedelta(days=20))
    assert set(items) == {borrower.pk, loser.pk}
    assert "草房子" in items[borrower.pk][0] and book.barcode in items[borrower.pk][0]
    assert "40.00" in items[loser.pk][0]
    compensation_mark_paid(compensation=Compensation.objects.get(), user=staff)
    assert set(readers_with_open_items([borrower.pk, loser.pk, clear.pk])) == {borrower.pk}


def test_promotion_preview_lists_a_graduate_with_a_loan(sixth, staff, librarian):
    leaver = ReaderFactory(school_class=sixth, full_name="借书人")
    ReaderFactory(school_class=sixth, full_name="还清了")
    (copy,) = copies_of("草房子")
    lend(leaver, copy, staff)
    plan = promotion_plan(top_grade=6)
    assert [item["reader"] for item in plan["graduates_with_items"]] == [leaver]
    page = librarian.get(reverse("circulation:promotion"), {"top_grade": 6}).content.decode()
    assert f'data-graduate="{leaver.number}"' in page and "草房子" in page


def test_promotion_records_the_day_the_graduates_left(sixth):
    leaver = ReaderFactory(school_class=sixth)
    grades_promote(top_grade=6)
    leaver.refresh_from_db()
    assert leaver.status == Reader.Status.GRADUATED and leaver.left_on == timezone.localdate()


def test_a_reader_marked_left_gets_a_leaving_day_and_loses_it_when_back(sixth):
    reader = ReaderFactory(school_class=sixth)
    reader_update(reader=reader, full_name=reader.name, school_class=sixth, status=Reader.Status.LEFT)
    reader.refresh_from_db()
    assert reader.left_on == timezone.localdate()
    reader_update(reader=reader, full_name=reader.name, school_class=sixth, status=Reader.Status.ACTIVE)
    reader.refresh_from_db()
    assert reader.left_on is None


# --- the clearance list of a class ----------------------------------------------------------------


def test_the_class_clearance_list_shows_each_pupil_with_what_is_out(sixth, staff, librarian):
    owing = ReaderFactory(school_class=sixth, full_name="欠书生")
    clear = ReaderFactory(school_class=sixth, full_name="清白生")
    ReaderFactory(school_class=SchoolClassFactory(grade=6, number=2), full_name="别班生")
    (book,) = copies_of("草房子")
    (lost,) = copies_of("青铜葵花", price=Decimal("15.00"))
    long_ago = timezone.localdate() - timedelta(days=40)
    loan_mark_lost(loan=lend(owing, lost, staff, today=long_ago), user=staff)
    lend(owing, book, staff, today=long_ago)
    page = librarian.get(reverse("circulation:class-clearance", args=[sixth.pk])).content.decode()
    assert f'data-owing="{owing.number}"' in page and f'data-clear="{clear.number}"' in page
    assert "别班生" not in page
    assert f'data-loan="{book.barcode}"' in page and "草房子" in page
    assert "30.00" in page  # the compensation, twice the price
    assert "data-print" in page  # library.js prints it (no inline handler: the CSP refuses them)
    data = class_clearance(sixth)
    (loan,) = data["rows"][0]["loans"] if data["rows"][0]["reader"] == owing else data["rows"][1]["loans"]
    assert loan.days_overdue > 0
    assert (data["clear_count"], data["owing_count"], data["loan_count"]) == (1, 1, 1)
    page = librarian.get(
        reverse("circulation:class-clearance", args=[sixth.pk]), {"owing": "1"}
    ).content.decode()
    assert f'data-owing="{owing.number}"' in page and f'data-clear="{clear.number}"' not in page


def test_a_graduated_class_is_listed_whole(sixth, staff, librarian):
    leaver = ReaderFactory(school_class=sixth)
    (copy,) = copies_of()
    lend(leaver, copy, staff)
    grades_promote(top_grade=6)
    page = librarian.get(reverse("circulation:class-clearance", args=[sixth.pk])).content.decode()
    assert f'data-owing="{leaver.number}"' in page and "graduated" in page.lower()


def test_the_clearance_list_takes_the_same_queries_whatever_the_class_size(
    sixth, staff, librarian, django_assert_max_num_queries
):
    for _index in range(6):
        reader = ReaderFactory(school_class=sixth)
        (copy,) = copies_of()
        lend(reader, copy, staff)
    with django_assert_max_num_queries(12):
        librarian.get(reverse("circulation:class-clearance", args=[sixth.pk]))


def test_the_class_and_reader_pages_link_to_the_clearance(sixth, librarian):
    reader = ReaderFactory(school_class=sixth)
    class_page = librarian.get(reverse("circulation:class-detail", args=[sixth.pk])).content.decode()
    assert reverse("circulation:class-clearance", args=[sixth.pk]) in class_page
    reader_page = librarian.get(reverse("circulation:reader-edit", args=[reader.pk])).content.decode()
    assert reverse("circulation:reader-clearance", args=[reader.pk]) in reader_page


# --- the certificate ------------------------------------------------------------------------------


def test_a_certificate_is_refused_while_a_book_is_out(sixth, staff, librarian):
    reader = ReaderFactory(school_class=sixth)
    (copy,) = copies_of("草房子")
    lend(reader, copy, staff)
    with pytest.raises(ClearanceRefused) as refused:
        clearance_certificate_issue(reader=reader, user=staff, today=WEDNESDAY)
    assert "草房子" in str(refused.value.message)
    assert not ClearanceCertificate.objects.exists()
    response = librarian.get(reverse("circulation:clearance-certificate", args=[reader.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("circulation:reader-clearance", args=[reader.pk])
    page = response.content.decode()
    assert "No certificate for" in page and "草房子" in page and "data-certificate" not in page
    assert not ClearanceCertificate.objects.exists()


def test_a_certificate_is_refused_while_a_compensation_is_unpaid_and_issued_once_paid(
    sixth, staff, librarian
):
    reader = ReaderFactory(school_class=sixth)
    (copy,) = copies_of(price=Decimal("10.00"))
    compensation = loan_mark_lost(loan=lend(reader, copy, staff), user=staff)
    response = librarian.get(reverse("circulation:clearance-certificate", args=[reader.pk]))
    assert response.status_code == 302
    librarian.post(reverse("circulation:compensation-paid", args=[compensation.pk]))
    compensation.refresh_from_db()
    assert compensation.paid_at is not None and compensation.paid_by == staff
    # A second submit changes nothing.
    paid_at = compensation.paid_at
    librarian.post(reverse("circulation:compensation-paid", args=[compensation.pk]))
    compensation.refresh_from_db()
    assert compensation.paid_at == paid_at
    page = librarian.get(reverse("circulation:reader-clearance", args=[reader.pk])).content.decode()
    assert "data-reader-clear" in page and "data-certificate" in page
    response = librarian.get(reverse("circulation:clearance-certificate", args=[reader.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    certificate = ClearanceCertificate.objects.get()
    assert (certificate.reader, certificate.issued_by) == (reader, staff)
    page = librarian.get(reverse("circulation:reader-clearance", args=[reader.pk])).content.decode()
    assert f'data-issued="{certificate.number}"' in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_certificate_is_one_page_with_the_name_class_date_and_issuer(sixth, staff, tmp_path):
    reader = ReaderFactory(school_class=sixth, full_name="李小明")
    (copy,) = copies_of()
    lend(reader, copy, staff)
    give_back(copy, staff)
    certificate = clearance_certificate_issue(reader=reader, user=staff, today=WEDNESDAY)
    pdf = clearance_certificate_pdf(certificate, school="实验小学")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "实验小学",
        "李小明",
        sixth.name,
        reader.number,
        "2026-03-04",
        "王老师",
        certificate.number,
    ):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert " yes " in fonts  # the Chinese font is embedded


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: ReaderFactory().user,
        lambda: ReaderFactory(kind="teacher", school_class=None).user,
        lambda: ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user,
        lambda: UserFactory(roles=[Role.LEADER]),
    ],
    ids=["student", "teacher", "volunteer", "leader"],
)
def test_people_without_manage_readers_are_refused(client, sixth, staff, make_user):
    reader = ReaderFactory(school_class=sixth)
    (copy,) = copies_of(price=Decimal("10.00"))
    compensation = loan_mark_lost(loan=lend(reader, copy, staff), user=staff)
    client.force_login(make_user())
    for url in (
        reverse("circulation:class-clearance", args=[sixth.pk]),
        reverse("circulation:reader-clearance", args=[reader.pk]),
        reverse("circulation:clearance-certificate", args=[reader.pk]),
    ):
        assert client.get(url).status_code == 403
    assert not ClearanceCertificate.objects.exists()
    assert client.post(reverse("circulation:compensation-paid", args=[compensation.pk])).status_code == 403
    compensation.refresh_from_db()
    assert compensation.paid_at is None


def test_marking_paid_needs_a_post(librarian, sixth, staff):
    reader = ReaderFactory(school_class=sixth)
    (copy,) = copies_of(price=Decimal("10.00"))
    compensation = loan_mark_lost(loan=lend(reader, copy, staff), user=staff)
    assert librarian.get(reverse("circulation:compensation-paid", args=[compensation.pk])).status_code == 405
    compensation.refresh_from_db()
    assert compensation.paid_at is None


# --- anonymising ----------------------------------------------------------------------------------


def _history(reader, staff, count, *, start=WEDNESDAY):
    loans = []
    for index in range(count):
        (copy,) = copies_of(f"书{index}")
        day = start + timedelta(days=7 * index)
        loans.append(lend(reader, copy, staff, today=day))
        give_back(copy, staff, today=day + timedelta(days=3))
    return loans


def _counts():
    return {
        (row["reader_kind"], row["reader_grade"], row["reader_class_number"]): row["count"]
        for row in Loan.objects.values("reader_kind", "reader_grade", "reader_class_number").annotate(
            count=Count("pk")
        )
    }


def test_loans_keep_the_readers_type_grade_and_class_at_checkout(sixth, staff):
    reader = ReaderFactory(school_class=sixth)
    teacher = ReaderFactory(kind="teacher", school_class=None)
    (first, second) = copies_of(count=2)
    loan = lend(reader, first, staff)
    assert (loan.reader_kind, loan.reader_grade, loan.reader_class_number) == ("student", 6, 1)
    loan = lend(teacher, second, staff)
    assert (loan.reader_kind, loan.reader_grade, loan.reader_class_number) == ("teacher", None, None)


def test_a_graduates_closed_loans_lose_the_reader_after_the_period(sixth, staff):
    leaver = ReaderFactory(school_class=sixth)
    stayer = ReaderFactory(school_class=SchoolClassFactory(grade=4, number=1))
    closed = _history(leaver, staff, 3)
    kept = _history(stayer, staff, 2)
    (out,) = copies_of("还没还")
    open_loan = lend(leaver, out, staff, today=WEDNESDAY + timedelta(days=60))
    grades_promote(top_grade=6)
    Reader.objects.filter(pk=leaver.pk).update(left_on=date(2026, 7, 1))
    before = _counts()

    # Not yet: a year has not passed.
    assert loans_anonymise(today=date(2027, 6, 30)).loans == 0
    result = loans_anonymise(today=date(2027, 7, 1))
    assert (result.loans, result.readers) == (3, 1)
    for loan in closed:
        loan.refresh_from_db()
        assert loan.reader_id is None and loan.anonymised_at is not None
        assert loan.copy_id and loan.lent_at and loan.state == Loan.State.RETURNED  # kept, not deleted
    open_loan.refresh_from_db()
    assert open_loan.reader == leaver  # an open loan is never anonymised
    for loan in kept:
        loan.refresh_from_db()
        assert loan.reader == stayer
    assert _counts() == before  # the statistics by type, grade and class still add up
    assert Loan.objects.count() == 6
    # The desk's records and the copies' status log no longer name the leaver for those loans.
    assert not DeskAction.objects.filter(loan__in=closed, reader__isnull=False).exists()
    assert not CopyStatusChange.objects.filter(
        copy__in=[loan.copy_id for loan in closed], reason__contains=leaver.number
    ).exists()
    # Running it again changes nothing.
    assert loans_anonymise(today=date(2027, 7, 1)).loans == 0


def test_an_unpaid_compensation_keeps_its_loan_with_the_reader(sixth, staff):
    leaver = ReaderFactory(school_class=sixth)
    (copy,) = copies_of(price=Decimal("10.00"))
    loan = lend(leaver, copy, staff)
    loan_mark_lost(loan=loan, user=staff)
    Reader.objects.filter(pk=leaver.pk).update(status=Reader.Status.LEFT, left_on=date(2020, 1, 1))
    assert loans_anonymise(today=WEDNESDAY).loans == 0
    compensation_mark_paid(compensation=Compensation.objects.get(), user=staff)
    assert loans_anonymise(today=WEDNESDAY).loans == 1


def test_zero_years_never_anonymises_and_the_period_is_configurable(sixth, staff):
    leaver = ReaderFactory(school_class=sixth)
    _history(leaver, staff, 1)
    Reader.objects.filter(pk=leaver.pk).update(status=Reader.Status.GRADUATED, left_on=date(2026, 7, 1))
    settings = CirculationSettings.current()
    settings.anonymise_after_years = 0
    settings.save()
    assert loans_anonymise(today=date(2040, 1, 1)).cutoff is None
    assert Loan.objects.filter(reader__isnull=True).count() == 0
    settings.anonymise_after_years = 3
    settings.save()
    assert loans_anonymise(today=date(2029, 6, 30)).loans == 0
    assert loans_anonymise(today=date(2029, 7, 1)).loans == 1


def test_the_cutoff_of_a_leap_day():
    assert anonymise_cutoff(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert anonymise_cutoff(date(2028, 2, 29), 0) is None


def test_the_database_refuses_an_open_loan_without_a_reader(sixth, staff):
    reader = ReaderFactory(school_class=sixth)
    (copy,) = copies_of()
    loan = lend(reader, copy, staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(reader=None, anonymised_at=timezone.now())


def test_the_command_dry_run_changes_nothing_and_a_bad_date_is_refused(sixth, staff, capsys):
    leaver = ReaderFactory(school_class=sixth)
    _history(leaver, staff, 2)
    Reader.objects.filter(pk=leaver.pk).update(status=Reader.Status.GRADUATED, left_on=date(2026, 7, 1))
    call_command("anonymise_leavers", "--date", "2027-07-01", "--dry-run")
    assert "2 closed loans of 1 readers" in capsys.readouterr().out
    assert Loan.objects.filter(reader__isnull=True).count() == 0
    with pytest.raises(CommandError):
        call_command("anonymise_leavers", "--date", "2027-13-01")
    call_command("anonymise_leavers", "--date", "2027-07-01")
    assert Loan.objects.filter(reader__isnull=True).count() == 2


def test_the_copy_history_shows_an_anonymised_loan(sixth, staff, librarian):
    leaver = ReaderFactory(school_class=sixth, full_name="毕业生")
    (loan,) = _history(leaver, staff, 1)
    Reader.objects.filter(pk=leaver.pk).update(status=Reader.Status.GRADUATED, left_on=date(2026, 7, 1))
    loans_anonymise(today=date(2027, 7, 1))
    page = librarian.get(reverse("circulation:copy-loans", args=[loan.copy_id])).content.decode()
    assert "data-anonymised" in page and "毕业生" not in page


def test_the_settings_page_edits_the_period(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    settings = CirculationSettings.current()
    data = {
        "closed_weekdays": ["5", "6"],
        "suspension_days_per_late_day": 1,
        "fine_per_day": "0",
        "lost_multiplier": "2",
        "hold_pickup_days": 5,
        "graduating_grades": "6,9,12",
        "anonymise_after_years": 2,
    }
    client.post(reverse("circulation:policy-settings"), data)
    settings.refresh_from_db()
    assert settings.anonymise_after_years == 2


# --- years of loan history --------------------------------------------------------------------------


def test_generate_loans_makes_history_with_a_few_open_loans_consistent_with_the_copies(capsys):
    SchoolClassFactory(grade=3, number=1)
    for _index in range(4):
        ReaderFactory()
    ReaderFactory(kind="teacher", school_class=None)
    copies = copies_of(count=30)
    call_command("generate_loans", "--years", "2", "--loans", "200", "--open", "6", "--today", "2026-03-04")
    assert Loan.objects.count() == 200
    open_loans = Loan.objects.filter(state=Loan.State.OPEN)
    assert open_loans.count() == 6
    assert open_loans.filter(due_on__lt=date(2026, 3, 4)).count() == 2  # 30 % overdue
    on_loan = set(Copy.objects.filter(status=Copy.Status.ON_LOAN).values_list("pk", flat=True))
    assert on_loan == set(open_loans.values_list("copy_id", flat=True))
    assert len(on_loan) <= len(copies)
    history = Loan.objects.filter(state=Loan.State.RETURNED)
    assert not history.filter(returned_at__lt=F("lent_at")).exists()
    assert not history.filter(reader_kind="").exists()
    assert history.filter(lent_at__date__lt=date(2025, 3, 4)).exists()  # two years back
    for loan in history:
        assert loan.lent_at.date().weekday() < 5
    # Each copy's loans follow each other.
    for copy in copies:
        spans = sorted(
            (loan.lent_at, loan.returned_at or timezone.now()) for loan in Loan.objects.filter(copy=copy)
        )
        for (_start, end), (next_start, _end) in pairwise(spans):
            assert end <= next_start
    assert "Made 200 loans" in capsys.readouterr().out


def test_generate_loans_refuses_bad_input():
    with pytest.raises(CommandError):
        call_command("generate_loans", "--years", "0")
    with pytest.raises(CommandError):
        call_command("generate_loans", "--years", "2")  # no readers yet


def test_the_nightly_task_anonymises_with_the_settings_period(sixth, staff):
    from circulation.tasks import anonymise_leavers_task

    leaver = ReaderFactory(school_class=sixth)
    _history(leaver, staff, 2)
    Reader.objects.filter(pk=leaver.pk).update(
        status=Reader.Status.GRADUATED, left_on=timezone.localdate() - timedelta(days=400)
    )
    assert anonymise_leavers_task() == 2
    assert anonymise_leavers_task() == 0
