"""Uploads cannot stall the site: every .xlsx import (catalogue records, the roster, a purchase
plan's lines) refuses a zip bomb from the archive's directory, before anything is unpacked, with
a clear message, and saves nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from catalog.models import Copy, PurchasePlanLine, Record
from catalog.services.transfer import import_prepare
from catalog.tests.test_acquisitions_views import HEADERS as PLAN_HEADERS
from catalog.tests.test_acquisitions_views import make_plan
from circulation.exceptions import RosterRefused
from circulation.models import Reader
from circulation.services.school import roster_import
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.documents import archives
from library_site.documents.exceptions import FileRefused
from library_site.documents.sheets import sheets_open

from .bombs import xlsx_bomb

pytestmark = pytest.mark.django_db

CATALOGUE_HEADERS = [
    "题名",
    "责任者",
    "出版社",
    "出版年",
    "ISBN",
    "定价",
    "中图法分类号",
    "条码",
    "馆藏地点",
    "来源",
]
ROSTER_HEADERS = ["学号", "姓名", "性别", "班级", "家长联系方式"]
TOO_LARGE = "too large once unpacked"


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    """Real zip bombs of about 2 MB whose sheet XML unpacks to 250 MB (under the old 600 MB
    limit on the declared total, which let them through to openpyxl)."""
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "catalogue": xlsx_bomb(
            folder / "books.xlsx",
            headers=CATALOGUE_HEADERS,
            row=["草房子", "曹文轩", "江苏少儿", "2020", "9787534665431", "25", "I287", "T1", "", ""],
            unpacked_megabytes=250,
        ),
        "roster": xlsx_bomb(
            folder / "roster.xlsx",
            headers=ROSTER_HEADERS,
            row=["S001", "张三", "男", "三年级(1)班", ""],
            unpacked_megabytes=250,
        ),
        "plan": xlsx_bomb(
            folder / "plan.xlsx",
            headers=PLAN_HEADERS,
            row=["草房子", "9787534665431", "曹文轩", "江苏少儿", "5", "25", "", "I287", "语文"],
            unpacked_megabytes=250,
        ),
    }


def test_the_bombs_are_small_files_that_promise_hundreds_of_megabytes(bombs):
    for path in bombs.values():
        assert path.stat().st_size < 3 * 1024 * 1024
        with zipfile.ZipFile(path) as archive:
            assert sum(entry.file_size for entry in archive.infolist()) > 250 * 1024 * 1024


def test_the_check_reads_the_directory_and_refuses_a_high_ratio(bombs):
    with pytest.raises(FileRefused, match=TOO_LARGE):
        archives.archive_check(bombs["catalogue"])
    with pytest.raises(FileRefused, match=TOO_LARGE):
        archives.archive_check(bombs["catalogue"].read_bytes())


def test_too_many_entries_or_too_much_in_all_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(30):
            archive.writestr(f"part{number}.xml", "<a/>")
    archives.archive_check(path)
    monkeypatch.setattr(archives, "MAX_ENTRIES", 20)
    with pytest.raises(FileRefused, match=TOO_LARGE):
        archives.archive_check(path)
    monkeypatch.setattr(archives, "MAX_ENTRIES", 2_000)
    with pytest.raises(FileRefused, match=TOO_LARGE):
        archives.archive_check(path, max_unpacked_bytes=100)


def test_a_file_that_is_not_a_zip_is_refused_as_damaged():
    with pytest.raises(FileRefused, match="damaged"):
        archives.archive_check(b"PK\x03\x04 not really a zip")


def test_an_ordinary_workbook_passes(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    for number in range(2_000):
        workbook.active.append([f"书名{number}", f"T{number:06}", "I287", number])
    path = tmp_path / "ordinary.xlsx"
    workbook.save(path)
    archives.archive_check(path)
    with sheets_open(path, ".xlsx") as sheets:
        assert sum(1 for _row in sheets[0][1]()) == 2_000


def test_the_catalogue_import_refuses_the_bomb_and_saves_nothing(bombs):
    plan = import_prepare(bombs["catalogue"])
    assert TOO_LARGE in plan.refusal
    assert plan.rows == [] and not plan.ok
    assert (Record.objects.count(), Copy.objects.count()) == (0, 0)


def test_the_roster_import_refuses_the_bomb_and_saves_nothing(bombs):
    with pytest.raises(RosterRefused, match=TOO_LARGE):
        roster_import(path=bombs["roster"], extension=".xlsx", dry_run=False)
    assert Reader.objects.count() == 0


def test_the_purchase_plan_import_refuses_the_bomb_in_the_page_and_saves_nothing(
    client, bombs, monkeypatch, django_capture_on_commit_callbacks
):
    from library_site.system.tasks import upload_preview_task

    sent = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: sent.append((args, kwargs)),
    )
    user = UserFactory(roles=[Role.LIBRARIAN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    plan = make_plan(user, lines=0)
    upload = io.BytesIO(bombs["plan"].read_bytes())
    upload.name = "plan.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), {"file": upload})
    if sent:  # larger than a page reads itself: the worker refuses it, the page then says why
        args, kwargs = sent[0]
        upload_preview_task(*args, **kwargs)
        response = client.get(reverse("catalog:purchase-plan", args=[plan.pk]))
    assert response.status_code == 400
    errors = [str(error) for error in response.context["import_errors"]]
    assert any(TOO_LARGE in error for error in errors), errors
    assert PurchasePlanLine.objects.filter(plan=plan).count() == 0
