"""Moving from the old library system: the readers and the open loans (services/old_system.py),
all three steps through the command, and the page walked with the worker's job. The records
step itself is tested in catalog/tests/test_old_system.py."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Copy, CopyStatusChange, Record
from catalog.old_system import PROFILES
from catalog.tests.marc_samples import cnmarc, isbn13, iso
from circulation.models import Loan, Notice, Reader
from circulation.services.notices import notices_send
from circulation.services.old_system import loans_migrate, readers_migrate, step_run
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.celery import app

from .factories import ReaderFactory
from .roster_files import roster_csv, roster_xlsx

pytestmark = pytest.mark.django_db

LOAN_HEADERS = ("读者证号", "条码", "借出日期", "应还日期")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def old_catalogue() -> bytes:
    """What the old system exports: CNMARC with one 905 and one 906 per copy."""
    from pymarc import Field, Indicators, Subfield

    def field(tag, *pairs):
        return Field(
            tag=tag,
            indicators=Indicators(" ", " "),
            subfields=[Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)],
        )

    records = []
    for number, title in enumerate(["草房子", "青铜葵花"]):
        record = cnmarc(title, isbn=isbn13(f"978-7-5346-{6543 + number:04d}"))
        for copy in range(2):
            barcode = f"OLD{number}{copy}"
            record.add_field(
                field(
                    "905",
                    "a",
                    "XXTSG",
                    "b",
                    barcode,
                    "d",
                    "I287.45",
                    "e",
                    str(number + 1),
                    "f",
                    f"Z{number}{copy}",
                )
            )
            record.add_field(field("906", "d", "CNY25.00"))
        records.append(record)
    return iso(*records, encoding="gb18030")


def readers_file(tmp_path: Path) -> Path:
    return roster_xlsx(
        tmp_path / "读者.xlsx",
        [("S001", "王小明", "男", "三年级(1)班", ""), ("S002", "李小红", "女", "三年级(2)班", "")],
    )


def loans_file(tmp_path: Path, rows, name="在借.csv") -> Path:
    return roster_csv(tmp_path / name, rows, headers=LOAN_HEADERS)


def catalogue_and_readers(tmp_path: Path) -> None:
    path = tmp_path / "馆藏.iso"
    path.write_bytes(old_catalogue())
    from catalog.models import Location

    location = Location.objects.order_by("position").first()
    assert step_run(
        step="records",
        path=path,
        extension=".iso",
        dry_run=False,
        profile=PROFILES["cnmarc"],
        location=location,
    ).saved
    assert readers_migrate(path=readers_file(tmp_path), extension=".xlsx", dry_run=False).saved


def test_the_readers_step_creates_then_matches_on_a_second_run(tmp_path):
    path = readers_file(tmp_path)
    preview = readers_migrate(path=path, extension=".xlsx", dry_run=True)
    assert (preview.created, preview.matched, preview.saved) == (
        {"readers": 2, "classes": 2},
        {"readers": 0},
        False,
    )
    assert Reader.objects.count() == 0
    assert readers_migrate(path=path, extension=".xlsx", dry_run=False).saved
    again = readers_migrate(path=path, extension=".xlsx", dry_run=False)
    assert (again.created, again.matched) == ({"readers": 0, "classes": 0}, {"readers": 2})
    assert Reader.objects.count() == 2


def test_open_loans_come_over_with_their_dates_and_the_overdue_get_their_notice(tmp_path):
    catalogue_and_readers(tmp_path)
    today = timezone.localdate()
    lent, due = today - timedelta(days=40), today - timedelta(days=10)
    card = Reader.objects.get(number="S002").cards.get().number
    path = loans_file(
        tmp_path,
        [
            ("S001", "OLD00", lent.isoformat(), due.isoformat()),
            (card, "OLD11", lent.strftime("%Y/%m/%d"), (today + timedelta(days=5)).isoformat()),
        ],
    )
    preview = loans_migrate(path=path, extension=".csv", dry_run=True)
    assert (preview.created, preview.refused) == ({"loans": 2}, [])
    assert preview.notes == ["1 of these loans are overdue: the overdue notices will remind their readers."]
    assert Loan.objects.count() == 0
    report = loans_migrate(path=path, extension=".csv", dry_run=False)
    assert report.saved
    loan = Loan.objects.select_related("copy", "reader").get(copy__barcode="OLD00")
    assert (loan.reader.number, loan.due_on, timezone.localdate(loan.lent_at), loan.state) == (
        "S001",
        due,
        lent,
        Loan.State.OPEN,
    )
    assert loan.copy.status == Copy.Status.ON_LOAN
    assert Loan.objects.get(copy__barcode="OLD11").reader.number == "S002"
    run = notices_send(today=today)
    assert run.overdue == 1
    assert Notice.objects.get(kind=Notice.Kind.OVERDUE).loan == loan


def test_the_loans_step_run_again_matches_its_loans_and_saves_nothing_twice(tmp_path):
    catalogue_and_readers(tmp_path)
    path = loans_file(tmp_path, [("S001", "OLD00", "2026-09-01", "2026-09-30")])
    loans_migrate(path=path, extension=".csv", dry_run=False, today=date(2026, 10, 1))
    changes = CopyStatusChange.objects.count()
    again = loans_migrate(path=path, extension=".csv", dry_run=False, today=date(2026, 10, 1))
    assert (again.ok, again.created, again.matched) == (True, {"loans": 0}, {"loans": 1})
    assert (Loan.objects.count(), CopyStatusChange.objects.count()) == (1, changes)


def test_a_loan_for_a_copy_or_reader_that_does_not_exist_refuses_the_whole_step_by_row(tmp_path):
    catalogue_and_readers(tmp_path)
    path = loans_file(
        tmp_path,
        [
            ("S001", "OLD00", "2026-09-01", "2026-09-30"),
            ("S404", "OLD01", "2026-09-01", "2026-09-30"),
            ("S002", "NOPE", "2026-09-01", "2026-09-30"),
            ("S002", "OLD10", "2026-09-31", "2026-10-30"),
            ("S002", "OLD00", "2026-09-05", "2026-09-01"),
        ],
    )
    report = loans_migrate(path=path, extension=".csv", dry_run=False, today=date(2026, 10, 1))
    assert not report.saved
    assert report.refused == [
        (3, "OLD01", "No reader has the number or card S404."),
        (4, "NOPE", "No copy has the barcode NOPE."),
        (5, "OLD10", "“2026-09-31” in lent on is not a date such as 2024-09-01."),
        (6, "OLD00", "The barcode is also lent in row 2. The due date is before the loan date."),
    ]
    assert Loan.objects.count() == 0
    assert not Copy.objects.filter(status=Copy.Status.ON_LOAN).exists()


def test_a_copy_already_lent_to_someone_else_is_refused(tmp_path):
    catalogue_and_readers(tmp_path)
    other = ReaderFactory(number="S999", kind=Reader.Kind.TEACHER)
    loans_migrate(
        path=loans_file(tmp_path, [("S999", "OLD00", "2026-09-01", "2026-09-30")]),
        extension=".csv",
        dry_run=False,
        today=date(2026, 10, 1),
    )
    report = loans_migrate(
        path=loans_file(tmp_path, [("S001", "OLD00", "2026-09-01", "2026-09-30")], name="b.csv"),
        extension=".csv",
        dry_run=False,
        today=date(2026, 10, 1),
    )
    assert report.refused == [(2, "OLD00", "This copy is already on loan to another reader.")]
    assert Loan.objects.get().reader == other


def test_a_loans_file_without_its_columns_is_refused_as_a_whole(tmp_path):
    path = roster_csv(tmp_path / "x.csv", [("1", "2")], headers=("书名", "作者"))
    report = loans_migrate(path=path, extension=".csv", dry_run=False)
    assert report.problems and "条码" in report.problems[0]


# --- the command ----------------------------------------------------------------------------------


def manage(*arguments: str, tmp_path: Path) -> subprocess.CompletedProcess:
    database = settings.DATABASES["default"]
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "library_site.settings",
        "LIBRARY_VAR_DIR": str(tmp_path / "var"),
        "LANGUAGE": "en",
    }
    if database["ENGINE"].endswith("sqlite3"):
        environment["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        environment["DATABASE_URL"] = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    return subprocess.run(
        [sys.executable, "manage.py", "migrate_from", *arguments],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("data_from_migrations")
def test_the_command_moves_all_three_steps_and_a_second_run_changes_nothing(tmp_path):
    records = tmp_path / "馆藏.iso"
    records.write_bytes(old_catalogue())
    readers = readers_file(tmp_path)
    loans = loans_file(tmp_path, [("S001", "OLD00", "2026-09-01", "2026-09-30")])
    arguments = ("cnmarc", "--records", str(records), "--readers", str(readers), "--loans", str(loans))
    checked = manage(*arguments, "--dry-run", tmp_path=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert Record.objects.count() == 0 and Reader.objects.count() == 0
    done = manage(*arguments, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "书目和复本：新建 书目 2，复本 4；已有 书目 0，复本 0；拒绝 0" in done.stdout
    assert (Record.objects.count(), Copy.objects.count(), Reader.objects.count(), Loan.objects.count()) == (
        2,
        4,
        2,
        1,
    )
    again = manage(*arguments, tmp_path=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "在借图书：新建 借阅 0；已有 借阅 1；拒绝 0" in again.stdout
    assert (Record.objects.count(), Copy.objects.count(), Reader.objects.count(), Loan.objects.count()) == (
        2,
        4,
        2,
        1,
    )
    refused = manage("cnmarc", "--map", "accession_number=905b", "--records", str(records), tmp_path=tmp_path)
    assert refused.returncode != 0 and "905 $b 同时对应了条码和财产登记号" in refused.stderr


# --- the page ---------------------------------------------------------------------------------------


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def administrator(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    return client


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.TEACHER, Role.STUDENT])
def test_only_administrators_may_move_a_school(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("circulation:old-system")).status_code == 403


@pytest.mark.usefixtures("eager_tasks")
def test_the_page_previews_runs_in_the_worker_and_reports(administrator, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import Location

    url = reverse("circulation:old-system")
    upload = SimpleUploadedFile("馆藏.iso", old_catalogue())
    response = administrator.post(
        url,
        {
            "step": "records",
            "action": "preview",
            "profile": "cnmarc",
            "location": Location.objects.first().pk,
            "file": upload,
        },
    )
    assert response.status_code == 302
    page = administrator.get(url).content.decode()
    assert 'data-preview="records"' in page and Record.objects.count() == 0
    token = administrator.session["circulation-old-system"]["records"]["token"]
    administrator.post(url, {"step": "records", "action": "run", "token": token})
    page = administrator.get(url).content.decode()
    assert 'data-report="records"' in page
    assert (Record.objects.count(), Copy.objects.count()) == (2, 4)
    # Sent twice (a second click), the step is not saved twice.
    administrator.post(url, {"step": "records", "action": "run", "token": token})
    assert Copy.objects.count() == 4


def test_a_profile_mapping_two_fields_to_one_subfield_is_refused_on_the_page(administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import Location

    response = administrator.post(
        reverse("circulation:old-system"),
        {
            "step": "records",
            "action": "preview",
            "profile": "cnmarc",
            "location": Location.objects.first().pk,
            "map_price": "905$b",
            "file": SimpleUploadedFile("a.iso", old_catalogue()),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errorlist nonfield"><li>905 $b' in page and "条码" in page and "价格" in page
    assert Record.objects.count() == 0


def test_a_refused_step_cannot_be_run(administrator, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("circulation:old-system")
    rows = "读者证号,条码,借出日期,应还日期\nS404,NOPE,2026-09-01,2026-09-30\n"
    administrator.post(
        url, {"step": "loans", "action": "preview", "file": SimpleUploadedFile("l.csv", rows.encode())}
    )
    page = administrator.get(url).content.decode()
    assert "没有学号、工号或借书证号为 S404 的读者。" in page and 'data-run="loans"' not in page
    token = administrator.session["circulation-old-system"]["loans"]["token"]
    administrator.post(url, {"step": "loans", "action": "run", "token": token})
    assert Loan.objects.count() == 0
