"""Import and export of records with their copies: real .xlsx and .csv files made in tmp_path,
checked whole, saved all or nothing, exported and imported again."""

from __future__ import annotations

import csv
import io
import os
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from catalog.exceptions import ImportFailed
from catalog.models import Contributor, Copy, Location, Record
from catalog.resources import CatalogueResource
from catalog.selectors.transfer import export_csv, export_xlsx, template_write
from catalog.services.copies import copies_add
from catalog.services.records import record_create
from catalog.services.transfer import import_file, import_prepare, import_save
from catalog.spreadsheet import COLUMNS, IMPORT_COLUMNS, Fate, contributors_parse
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.documents import uploads

from .factories import RecordFactory, location_default
from .spreadsheet_files import GOOD_ROWS, HEADER, isbn13, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()


def counts():
    return Record.objects.count(), Copy.objects.count(), Contributor.objects.count()


def errors_of(plan):
    return [(row.row, column, message) for row in plan.rows for column, message in row.errors or ()]


def refused_and_unchanged(plan, before):
    assert not plan.ok
    with pytest.raises(ImportFailed):
        import_save(plan)
    assert counts() == before


# --- a good file ---------------------------------------------------------------------------------


def test_a_good_file_makes_two_records_with_three_copies_each(tmp_path):
    path = write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS, title="实验小学图书馆 2024 年新书清单")
    plan = import_prepare(path)
    assert plan.ok and plan.header_row == 2
    assert [(row.row, row.fate, row.first_row) for row in plan.rows] == [
        (3, Fate.NEW, None),
        (4, Fate.SAME, 3),
        (5, Fate.SAME, 3),
        (6, Fate.NEW, None),
        (7, Fate.SAME, 6),
        (8, Fate.SAME, 6),  # the ISBN-10 of the same book
    ]
    assert plan.counts()["new_records"] == 2 and plan.counts()["copies"] == 6
    assert counts() == (0, 0, 0)  # the preview saves nothing

    outcome = import_save(plan)

    assert outcome == {"records": 2, "copies": 6, "existing_records": 0, "existing_copies": 0}
    grass = Record.objects.get(title="草房子")
    assert grass.isbn == isbn13(1)
    assert grass.call_number == "I287.45/1"
    assert grass.classification.code == "I287.4" or grass.classification.code.startswith("I287")
    assert grass.title_initials == "cfz"
    assert list(grass.contributors.values_list("name", "role")) == [("曹文轩", "author")]
    assert [copy.location.name for copy in grass.copies.order_by("barcode")] == ["书库", "书库", "阅览室"]
    assert sorted(grass.copies.values_list("barcode", flat=True)) == ["T0000001", "T0000002", "T0000003"]
    assert all(copy.price_paid == Decimal("28.00") for copy in grass.copies.all())
    journey = Record.objects.get(title="西游记")
    assert journey.isbn == "9787020002207" and journey.call_number == "I242.4/1"
    assert sorted(journey.copies.values_list("barcode", flat=True)) == ["X0000101", "X0000102", "X0000103"]
    assert journey.copies.get(barcode="X0000101").source == Copy.Source.DONATION
    assert len(set(Copy.objects.values_list("accession_number", flat=True))) == 6


def test_the_same_file_as_csv_in_utf8_and_in_gbk(tmp_path):
    utf8 = import_prepare(write_csv(tmp_path / "utf8.csv", GOOD_ROWS))
    gbk = import_prepare(write_csv(tmp_path / "gbk.csv", GOOD_ROWS, encoding="gbk"))
    gb18030 = import_prepare(write_csv(tmp_path / "gb.csv", GOOD_ROWS, encoding="gb18030"))
    for plan in (utf8, gbk, gb18030):
        assert plan.ok, plan.error_lines()
        assert [row.title for row in plan.rows] == ["草房子"] * 3 + ["西游记"] * 3
    import_save(gbk)
    assert Record.objects.filter(title="草房子", contributors__name="曹文轩").exists()


def test_english_field_names_are_accepted_as_headers(tmp_path):
    header = [
        "title",
        "contributors",
        "publisher",
        "year",
        "isbn",
        "price",
        "clc_code",
        "barcode",
        "location",
        "source",
    ]
    plan = import_prepare(write_xlsx(tmp_path / "english.xlsx", GOOD_ROWS, header=header))
    assert plan.ok
    assert plan.counts()["new_records"] == 2


def test_a_known_isbn_adds_copies_to_the_record_the_catalogue_has(tmp_path):
    existing = RecordFactory(title="西游记", isbn="9787020002207", clc_code="I242.4", copies=1)
    before_records = Record.objects.count()
    plan = import_prepare(write_xlsx(tmp_path / "more.xlsx", GOOD_ROWS[3:]))
    assert [row.fate for row in plan.rows] == [Fate.EXISTING] * 3
    assert {row.existing_id for row in plan.rows} == {existing.pk}
    import_save(plan)
    assert Record.objects.count() == before_records
    assert existing.copies.count() == 4


