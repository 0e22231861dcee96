"""The commands for administrators who script their work: import_records (with --dry-run and
--template) and export_records, run as a person runs them (a separate process: exit codes and
output) and in-process (the English report)."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from openpyxl import load_workbook

from catalog.models import Copy, Record
from library_site.testing import subprocess_env

from .factories import RecordFactory
from .spreadsheet_files import GOOD_ROWS, HEADER, catalogue_in_database, write_csv, write_xlsx  # noqa: F401


def database_url() -> str:
    """The test database, for a manage.py started by the test."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}/{database['NAME']}"


def manage(*arguments, tmp_path):
    return subprocess.run(
        [sys.executable, "manage.py", *map(str, arguments)],
        cwd=settings.BASE_DIR,
        env=subprocess_env(
            DATABASE_URL=database_url(), LIBRARY_VAR_DIR=str(tmp_path / "var"), LOG_LEVEL="WARNING"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- as a person runs them: separate processes on the test database ----------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue_in_database")
def test_a_dry_run_reports_every_row_and_saves_nothing(tmp_path):
    path = write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS)
    result = manage("import_records", path, "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 7  # one line per row and the summary
    assert "草房子" in lines[0] and "X0000103" in lines[5]
    assert Record.objects.count() == 0 and Copy.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue_in_database")
def test_an_import_saves_every_row(tmp_path):
    path = write_csv(tmp_path / "books.csv", GOOD_ROWS, encoding="gbk")
    result = manage("import_records", path, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert Record.objects.count() == 2 and Copy.objects.count() == 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue_in_database")
def test_a_refused_file_exits_non_zero_with_the_row_numbered_errors(tmp_path):
    RecordFactory(title="已有图书", copies=1)
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[1][:4], "978-7-5346-0001-0", *GOOD_ROWS[1][5:]], GOOD_ROWS[2]]
    rows.append([*GOOD_ROWS[3][:8], "火星分馆", *GOOD_ROWS[3][9:]])
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = manage("import_records", path, tmp_path=tmp_path)
    assert result.returncode == 1
    assert "3" in result.stderr and "ISBN" in result.stderr
    assert "5" in result.stderr and "馆藏地点" in result.stderr and "火星分馆" in result.stderr
    assert Record.objects.count() == 1 and Copy.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue_in_database")
def test_a_renamed_text_file_exits_non_zero(tmp_path):
    path = tmp_path / "books.xlsx"
    path.write_text("题名\n草房子\n", encoding="utf-8")
    result = manage("import_records", path, "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 1
    assert ".xlsx" in result.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue_in_database")
def test_export_and_template_write_their_files(tmp_path):
    RecordFactory(title="草房子", copies=3)
    result = manage("export_records", tmp_path / "out.xlsx", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(load_workbook(tmp_path / "out.xlsx", read_only=True).worksheets[0].values)
    assert len(rows) == 4 and rows[1][0] == "草房子"
    result = manage("import_records", "--template", tmp_path / "template.xlsx", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert load_workbook(tmp_path / "template.xlsx").sheetnames == ["馆藏", "说明"]
    bad = manage("export_records", tmp_path / "out.pdf", tmp_path=tmp_path)
    assert bad.returncode == 1


# --- in-process: the words of the report ------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_the_report_in_words(tmp_path, english):
    RecordFactory(title="西游记", isbn="9787020002207", copies=1)
    out = StringIO()
    call_command("import_records", str(write_xlsx(tmp_path / "b.xlsx", GOOD_ROWS)), "--dry-run", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "Row 2: new record “草房子”"
    assert lines[1] == "Row 3: another copy of the record on row 2"
    assert lines[3] == "Row 5: copy added to the catalogue's record “西游记”, barcode X0000101"
    assert lines[-1] == (
        "6 rows: 1 new records, 6 copies (3 added to records the catalogue already has). "
        "Dry run: nothing was saved."
    )
    assert Record.objects.count() == 1


@pytest.mark.django_db
def test_the_refusal_in_words(tmp_path, english):
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[1][:6], "L123", *GOOD_ROWS[1][7:]]]
    err = StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command(
            "import_records", str(write_xlsx(tmp_path / "b.xlsx", rows)), stdout=StringIO(), stderr=err
        )
    assert str(refusal.value) == "The file was refused: 1 of 2 rows have errors. Nothing was saved."
    assert err.getvalue().strip() == (
        "Row 3, 中图法分类号: L123 is not a class of the Chinese Library Classification."
    )
    assert Record.objects.count() == 0


@pytest.mark.django_db
def test_the_import_names_who_catalogued(tmp_path, english):
    from library_site.accounts.tests.factories import UserFactory

    UserFactory(username="wanglib")
    out = StringIO()
    call_command(
        "import_records", str(write_xlsx(tmp_path / "b.xlsx", GOOD_ROWS)), "--user", "wanglib", stdout=out
    )
    assert "Saved: 2 new records and 6 copies." in out.getvalue()
    assert set(Record.objects.values_list("created_by__username", flat=True)) == {"wanglib"}
    assert set(Copy.objects.values_list("created_by__username", flat=True)) == {"wanglib"}
    with pytest.raises(CommandError):
        call_command("import_records", str(tmp_path / "b.xlsx"), "--user", "nobody", stdout=StringIO())


@pytest.mark.django_db
def test_the_export_of_one_location(tmp_path, english):
    RecordFactory(title="草房子", copies=2)
    out = StringIO()
    call_command("export_records", str(tmp_path / "room.csv"), "--location", "书库", stdout=out)
    assert out.getvalue().startswith("2 copies written to")
    with pytest.raises(CommandError):
        call_command("export_records", str(tmp_path / "x.csv"), "--location", "月球", stdout=StringIO())


def test_header_matches_the_import_columns():
    from catalog.spreadsheet import BY_KEY, HEADERS, _header_fold

    assert all(HEADERS.get(_header_fold(name)) for name in HEADER)
    assert BY_KEY["barcode"].header == "条码"
