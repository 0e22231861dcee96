"""``python manage.py demo_data`` (``make run`` calls it on every start): the demo school is made
once, its accounts printed and kept in var/demo_accounts.txt; later runs print that file again
and change nothing."""

import io
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import Copy, Record
from circulation.models import Reader, SchoolClass
from library_site.accounts.models import User
from library_site.demo.management.commands.demo_data import (
    CLASSES_PER_GRADE,
    DEMO_BOOKS,
    GRADES,
    STUDENTS_PER_CLASS,
)

pytestmark = pytest.mark.django_db


def demo_data(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def test_the_demo_school_is_made_once_and_its_accounts_printed_again(settings, tmp_path):
    settings.VAR_DIR = tmp_path

    printed = demo_data()

    heading, accounts_text = printed.split("\n", 1)
    assert heading == "Demo accounts (示范账号) — http://127.0.0.1:8000"
    for username in ("admin", "librarian", "leader"):
        assert f"  {username} " in printed
    assert User.objects.filter(username__in=["admin", "librarian", "leader"]).count() == 3
    assert SchoolClass.objects.count() == len(GRADES) * CLASSES_PER_GRADE
    students = len(GRADES) * CLASSES_PER_GRADE * STUDENTS_PER_CLASS
    assert Reader.objects.filter(kind=Reader.Kind.STUDENT).count() == students
    assert Reader.objects.filter(kind=Reader.Kind.TEACHER).count() == len(GRADES) * CLASSES_PER_GRADE
    assert Record.objects.count() == len(DEMO_BOOKS)
    assert Copy.objects.count() == sum(book[-1] for book in DEMO_BOOKS)
    accounts = tmp_path / "demo_accounts.txt"
    assert accounts.read_text(encoding="utf-8") == accounts_text
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600

    users = User.objects.count()
    assert demo_data() == printed
    assert User.objects.count() == users
    assert Record.objects.count() == len(DEMO_BOOKS)


def test_every_demo_reader_has_a_first_password_of_their_own_on_the_slips(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    printed = demo_data()
    rows = {line.split()[0]: line.split()[1] for line in printed.splitlines() if line.startswith("  ")}
    pupil, volunteer, teacher = Reader.objects.get(number="2026030101"), "2026060206", "T001"
    assert rows[pupil.number] != rows[volunteer] != rows[teacher]
    for username in (pupil.number, volunteer, teacher):
        user = User.objects.get(username=username)
        assert user.check_password(rows[username]) and user.password_change_required
    # Nobody else has the pupil's password, and the staff keep theirs
    assert not any(user.check_password(rows[pupil.number]) for user in User.objects.exclude(pk=pupil.user_id))
    assert not User.objects.filter(username="librarian").get().password_change_required
    slips = tmp_path / "demo_first_passwords.pdf"
    assert stat.S_IMODE(slips.stat().st_mode) == 0o600
    text = subprocess.run(
        ["pdftotext", "-raw", str(slips), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "三年级(1)班" in text and pupil.name in text and rows[pupil.number] in text and rows[teacher] in text
    )


def test_a_demo_school_whose_accounts_file_is_gone_says_how_to_set_a_password(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo_data()
    (tmp_path / "demo_accounts.txt").unlink()

    assert "var/demo_accounts.txt is gone" in demo_data()


def test_the_accounts_are_printed_under_the_address_make_run_passes(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = demo_data("--address", "http://127.0.0.1:8080")
    again = demo_data("--address", "http://127.0.0.1:8081")

    assert first.startswith("Demo accounts (示范账号) — http://127.0.0.1:8080\n")
    assert again.startswith("Demo accounts (示范账号) — http://127.0.0.1:8081\n")
    assert "8000" not in first + again
    assert first.split("\n", 1)[1] == again.split("\n", 1)[1]


def test_make_run_serves_and_names_the_port_it_is_given():
    root = Path(__file__).resolve().parents[3]
    plan = subprocess.run(
        ["make", "-n", "-B", "run", "PORT=8080"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "demo_data --address http://127.0.0.1:8080" in plan
    assert "Starting the web server on http://127.0.0.1:8080" in plan
    assert "runserver --noreload 127.0.0.1:8080" in plan
    assert "8000" not in plan


def test_the_demo_school_comes_with_a_year_of_loans_visits_and_counted_months(settings, tmp_path):
    import datetime

    from django.utils import timezone

    from circulation.models import Loan, Visit
    from library_site.demo.management.commands.demo_data import HISTORY_OPEN_LOANS
    from reports.models import MonthlySnapshot
    from reports.periods import month_first, month_previous
    from reports.selectors.registers import staff_loan_count, student_reading_count

    settings.VAR_DIR = tmp_path
    demo_data()

    today = timezone.localdate()
    last_month = month_previous(month_first(today))
    assert Loan.objects.count() > 500
    assert Loan.objects.filter(state=Loan.State.OPEN).count() == HISTORY_OPEN_LOANS
    assert Copy.objects.filter(status=Copy.Status.ON_LOAN).count() == HISTORY_OPEN_LOANS
    assert Visit.objects.filter(entered_at__date__gte=today - datetime.timedelta(days=60)).exists()
    # Every month before this one is counted, as the monthly job would have counted it.
    snapshots = MonthlySnapshot.objects.order_by("month")
    assert snapshots.last().month == last_month
    assert snapshots.count() >= 12
    assert snapshots.get(month=last_month).loans > 0
    # Registers A (staff loans) and I (pupils' reading) have rows for the last term.
    term_start = today - datetime.timedelta(days=120)
    assert staff_loan_count(term_start, today) > 0
    assert student_reading_count(term_start, today) > 0