def test_without_isbn_title_first_author_and_publisher_make_one_record(tmp_path):
    rows = [
        ["小猪唏哩呼噜", "孙幼军 著", "少年儿童出版社", 2005, "", "", "I287.45", "", "", ""],
        ["小猪唏哩呼噜", "孙幼军 著", "少年儿童出版社", 2005, "", "", "I287.45", "", "", ""],
        ["小猪唏哩呼噜", "孙幼军 著", "二十一世纪出版社", 2010, "", "", "I287.45", "", "", ""],
    ]
    plan = import_prepare(write_xlsx(tmp_path / "noisbn.xlsx", rows))
    assert [row.fate for row in plan.rows] == [Fate.NEW, Fate.SAME, Fate.NEW]
    import_save(plan)
    assert Record.objects.filter(title="小猪唏哩呼噜").count() == 2
    # A second file with the same book adds copies to it.
    again = import_prepare(write_xlsx(tmp_path / "again.xlsx", rows[:1]))
    assert again.rows[0].fate == Fate.EXISTING


def test_without_isbn_each_edition_is_its_own_record_with_its_year_and_price(tmp_path):
    """围城 of 人民文学出版社 in 1991 and in 2013 are two editions: two records, each with its own
    year and price, and each later row of an edition one more copy of it."""
    header = [*HEADER[:6], "版次", "中图法分类号"]
    rows = [
        ["围城", "钱锺书 著", "人民文学出版社", 1991, "", 9.6, "第2版", "I246.5"],
        ["围城", "钱锺书 著", "人民文学出版社", 2013, "", 39, "", "I246.5"],
        ["围城", "钱锺书 著", "人民文学出版社", 1991, "", 9.6, "第2版", "I246.5"],
        ["围城", "钱锺书 著", "人民文学出版社", 1991, "", 9.6, "第3版", "I246.5"],
    ]
    plan = import_prepare(write_xlsx(tmp_path / "editions.xlsx", rows, header=header))
    assert plan.ok, errors_of(plan)
    assert [(row.fate, row.first_row) for row in plan.rows] == [
        (Fate.NEW, None),
        (Fate.NEW, None),
        (Fate.SAME, 2),
        (Fate.NEW, None),
    ]
    import_save(plan)
    editions = Record.objects.filter(title="围城").order_by("year", "edition")
    assert [(record.year, record.edition, record.price, record.copies.count()) for record in editions] == [
        (1991, "第2版", Decimal("9.60"), 2),
        (1991, "第3版", Decimal("9.60"), 1),
        (2013, "", Decimal("39.00"), 1),
    ]
    # A second file adds copies to the edition it names, and makes none of the others anew.
    again = import_prepare(write_xlsx(tmp_path / "again.xlsx", rows[1:2], header=header))
    assert again.rows[0].fate == Fate.EXISTING
    assert again.rows[0].existing_id == editions.get(year=2013).pk
    fourth = import_prepare(
        write_xlsx(
            tmp_path / "fourth.xlsx",
            [["围城", "钱锺书 著", "人民文学出版社", 2020, "", 45, "", "I246.5"]],
            header=header,
        )
    )
    assert fourth.rows[0].fate == Fate.NEW


def test_rows_without_location_go_to_the_first_location_and_say_so(tmp_path):
    rows = [["城南旧事", "林海音 著", "", "", "", "", "I287.45"]]
    plan = import_prepare(write_xlsx(tmp_path / "x.xlsx", rows, header=HEADER[:7]))
    assert plan.ok
    assert any("书库" in notice for notice in plan.notices)
    import_save(plan)
    assert Copy.objects.get().location == location_default()


# --- bad input: every case names the row and the column, and saves nothing ----------------------------


def bad_row(**changes):
    row = dict(zip(HEADER, GOOD_ROWS[0], strict=True))
    row.update(changes)
    return [row[name] for name in HEADER]


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"ISBN": "978-7-5346-0001-0"}, "ISBN", "not a valid ISBN"),
        ({"中图法分类号": "L123"}, "中图法分类号", "not a class of the Chinese Library Classification"),
        ({"中图法分类号": "我不知道"}, "中图法分类号", "not a class"),
        ({"馆藏地点": "火星分馆"}, "馆藏地点", "Unknown location “火星分馆”"),
        ({"题名": "长" * 301}, "题名", "Longer than 300 characters"),
        ({"题名": ""}, "题名", "needs a title"),
        ({"出版社": "社" * 201}, "出版社", "Longer than 200 characters"),
        ({"条码": "T" * 33}, "条码", "Longer than 32 characters"),
        ({"出版年": "去年"}, "出版年", "Not a year"),
        ({"定价": "二十元"}, "定价", "Not a price"),
        ({"来源": "捡来的"}, "来源", "Unknown source"),
        ({"责任者": "名" * 101 + " 著"}, "责任者", "longer than 100 characters"),
    ],
)
def test_a_bad_cell_is_a_row_error_naming_the_column(tmp_path, changes, column, words):
    RecordFactory(title="已有图书", copies=1)
    before = counts()
    rows = [GOOD_ROWS[3], bad_row(**changes), GOOD_ROWS[4]]
    plan = import_prepare(write_xlsx(tmp_path / "bad.xlsx", rows))
    errors = errors_of(plan)
    assert len(errors) == 1, errors
    row, found_column, message = errors[0]
    assert (row, found_column) == (3, column)
    assert words in message
    assert plan.counts()["errors"] == 1
    refused_and_unchanged(plan, before)


