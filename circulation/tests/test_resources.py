import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from import_export.formats.base_formats import XLSX

from circulation.models import Reader
from circulation.resources import ReaderResource
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.documents.sheets import spreadsheet_safe

from .factories import ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


def exported_rows(queryset):
    with translation.override("zh-hans"):
        dataset = ReaderResource().export(queryset=queryset)
        content = XLSX().export_data(dataset)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_readers_export_to_excel_with_chinese_headers_and_their_active_card():
    ReaderFactory(
        number="2026030201",
        full_name="林小雨",
        card_number="R0000001",
        school_class=SchoolClassFactory(grade=3, number=2),
    )
    rows = exported_rows(Reader.objects.all())
    assert rows[0] == ["学号或工号", "姓名", "读者类别", "班级", "部门", "性别", "状态", "借书证号"]
    assert rows[1] == ["2026030201", "林小雨", "学生", "三年级(2)班", None, None, "有效", "R0000001"]


def test_a_name_that_looks_like_a_formula_is_exported_as_text():
    ReaderFactory(full_name='=HYPERLINK("http://evil")')
    ReaderFactory(full_name="@SUM(A1)")
    rows = exported_rows(Reader.objects.order_by("number"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[2][1] == "'@SUM(A1)"


def test_the_export_takes_a_constant_number_of_queries(django_assert_max_num_queries):
    for _ in range(3):
        ReaderFactory()
    with django_assert_max_num_queries(4) as few:
        ReaderResource().export(queryset=Reader.objects.all())
    for _ in range(12):
        ReaderFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        ReaderResource().export(queryset=Reader.objects.all())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("林", "林"),
        (42, 42),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def test_a_librarian_may_export_readers_from_the_back_office(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    assert client.get(reverse("admin:circulation_reader_changelist")).status_code == 200
    assert client.get(reverse("admin:circulation_reader_export")).status_code == 200


def test_a_reader_cannot_be_deleted_from_the_back_office(client):
    reader = ReaderFactory()
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.post(reverse("admin:circulation_reader_delete", args=[reader.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Reader.objects.filter(pk=reader.pk).exists()
