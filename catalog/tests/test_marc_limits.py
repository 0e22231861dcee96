"""A file too large for the MARC page: the page says where to take it (the command), in both
languages, and the command takes it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from catalog.forms.marc import MarcUploadForm
from catalog.marc import marc_preview
from catalog.models import Copy, Record

from .factories import location_default
from .marc_samples import cnmarc, isbn13, iso

MB = 1024 * 1024


def a_file_over(megabytes: int) -> bytes:
    """Distinct CNMARC records (each with a barcode of its own) until the file is larger than
    ``megabytes`` MB."""
    records, size, number = [], 0, 0
    while size <= megabytes * MB:
        record = iso(
            cnmarc(
                f"测试图书第{number}册",
                isbn=isbn13(f"97875{number:07d}"),
                holdings=((f"L{number:07d}", "", ""),),
            ),
            encoding="gb18030",
        )
        records.append(record)
        size += len(record)
        number += 1
    return b"".join(records)


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "The file is larger than 1 MB, the most this page takes. Import a larger file on the server with "
            "“python manage.py import_marc FILE” (a whole catalogue of 50,000 records goes in that way), or "
            "export it from the old system in parts.",
        ),
        (
            "zh-hans",
            "文件超过 1 MB，这是本页能接收的上限。更大的文件请在服务器上用“python manage.py import_marc 文件名”导入"
            "（五万条书目的整个馆藏目录就这样导入），或者从旧系统分批导出。",
        ),
    ],
)
def test_the_upload_form_refuses_a_file_too_large_and_says_what_to_do(settings, language, message):
    settings.CATALOG_IMPORT_MAX_BYTES = MB
    with translation.override(language):
        form = MarcUploadForm(
            data={"copies": 1, "location": location_default().pk, "existing": "skip"},
            files={"file": SimpleUploadedFile("catalogue.mrc", b"0" * (MB + 1))},
        )
        assert not form.is_valid()
        assert form.errors["file"] == [message]


@pytest.mark.django_db
def test_the_preview_refuses_a_file_too_large_for_the_page_with_the_same_message(settings):
    settings.CATALOG_IMPORT_MAX_BYTES = MB
    with translation.override("en"):
        report = marc_preview(b"0" * (MB + 1))
    assert report.refused and report.problems[0].startswith(
        "The file is larger than 1 MB, the most this page"
    )
    assert Record.objects.count() == 0


@pytest.mark.django_db
def test_the_command_imports_a_file_larger_than_the_page_takes(settings, tmp_path):
    """Given the page's limit of 1 MB and a file above it, the command reads it (its own limit,
    CATALOG_IMPORT_COMMAND_MAX_BYTES) and saves every record with its copy."""
    settings.CATALOG_IMPORT_MAX_BYTES = MB
    settings.CATALOG_IMPORT_COMMAND_MAX_BYTES = 4 * MB
    path = tmp_path / "catalogue.mrc"
    path.write_bytes(a_file_over(1))
    out = StringIO()
    with translation.override("en"):
        call_command("import_marc", str(path), stdout=out, stderr=StringIO())
    count = Record.objects.count()
    assert count > 1000 and Copy.objects.count() == count
    assert f"Saved: {count} new records and {count} copies" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_file_over_its_own_limit_and_saves_nothing(settings, tmp_path):
    settings.CATALOG_IMPORT_MAX_BYTES = MB
    settings.CATALOG_IMPORT_COMMAND_MAX_BYTES = MB
    path = tmp_path / "catalogue.mrc"
    path.write_bytes(a_file_over(1))
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import_marc", str(path), stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 2 and str(error.value) == "The file is larger than 1 MB."
    assert Record.objects.count() == 0