def test_the_row_error_lines_are_numbered(tmp_path):
    rows = [bad_row(ISBN="123"), GOOD_ROWS[1], bad_row(馆藏地点="地下室")]
    plan = import_prepare(write_xlsx(tmp_path / "bad.xlsx", rows))
    lines = plan.error_lines()
    assert lines[0].startswith("Row 2, ISBN: ")
    assert lines[1].startswith("Row 4, 馆藏地点: Unknown location “地下室”")


def test_a_barcode_twice_in_the_file_is_an_error_on_the_second_row(tmp_path):
    rows = [GOOD_ROWS[3], GOOD_ROWS[4], [*GOOD_ROWS[5][:7], "X0000101", *GOOD_ROWS[5][8:]]]
    plan = import_prepare(write_xlsx(tmp_path / "twice.xlsx", rows))
    assert errors_of(plan) == [
        (4, "条码", "X0000101 is also on row 2: every copy needs its own."),
    ]
    refused_and_unchanged(plan, counts())


def test_a_barcode_the_catalogue_already_uses_is_an_error(tmp_path):
    record = RecordFactory(title="已有图书")
    copies_add(record=record, count=1, location=location_default(), barcodes=["X0000102"])
    before = counts()
    plan = import_prepare(write_xlsx(tmp_path / "taken.xlsx", GOOD_ROWS[3:]))
    assert errors_of(plan) == [
        (3, "条码", "X0000102 is already used by another copy in the catalogue."),
    ]
    refused_and_unchanged(plan, before)


def test_an_accession_number_twice_is_an_error(tmp_path):
    header = [*HEADER, "财产登记号"]
    rows = [[*GOOD_ROWS[0], "000777"], [*GOOD_ROWS[1], "000777"]]
    plan = import_prepare(write_xlsx(tmp_path / "acc.xlsx", rows, header=header))
    assert errors_of(plan) == [(3, "财产登记号", "000777 is also on row 2: every copy needs its own.")]


def test_an_e_resource_needs_its_link(tmp_path):
    header = [*HEADER, "文献类型", "链接"]
    rows = [[*GOOD_ROWS[0], "电子资源", ""], [*GOOD_ROWS[3], "电子资源", "https://example.org/xyj"]]
    plan = import_prepare(write_xlsx(tmp_path / "e.xlsx", rows, header=header))
    assert errors_of(plan) == [(2, "链接", "An e-resource needs its link.")]


def test_values_in_many_spellings(tmp_path):
    header = [
        "书名",
        "作者",
        "出版社",
        "出版时间",
        "ISBN",
        "价格",
        "分类号",
        "条形码",
        "馆藏地",
        "来源",
        "页数",
        "适读年级",
        "入藏日期",
        "语种",
        "实付价格",
        "捐赠人",
    ]
    rows = [
        [
            "夏洛的网",
            "[美]E.B.怀特著；任溶溶 译",
            "上海译文出版社",
            "2004年5月",
            float(isbn13(5, "97875327")),
            "¥18.00元",
            "i712.45",
            20240001,
            "阅览室",
            "",
            "174页",
            "三至六年级",
            "2024/9/1",
            "中文",
            15.5,
            "三(2)班 家长",
        ]
    ]
    plan = import_prepare(write_xlsx(tmp_path / "spellings.xlsx", rows, header=header))
    assert plan.ok, plan.error_lines()
    import_save(plan)
    record = Record.objects.get(title="夏洛的网")
    assert list(record.contributors.values_list("name", "role")) == [
        ("[美]E.B.怀特", "author"),
        ("任溶溶", "translator"),
    ]
    assert (record.year, record.price, record.pages, record.clc_code) == (
        2004,
        Decimal("18.00"),
        174,
        "I712.45",
    )
    assert (record.reading_level_from, record.reading_level_to) == (3, 6)
    copy = record.copies.get()
    assert copy.barcode == "20240001" and copy.acquired_on.isoformat() == "2024-09-01"
    assert copy.source == Copy.Source.DONATION and copy.donor == "三(2)班 家长"
    assert copy.price_paid == Decimal("15.50")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("曹文轩 著", [("曹文轩", "author")]),
        ("曹文轩著、任溶溶译", [("曹文轩", "author"), ("任溶溶", "translator")]),
        ("王芳等 主编; 李明 绘", [("王芳", "chief_editor"), ("李明", "illustrator")]),
        ("几米 文/图", [("几米", "author")]),
        ("李文", [("李文", "author")]),  # 文 ends the name, it is not a role here
        ("张三（改编）", [("张三", "adapter")]),
        ("J.K. Rowling author; 马爱农 译", [("J.K. Rowling", "author"), ("马爱农", "translator")]),
        ("曹雪芹 著；高鹗 续", [("曹雪芹", "author"), ("高鹗", "continuer")]),
        ("王续", [("王续", "author")]),  # 续 ends the name: a role only after a space
        ("张三 编著、李四 校注", [("张三", "editor_author"), ("李四", "collator_annotator")]),
        ("王五整理; 金圣叹评注", [("王五", "arranger"), ("金圣叹", "commentator")]),
        ("《小说选刊》杂志社编选", [("《小说选刊》杂志社", "selector")]),
        ("赵六 选编", [("赵六", "selector")]),
        ("", []),
    ],
)
def test_contributors_are_split_with_their_roles(text, expected):
    assert contributors_parse(text) == expected


