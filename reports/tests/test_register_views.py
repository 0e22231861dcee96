"""The registers page, its background jobs, the purge and the command: who may export, what a
second press does, and what bad input gets."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from circulation.models import Reader
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.navigation import menu_for, menu_keys
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports import register_files
from reports.tasks import register_export_task, register_exports_purge_task

from .test_registers import SEPT_1, lend

pytestmark = pytest.mark.django_db
URL = "/reports/registers/"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SCHOOL_NAME = "Riverside"


@pytest.fixture
def administrator(client):
    client.cookies["django_language"] = "en"
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def staff_loans():
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="王老师", number="T001")
    copies = copies_of("红楼梦", count=5)
    return [lend(copy, teacher, SEPT_1 + timedelta(days=index)) for index, copy in enumerate(copies)]


def form(letter="A", token="tok-1", **changes):  # noqa: S107 (a page token, not a password)
    return {
        "register": letter,
        "date_from": "2026-09-01",
        "date_to": "2027-01-31",
        "format": "xlsx",
        "token": token,
        **changes,
    }


def job_folders(tmp_path) -> list[str]:
    root = tmp_path / "registers"
    return sorted(folder.name for folder in root.iterdir()) if root.is_dir() else []


def read(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def test_the_page_shows_every_register_and_the_filters_that_fit_it(administrator):
    page = administrator.get(URL).content.decode()
    for letter in ("A", "B", "C", "D", "E", "F", "G", "H", "I"):
        assert f'data-register="{letter}"' in page
    assert 'data-register="K"' not in page
    assert 'name="reader_kind"' in page and 'name="grade"' not in page and 'name="room"' not in page
    page = administrator.get(URL, {"register": "I"}).content.decode()
    assert 'data-register-form="I"' in page and 'name="grade"' in page and 'name="school_class"' in page
    page = administrator.get(URL, {"register": "B"}).content.decode()
    assert 'name="room"' in page and 'name="grade"' not in page


def test_the_period_is_filled_in_for_the_date_pickers(administrator):
    from reports.selectors.registers import register_period_default

    first, last = register_period_default()
    page = administrator.get(URL).content.decode()
    assert f'type="date" name="date_from" value="{first:%Y-%m-%d}"' in page
    assert f'type="date" name="date_to" value="{last:%Y-%m-%d}"' in page


def test_the_menu_offers_the_registers_to_administrators_only():
    assert "registers" in menu_keys(menu_for(UserFactory(roles=[Role.ADMINISTRATOR])))
    for role in (Role.LIBRARIAN, Role.LEADER, Role.TEACHER, Role.STUDENT):
        assert "registers" not in menu_keys(menu_for(UserFactory(roles=[role])))


def test_a_small_register_downloads_at_once_and_a_second_press_computes_nothing_again(
    administrator, staff_loans, tmp_path
):
    response = administrator.post(URL, form())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="A-Staff loan register-20260901-20270131.xlsx"' in response["Content-Disposition"]
    rows = read(response)
    assert rows[0][0] == "Riverside Staff loan register"
    assert [row[1] for row in rows[3:8]] == [(SEPT_1 + timedelta(days=day)) for day in range(5)] or len(
        rows
    ) == 9
    assert [row[0] for row in rows[3:8]] == [1, 2, 3, 4, 5]
    [job_id] = job_folders(tmp_path)
    made = register_files.job_result(job_id)["at"]

    again = administrator.post(URL, form())
    assert again.status_code == 200 and read(again)[3:8] == rows[3:8]
    assert job_folders(tmp_path) == [job_id] and register_files.job_result(job_id)["at"] == made

    # The same page with another choice is another file.
    csv_response = administrator.post(URL, form(format="csv"))
    assert b"".join(csv_response.streaming_content).startswith("\ufeffNo.,Lent on".encode())
    assert len(job_folders(tmp_path)) == 2


def test_a_large_register_is_made_by_the_worker_with_progress_then_downloaded(
    administrator, staff_loans, tmp_path, settings, monkeypatch
):
    settings.REPORTS_REGISTER_INLINE_ROWS = 2
    sent = []
    monkeypatch.setattr("reports.tasks.register_export_task.delay", sent.append)

    response = administrator.post(URL, form())
    [job_id] = job_folders(tmp_path)
    assert response.status_code == 302 and response["Location"] == f"/reports/registers/jobs/{job_id}/"
    assert sent == [job_id]
    waiting = administrator.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert (
        'data-job="0/5"' in waiting
        and "0 of 5 rows written." in waiting
        and 'hx-trigger="every 1s"' in waiting
    )

    again = administrator.post(URL, form())
    assert again["Location"] == response["Location"] and sent == [
        job_id
    ]  # a second press sends no second job

    register_export_task.apply(args=[job_id]).get()

    done = administrator.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "The register is ready: 5 rows." in done and "hx-trigger" not in done
    download = administrator.get(reverse("reports:register-download", args=[job_id]))
    assert [row[2] for row in read(download)[3:8]] == ["王老师"] * 5
    page = administrator.get(URL).content.decode()
    assert "A-Staff loan register-20260901-20270131.xlsx" in page and "5 rows" in page

    # Another administrator cannot see or fetch this person's file.
    administrator.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    assert administrator.get(response["Location"]).status_code == 404
    assert administrator.get(reverse("reports:register-download", args=[job_id])).status_code == 404


def test_a_job_whose_worker_stopped_says_so(administrator, staff_loans, tmp_path, settings, monkeypatch):
    settings.REPORTS_REGISTER_INLINE_ROWS = 2
    monkeypatch.setattr("reports.tasks.register_export_task.delay", lambda job_id: None)
    response = administrator.post(URL, form())
    [job_id] = job_folders(tmp_path)
    meta_path = tmp_path / "registers" / job_id / "meta.json"
    meta = register_files.job_meta(job_id)
    meta["created"] = time.time() - 3600
    meta_path.write_text(__import__("json").dumps(meta))
    page = administrator.get(response["Location"]).content.decode()
    assert "data-job-failed" in page and "the background worker stopped" in page


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.LEADER, Role.TEACHER, Role.STUDENT])
def test_people_without_the_export_right_are_refused_and_nothing_is_made(client, role, staff_loans, tmp_path):
    owner = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(owner)
    client.post(URL, form(token="owner"))
    [job_id] = job_folders(tmp_path)

    client.force_login(UserFactory(roles=[role]))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(token="other")).status_code == 403
    assert client.get(reverse("reports:register-job", args=[job_id])).status_code == 403
    assert client.get(reverse("reports:register-download", args=[job_id])).status_code == 403
    assert job_folders(tmp_path) == [job_id]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"date_from": "2027-01-31", "date_to": "2026-09-01"},
            "The period ends (1 Sep 2026) before it begins (31 Jan 2027)",
        ),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "A register covers at most 5 years"),
        ({"date_from": "2026-02-30"}, "Enter a valid date."),
    ],
)
def test_a_bad_period_gets_a_clear_message_and_makes_nothing(administrator, changes, message, tmp_path):
    response = administrator.post(URL, form(**changes))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert job_folders(tmp_path) == []


def test_a_class_outside_the_grade_chosen_is_refused(administrator, tmp_path):
    school_class = SchoolClassFactory(grade=3, number=1)
    response = administrator.post(URL, form("I", grade="4", school_class=str(school_class.pk)))
    assert "This class is not in the grade chosen." in response.content.decode()
    assert job_folders(tmp_path) == []


def test_the_page_reads_in_a_constant_number_of_queries(administrator, django_assert_max_num_queries):
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, number="T1")
    copies = copies_of("书", count=30)
    for index, copy in enumerate(copies[:3]):
        lend(copy, teacher, SEPT_1 + timedelta(days=index))
    with django_assert_max_num_queries(12) as few:
        administrator.post(URL, form(token="a"))
    for index, copy in enumerate(copies[3:]):
        lend(copy, teacher, SEPT_1 + timedelta(days=index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        administrator.post(URL, form(token="b"))


def test_files_are_purged_after_a_day(tmp_path):
    root = tmp_path / "registers"
    for name in ("a" * 32, "b" * 32):
        (root / name).mkdir(parents=True)
        (root / name / "register.xlsx").write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    os.utime(root / ("a" * 32), (two_days_ago, two_days_ago))
    assert register_exports_purge_task.apply().get() == 1
    assert job_folders(tmp_path) == ["b" * 32]


# --- the command ------------------------------------------------------------------------------------


def test_the_command_writes_a_register_as_xlsx_or_csv(staff_loans, tmp_path):
    out = io.StringIO()
    call_command(
        "export_register",
        "a",
        "--from",
        "2026-09-01",
        "--to",
        "2027-01-31",
        "--out",
        str(tmp_path / "a.xlsx"),
        "--language",
        "en",
        stdout=out,
    )
    assert "Wrote register A (5 rows)" in out.getvalue()
    rows = list(load_workbook(tmp_path / "a.xlsx").worksheets[0].iter_rows(values_only=True))
    assert rows[2][:3] == ("No.", "Lent on", "Name") and len(rows) == 9

    call_command(
        "export_register",
        "A",
        "--from",
        "2026-09-01",
        "--to",
        "2027-01-31",
        "--out",
        str(tmp_path / "a.txt"),
        "--format",
        "csv",
        "--language",
        "en",
        stdout=out,
    )
    text = (tmp_path / "a.txt").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("No.,Lent on,Name") and len(text.splitlines()) == 7


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["K", "--from", "2026-09-01", "--to", "2027-01-31"], "There is no register K"),
        (["A", "--from", "2027-01-31", "--to", "2026-09-01"], "before it begins"),
        (["A", "--from", "2016-01-01", "--to", "2026-09-01"], "at most 5 years"),
        (["A", "--from", "yesterday", "--to", "2026-09-01"], "--from is a day written YYYY-MM-DD"),
        (
            ["A", "--from", "2026-09-01", "--to", "2027-01-31", "--grade", "3"],
            "Register A has no filter --grade",
        ),
        (["B", "--from", "2026-09-01", "--to", "2027-01-31", "--room", "火星"], "There is no room '火星'"),
        (["I", "--from", "2026-09-01", "--to", "2027-01-31", "--class", "9-9"], "There is no class 9-9"),
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_message(arguments, message, tmp_path):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_register", *arguments, "--out", str(out), "--language", "en")
    assert not out.exists()


def test_the_command_wants_a_known_file_type(tmp_path):
    with pytest.raises(CommandError, match=r"ending in \.xlsx or \.csv"):
        call_command(
            "export_register",
            "A",
            "--from",
            "2026-09-01",
            "--to",
            "2027-01-31",
            "--out",
            str(tmp_path / "a.pdf"),
        )
    assert not (tmp_path / "a.pdf").exists()