def test_every_role_is_written_by_the_export_as_the_import_reads_it():
    from catalog.spreadsheet import contributors_text

    people = [(f"某{index}", role) for index, role in enumerate(Contributor.Role.values)]
    assert contributors_parse(contributors_text(people)) == people
    assert contributors_text([("高鹗", "continuer")]) == "高鹗 续"


def test_a_text_file_renamed_to_xlsx_is_refused(tmp_path):
    path = tmp_path / "books.xlsx"
    path.write_text("题名,条码\n草房子,T1\n", encoding="utf-8")
    plan = import_prepare(path)
    assert "not an Excel workbook (.xlsx), or it is damaged" in plan.refusal
    assert plan.rows == [] and not plan.ok


def test_a_damaged_xlsx_is_refused(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(good.read_bytes()[:2000])
    assert "damaged" in import_prepare(damaged).refusal


def test_an_old_xls_file_is_named_as_such(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".xls" in import_prepare(path).refusal


def test_empty_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert import_prepare(empty).refusal == "The file is empty."
    header_only = write_xlsx(tmp_path / "header.xlsx", [])
    assert import_prepare(header_only).refusal == "The file has no rows below its header."
    blank_rows = write_csv(tmp_path / "blank.csv", [["", "", ""], []])
    assert import_prepare(blank_rows).refusal == "The file has no rows below its header."


def test_a_file_without_a_header_row_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "noheader.xlsx", GOOD_ROWS, header=None)
    assert "No header row was found" in import_prepare(path).refusal


def test_two_columns_for_the_same_field_are_refused(tmp_path):
    path = write_xlsx(tmp_path / "twice.xlsx", GOOD_ROWS[:1], header=[*HEADER[:-1], "条形码"])
    assert "mean the same" in import_prepare(path).refusal


def test_too_many_rows_or_bytes_are_refused(tmp_path, settings):
    settings.CATALOG_IMPORT_MAX_ROWS = 5
    plan = import_prepare(write_xlsx(tmp_path / "six.xlsx", GOOD_ROWS))
    assert plan.refusal == "The file has more than 5 rows: split it into several files."
    settings.CATALOG_IMPORT_MAX_ROWS = 100
    settings.CATALOG_IMPORT_MAX_BYTES = 512 * 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (512 * 1024 + 1))
    plan = import_prepare(path)
    assert plan.refusal == "The file is larger than 0.5 MB: split it into several files."
    assert counts() == (0, 0, 0)


def test_a_csv_in_an_unknown_encoding_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("题名,条码\n".encode() + b"\xff\xfe\xfa\x80\x81\n")
    plan = import_prepare(path)
    assert plan.refusal  # neither UTF-8 nor GB18030 reads it, or no header follows


def test_a_formula_is_read_as_text_with_a_warning(tmp_path):
    rows = [bad_row(题名="=1+1"), bad_row(题名='=HYPERLINK("http://x","点我")', ISBN=isbn13(2))]
    plan = import_prepare(write_xlsx(tmp_path / "formula.xlsx", rows))
    assert plan.ok
    assert plan.rows[0].warnings == [
        ("题名", "The cell holds a formula (=1+1): it was read as text, not calculated.")
    ]
    import_save(plan)
    assert Record.objects.filter(title="=1+1").exists()
    # Exported again, it is text that a spreadsheet will not run.
    export_xlsx(tmp_path / "out.xlsx")
    titles = [
        row[0]
        for row in load_workbook(tmp_path / "out.xlsx", read_only=True)
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    ]
    assert "'=1+1" in titles


def test_html_in_a_title_is_stored_as_text(tmp_path):
    title = "<script>alert('x')</script>童年"
    plan = import_prepare(write_xlsx(tmp_path / "html.xlsx", [bad_row(题名=title)]))
    import_save(plan)
    assert Record.objects.get().title == title


def test_a_failure_while_saving_keeps_nothing(tmp_path, monkeypatch):
    """Between the check and the save another librarian gives a copy the barcode of the file's
    row 7: the save refuses that row, and the batches already inserted before it (two rows a
    batch here) are rolled back too."""
    monkeypatch.setattr(CatalogueResource._meta, "batch_size", 2)
    plan = import_prepare(write_xlsx(tmp_path / "race.xlsx", GOOD_ROWS))
    assert plan.ok
    record = RecordFactory(title="别人的书")
    copies_add(record=record, count=1, location=location_default(), barcodes=["X0000103"])
    before = counts()
    with pytest.raises(ImportFailed) as refusal:
        import_save(plan)
    assert str(refusal.value.message) == (
        "Nothing was saved: Row 7, 条码: X0000103 is already used by another copy in the catalogue."
    )
    assert counts() == before
    assert not Record.objects.filter(title__in=["草房子", "西游记"]).exists()


def test_importing_in_one_pass_saves_a_good_file(tmp_path):
    """The confirmation and the command check and save in one pass of django-import-export."""
    plan, outcome = import_file(write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    assert outcome == {"records": 2, "copies": 6, "existing_records": 0, "existing_copies": 0}
    assert [row.fate for row in plan.rows] == [Fate.NEW, Fate.SAME, Fate.SAME, Fate.NEW, Fate.SAME, Fate.SAME]
    assert counts() == (2, 6, 2)


def test_importing_in_one_pass_rolls_back_the_batches_before_a_wrong_row(tmp_path, monkeypatch):
    """Given a file whose last row is wrong, saved two rows a batch: the batches written before
    that row are rolled back, and the plan names the row."""
    monkeypatch.setattr(CatalogueResource._meta, "batch_size", 2)
    rows = [*GOOD_ROWS[:5], bad_row(题名="坏的一行", ISBN="978-7-5346-0001-0")]
    plan, outcome = import_file(write_xlsx(tmp_path / "books.xlsx", rows))
    assert outcome is None
    assert errors_of(plan) == [
        (7, "ISBN", "This is not a valid ISBN: check the digits (ISBN-10 or ISBN-13).")
    ]
    assert counts() == (0, 0, 0)


# --- export and round trip -------------------------------------------------------------------------


def make_collection():
    reading_room = Location.objects.get(name="阅览室")
    first = record_create(
        fields={
            "title": "小王子",
            "subtitle": "插图本",
            "publisher": "人民文学出版社",
            "place": "北京",
            "year": 2003,
            "edition": "第2版",
            "isbn": "978-7-02-004231-9",
            "price": Decimal("22.00"),
            "pages": 98,
            "size": "21cm",
            "series": "经典译林",
            "subjects": "童话；法国；现代",
            "summary": "一个来自外星球的小王子的故事。\n第二行。",
            "clc_code": "I565.88",
            "reading_level_from": 3,
            "reading_level_to": 6,
            "language": "chi",
        },
        contributors=[("圣埃克苏佩里", "author"), ("马振骋", "translator"), ("圣埃克苏佩里", "illustrator")],
    )
    copies_add(record=first, count=2, location=location_default(), shelf="A-01", price_paid=Decimal("18.50"))
    copies_add(record=first, count=1, location=reading_room, source="donation", donor="五(1)班")
    second = record_create(
        fields={"title": "=SUM(A1:A9)", "clc_code": "G624", "material_type": "textbook", "language": "eng"},
        contributors=[("-编写组", "editor")],
    )
    copies_add(record=second, count=1, location=reading_room)
    return first, second


def snapshot():
    """What an export carries, per barcode, independent of database ids and sequence numbers."""
    copies = Copy.objects.select_related("record", "location").prefetch_related("record__contributors")
    return {
        copy.barcode: (
            copy.record.title,
            copy.record.subtitle,
            copy.record.publisher,
            copy.record.place,
            copy.record.year,
            copy.record.edition,
            copy.record.isbn,
            copy.record.price,
            copy.record.pages,
            copy.record.size,
            copy.record.series,
            copy.record.subjects,
            copy.record.summary,
            copy.record.clc_code,
            copy.record.call_number,
            copy.record.language,
            copy.record.material_type,
            copy.record.reading_level_from,
            copy.record.reading_level_to,
            tuple(copy.record.contributors.values_list("name", "role")),
            copy.accession_number,
            copy.location.name,
            copy.shelf,
            copy.acquired_on,
            copy.source,
            copy.donor,
            copy.price_paid,
            copy.notes,
        )
        for copy in copies
    }


def empty_catalogue():
    Copy.objects.all().delete()
    Record.objects.all().delete()


@pytest.mark.parametrize("extension", [".xlsx", ".csv"])
def test_an_export_imports_again_to_the_same_catalogue(tmp_path, extension):
    make_collection()
    before = snapshot()
    path = tmp_path / f"export{extension}"
    written = export_xlsx(path) if extension == ".xlsx" else export_csv(path)
    assert written == 4
    empty_catalogue()

    plan = import_prepare(path)
    assert plan.ok, plan.error_lines()
    assert any("状态" in notice for notice in plan.notices)
    import_save(plan)

    assert snapshot() == before
    assert Record.objects.count() == 2


def test_the_export_has_the_import_columns_and_escapes_formulas(tmp_path):
    make_collection()
    export_xlsx(tmp_path / "out.xlsx")
    rows = list(
        load_workbook(tmp_path / "out.xlsx", read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert list(rows[0]) == [column.header for column in COLUMNS]
    by_title = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    prince = by_title["小王子"]
    assert prince["责任者"] == "圣埃克苏佩里 著；马振骋 译；圣埃克苏佩里 绘"
    assert prince["ISBN"] == "978-7-02-004231-9"
    assert prince["适读年级"] == "3-6" and prince["语种"] == "中文" and prince["状态"] == "在架可借"
    textbook = by_title["'=SUM(A1:A9)"]
    assert textbook["责任者"] == "'-编写组 编"
    assert textbook["文献类型"] == "教材" and textbook["语种"] == "英文"


def test_the_csv_export_starts_with_a_byte_order_mark(tmp_path):
    make_collection()
    export_csv(tmp_path / "out.csv")
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["题名", "副题名", "责任者"] and len(rows) == 5


def test_the_export_of_one_location(tmp_path):
    make_collection()
    export_csv(tmp_path / "room.csv", location=Location.objects.get(name="阅览室"))
    rows = list(csv.reader(io.StringIO((tmp_path / "room.csv").read_text(encoding="utf-8-sig"))))
    assert [row[22] for row in rows[1:]] == ["阅览室", "阅览室"]


def test_the_template_has_its_headers_an_example_and_a_guide(tmp_path):
    template_write(tmp_path / "template.xlsx")
    workbook = load_workbook(tmp_path / "template.xlsx")
    assert workbook.sheetnames == ["馆藏", "说明"]
    headers = [cell.value for cell in workbook["馆藏"][1]]
    assert headers == [column.header for column in IMPORT_COLUMNS]
    assert workbook["说明"]["A2"].value == "题名"
    # The example row itself passes the checks.
    plan = import_prepare(tmp_path / "template.xlsx")
    assert plan.ok, plan.error_lines()
    assert plan.rows[0].title == "西游记"


# The ISBNs of the real books the template's example rows name: title, publisher → ISBN-13.
KNOWN_ISBNS = {
    ("西游记", "人民文学出版社"): "9787020008735",
    ("红楼梦", "人民文学出版社"): "9787020002207",
}


def test_the_template_s_example_rows_carry_the_isbn_of_their_own_book(tmp_path):
    from stdnum import isbn as stdnum_isbn

    template_write(tmp_path / "template.xlsx")
    sheet = load_workbook(tmp_path / "template.xlsx")["馆藏"]
    headers = [cell.value for cell in sheet[1]]
    examples = [
        dict(zip(headers, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]

    assert examples
    for example in examples:
        assert stdnum_isbn.is_valid(example["ISBN"]), example["ISBN"]
        assert stdnum_isbn.format(example["ISBN"]) == example["ISBN"]  # hyphenated where the ranges say
        book = (example["题名"], example["出版社"])
        assert stdnum_isbn.compact(stdnum_isbn.to_isbn13(example["ISBN"])) == KNOWN_ISBNS[book]


# --- the pages ---------------------------------------------------------------------------------------


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    client.cookies["django_language"] = "en"  # the pages' messages are asserted in English
    return client


def upload(client, path, name=None):
    with path.open("rb") as handle:
        return client.post(
            reverse("catalog:records-import"), {"file": handle} if name is None else {"file": (name, handle)}
        )


def stored_files(settings):
    """The files kept for imports: each upload's folder and what is in it."""
    folder = settings.VAR_DIR / "imports"
    if not folder.exists():
        return []
    return sorted(f"{item.parent.name}/{item.name}" for item in folder.glob("*/*"))


def test_a_teacher_may_neither_import_nor_export(client):
    client.force_login(UserFactory(roles=[Role.TEACHER]))
    for name in ("records-import", "records-import-preview", "records-import-template", "records-export"):
        assert client.get(reverse(f"catalog:{name}")).status_code == 403
    for name in ("records-import-confirm", "records-import-cancel"):
        assert client.post(reverse(f"catalog:{name}")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("catalog:records-import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_cataloguing_desk_links_to_import_and_export(librarian):
    page = librarian.get(reverse("catalog:cataloguing")).content.decode()
    assert 'data-link="records-import"' in page and 'data-link="records-export"' in page


def test_upload_preview_confirm_saves_once(librarian, tmp_path, settings):
    path = write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS)
    response = upload(librarian, path)
    assert response.status_code == 302 and response["Location"] == reverse("catalog:records-import-preview")
    files = stored_files(settings)
    assert len(files) == 3 and any(
        name.endswith(".xlsx") for name in files
    )  # the file, its preview's state and what it found
    assert counts() == (0, 0, 0)

    page = librarian.get(reverse("catalog:records-import-preview")).content.decode()
    assert page.count('data-fate="new"') == 2 and page.count('data-fate="same"') == 4
    assert "data-confirm-import" in page and "草房子" in page
    token = librarian.session["catalog-import"]["token"]
    assert token in page  # the confirm form carries it; the path never leaves the server

    response = librarian.post(reverse("catalog:records-import-confirm"), {"token": token})
    assert response.status_code == 302
    assert counts()[:2] == (2, 6)
    assert stored_files(settings) == []
    assert "catalog-import" not in librarian.session
    assert Record.objects.get(title="草房子").created_by.username.startswith("user")

    again = librarian.post(reverse("catalog:records-import-confirm"), {"token": token}, follow=True)
    assert "There is no import waiting for confirmation" in again.content.decode()
    assert counts()[:2] == (2, 6)


def test_a_confirmation_whose_file_is_already_being_saved_saves_nothing(librarian, tmp_path, settings):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    pending = librarian.session["catalog-import"]
    # The first click took the file (it is being saved); the second click finds it gone.
    assert uploads.import_file_claim(pending["token"], pending["extension"]) is not None
    response = librarian.post(
        reverse("catalog:records-import-confirm"), {"token": pending["token"]}, follow=True
    )
    assert "was not saved twice" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(librarian, tmp_path):
    rows = [GOOD_ROWS[0], bad_row(ISBN="12345"), bad_row(题名="<b>粗体</b>", 馆藏地点="月球")]
    upload(librarian, write_xlsx(tmp_path / "bad.xlsx", rows))
    page = librarian.get(reverse("catalog:records-import-preview")).content.decode()
    assert page.count('data-fate="error"') == 2
    assert 'data-error-column="ISBN"' in page and 'data-error-column="馆藏地点"' in page
    assert "data-confirm-import" not in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page and "<b>粗体</b>" not in page
    errors_only = librarian.get(
        reverse("catalog:records-import-preview"), {"show": "errors"}
    ).content.decode()
    assert errors_only.count("data-row=") == 2
    token = librarian.session["catalog-import"]["token"]
    response = librarian.post(reverse("catalog:records-import-confirm"), {"token": token}, follow=True)
    assert "no longer passes the checks" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_a_refused_file_is_answered_on_the_upload_page_and_not_kept(librarian, tmp_path, settings):
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    response = upload(librarian, path)
    assert response.status_code == 200
    assert "not an Excel workbook" in response.content.decode()
    assert stored_files(settings) == []
    assert "catalog-import" not in librarian.session


def test_only_xlsx_and_csv_are_taken(librarian, tmp_path):
    path = tmp_path / "books.txt"
    path.write_text("题名\n草房子\n", encoding="utf-8")
    response = upload(librarian, path)
    assert "Only .xlsx and .csv files can be imported" in response.content.decode()


def test_an_upload_over_the_size_limit_is_refused(librarian, tmp_path, settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    response = upload(librarian, path)
    assert "larger than 2 MB" in response.content.decode()
    assert stored_files(settings) == []


def test_a_token_from_the_browser_that_is_not_the_sessions_saves_nothing(librarian, tmp_path):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    response = librarian.post(
        reverse("catalog:records-import-confirm"), {"token": "../../etc/passwd"}, follow=True
    )
    assert "There is no import waiting" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_a_bad_token_in_the_session_is_dropped(librarian):
    session = librarian.session
    session["catalog-import"] = {"token": "../../../etc/passwd", "extension": ".xlsx", "name": "x"}
    session.save()
    response = librarian.get(reverse("catalog:records-import-preview"))
    assert response.status_code == 302


def test_cancel_deletes_the_kept_file(librarian, tmp_path, settings):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    assert stored_files(settings)
    librarian.post(reverse("catalog:records-import-cancel"))
    assert stored_files(settings) == []
    assert counts() == (0, 0, 0)


def test_files_left_for_more_than_a_day_are_deleted(librarian, tmp_path, settings):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    old = time.time() - 25 * 60 * 60
    for folder in (settings.VAR_DIR / "imports").iterdir():
        os.utime(folder, (old, old))
    librarian.get(reverse("catalog:records-import"))
    assert stored_files(settings) == []


def test_the_template_download(librarian):
    response = librarian.get(reverse("catalog:records-import-template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["馆藏", "说明"]


def test_the_export_page_downloads_xlsx_and_csv(librarian):
    make_collection()
    page = librarian.get(reverse("catalog:records-export"))
    assert page.status_code == 200 and b"data-export-form" in page.content
    response = librarian.get(reverse("catalog:records-export"), {"format": "xlsx"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0].values
    )
    assert len(rows) == 5
    reading_room = Location.objects.get(name="阅览室")
    response = librarian.get(
        reverse("catalog:records-export"), {"format": "csv", "location": reading_room.pk}
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff题名,")
    assert len(list(csv.reader(io.StringIO(text)))) == 3


def test_an_unknown_export_format_shows_the_form_again(librarian):
    response = librarian.get(reverse("catalog:records-export"), {"format": "pdf"})
    assert response.status_code == 200 and b"data-export-form" in response.content


def test_xlsx_write_only_streaming_reads_back_with_openpyxl(tmp_path):
    from library_site.documents.xlsx import XlsxStreamWriter

    with XlsxStreamWriter(tmp_path / "x.xlsx") as writer:
        writer.add_sheet(
            "表<1>", [["a", 1, Decimal("2.50"), None, " 空格 ", "x\x00y&<>", True]], header_rows=1
        )
    sheet = load_workbook(tmp_path / "x.xlsx").worksheets[0]
    assert sheet.title == "表<1>"
    assert [cell.value for cell in sheet[1]] == ["a", 1, 2.5, None, " 空格 ", "xy&<>", True]


def test_a_workbook_made_by_openpyxl_with_number_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(
        ["红楼梦", "曹雪芹 著", "人民文学出版社", 1996, 9787020002207, 59.7, "I242.4", 1001, "书库", "购买"]
    )
    workbook.save(tmp_path / "numbers.xlsx")
    plan = import_prepare(tmp_path / "numbers.xlsx")
    assert plan.ok, plan.error_lines()
    assert plan.rows[0].isbn == "9787020002207" and plan.rows[0].barcode == "1001"


# --- the rules of catalog.services, in bulk ----------------------------------------------------------


def test_sequence_numbers_continue_after_an_import(tmp_path):
    rows = [bad_row(ISBN=isbn13(number), 题名=f"书{number}") for number in (11, 12)]
    import_save(import_prepare(write_xlsx(tmp_path / "seq.xlsx", rows)))
    assert sorted(Record.objects.values_list("call_number", flat=True)) == ["I287.45/1", "I287.45/2"]
    after = record_create(fields={"title": "后来的书", "clc_code": "I287.45"})
    assert after.call_number == "I287.45/3"


def test_call_numbers_in_author_mode_are_the_class_number(tmp_path):
    from catalog.models import CatalogSettings

    catalog_settings = CatalogSettings.current()
    catalog_settings.call_number_mode = CatalogSettings.CallNumberMode.AUTHOR
    catalog_settings.save()
    import_save(import_prepare(write_xlsx(tmp_path / "author.xlsx", GOOD_ROWS[:1])))
    assert Record.objects.get().call_number == "I287.45"


def test_given_call_numbers_are_kept(tmp_path):
    header = [*HEADER, "索书号"]
    import_save(
        import_prepare(write_xlsx(tmp_path / "cn.xlsx", [[*GOOD_ROWS[0], "I287.45/C12"]], header=header))
    )
    assert Record.objects.get().call_number == "I287.45/C12"


def test_new_barcodes_skip_those_the_file_brings(tmp_path):
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[1][:7], "T0000001", *GOOD_ROWS[1][8:]], GOOD_ROWS[2]]
    import_save(import_prepare(write_xlsx(tmp_path / "skip.xlsx", rows)))
    assert sorted(Copy.objects.values_list("barcode", flat=True)) == ["T0000001", "T0000002", "T0000003"]
    more = copies_add(record=Record.objects.get(), count=1, location=location_default())
    assert more[0].barcode == "T0000004"


# --- a large file, saved by the worker --------------------------------------------------------------


@pytest.fixture
def queue(monkeypatch, settings):
    """Files of more than two rows go to the worker; the jobs sent are kept here, and the test
    runs them as the worker would (the task itself, for real)."""
    settings.CATALOG_IMPORT_INLINE_ROWS = 2
    sent = []
    monkeypatch.setattr(
        "catalog.views.transfer.records_import_task.delay",
        lambda *args, **kwargs: sent.append((args, kwargs)),
    )
    return sent


def run(job):
    from catalog.tasks import records_import_task

    args, kwargs = job
    records_import_task(*args, **kwargs)


def confirm(client):
    token = client.session["catalog-import"]["token"]
    return client.post(reverse("catalog:records-import-confirm"), {"token": token})


def test_a_job_given_up_while_saving_rolls_back(tmp_path):
    from catalog.tasks import _records_progress

    path = write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS)
    token = uploads.import_file_store([path.read_bytes()], ".xlsx")
    claimed = uploads.import_file_claim(token, ".xlsx")
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(claimed.read_bytes())
    uploads.import_file_release(token)  # what the page does when the job stops answering
    plan, outcome = import_file(
        kept, progress=lambda done, total: _records_progress(token, claimed, done, total)
    )
    assert outcome is None
    assert plan.failure == "The import was given up while it was being saved; nothing was saved."
    assert counts() == (0, 0, 0)


def test_a_large_import_is_saved_by_the_worker_with_progress(librarian, tmp_path, settings, queue):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    response = confirm(librarian)
    assert response["Location"] == reverse("catalog:records-import-preview")
    assert len(queue) == 1 and counts() == (0, 0, 0)
    waiting = librarian.get(
        reverse("catalog:records-import-preview"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-job="0/6"' in waiting and "0 of 6 rows saved." in waiting
    again = librarian.post(
        reverse("catalog:records-import-confirm"), {"token": librarian.session["catalog-import"]["token"]}
    )
    assert again.status_code == 302 and len(queue) == 1  # a second click sends no second job

    run(queue[0])

    assert counts()[:2] == (2, 6)
    done = librarian.get(reverse("catalog:records-import-preview"), HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("catalog:records-import")
    assert "catalog-import" not in librarian.session and stored_files(settings) == []
    run(queue[0])  # the job run twice saves once
    assert counts()[:2] == (2, 6)


def test_a_job_refused_by_the_worker_brings_the_preview_back(librarian, tmp_path, queue):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    confirm(librarian)
    record = RecordFactory(title="别人的书")
    copies_add(record=record, count=1, location=location_default(), barcodes=["X0000103"])
    before = counts()

    run(queue[0])

    assert counts() == before
    page = librarian.get(reverse("catalog:records-import-preview"), follow=True).content.decode()
    assert "The file no longer passes the checks" in page
    assert "X0000103 is already used by another copy in the catalogue." in page
    assert "job" not in librarian.session["catalog-import"]


def test_a_job_cancelled_while_it_runs_saves_nothing(librarian, tmp_path, queue):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    confirm(librarian)
    librarian.post(reverse("catalog:records-import-cancel"))
    run(queue[0])
    assert counts() == (0, 0, 0)


def test_a_job_the_worker_never_answers_is_given_up_and_saves_nothing_later(librarian, tmp_path, queue):
    upload(librarian, write_xlsx(tmp_path / "books.xlsx", GOOD_ROWS))
    confirm(librarian)
    session = librarian.session
    session["catalog-import"]["job"]["started"] -= 11 * 60
    session.save()
    page = librarian.get(reverse("catalog:records-import-preview"), follow=True).content.decode()
    assert "The import stopped without finishing" in page and "data-confirm-import" in page
    run(queue[0])  # the worker starts after all: it finds no file being saved
    assert counts() == (0, 0, 0)
