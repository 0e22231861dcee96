"""MARC import: reading ISO 2709 and MARCXML, telling CNMARC from MARC21 and UTF-8 from GB18030,
mapping to the catalogue's fields, the per-record report, saving all or nothing, the page and
the command. The files are built with pymarc (catalog/tests/marc_samples.py)."""

from __future__ import annotations

import random
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from pymarc import Field, Indicators, Subfield

from catalog.marc import (
    ADD_COPIES,
    CNMARC,
    ISO2709,
    MARC21,
    MARCXML,
    SKIP,
    MarcImportRefused,
    marc_import,
    marc_preview,
    marc_read,
)
from catalog.models import Contributor, Copy, Location, Record
from catalog.services.copies import copies_add
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.documents import uploads
from library_site.testing import ARTIFACTS, browser_login, subprocess_env

from .factories import RecordFactory, location_default
from .marc_samples import CAOFANGZI_ISBN, cnmarc, isbn13, iso, lengths_in_characters, marc21, marcxml

pytestmark = pytest.mark.django_db

URL = "/catalog/import/marc/"
BOOK2_ISBN = isbn13("978-7-5448-2345")  # 978-7-5448-2345-6
BOOK3_ISBN = isbn13("978-7-5321-6789")  # 978-7-5321-6789-0


@pytest.fixture(autouse=True)
def _private_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    return settings.VAR_DIR


@pytest.fixture(autouse=True)
def _language_reset():
    """A request with the English cookie leaves English active in this thread; later tests
    expect the default language."""
    yield
    translation.deactivate()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def three_cnmarc_records(*, invalid_isbn: bool = True) -> bytes:
    """草房子 with two barcodes of its own, 小猪唏哩呼噜 without, and a third record whose ISBN's
    check digit is wrong (or, with invalid_isbn=False, whose class is unknown)."""
    return iso(
        cnmarc(holdings=(("C0000001", "I287.45", "12"), ("C0000002", "I287.45", "12"))),
        cnmarc(
            "小猪唏哩呼噜",
            statement="孙幼军著",
            isbn=BOOK2_ISBN,
            authors=(("孙幼军", "070"), ("裘兆明", "440")),
            publisher="接力出版社",
            place="南宁",
            clc="I287.5",
        ),
        cnmarc(
            "错误的书",
            isbn="978-7-5321-6789-1" if invalid_isbn else BOOK3_ISBN,
            clc="I287.45" if invalid_isbn else "W12",
        ),
    )


# --- reading and mapping ---------------------------------------------------------------------------


def test_cnmarc_in_utf8_is_detected_and_every_field_mapped():
    record = cnmarc(
        series="曹文轩纯美小说系列",
        summary="油麻地小学的桑桑。",
        subjects=("儿童小说", "长篇小说"),
        authors=(("曹文轩", "著"), ("王祖民", "绘")),
        holdings=(("C0000001", "I287.45", "12"),),
    )
    report = marc_read(iso(record))
    assert report.kind == ISO2709 and report.problems == []
    [entry] = report.entries
    assert (entry.number, entry.format, entry.encoding) == (1, CNMARC, "UTF-8")
    assert entry.fields == {
        "title": "草房子",
        "isbn": "9787534665431",
        "price": Decimal("25.00"),
        "place": "南京",
        "publisher": "江苏少年儿童出版社",
        "year": 2016,
        "pages": 285,
        "size": "21cm",
        "series": "曹文轩纯美小说系列",
        "summary": "油麻地小学的桑桑。",
        "subjects": "儿童小说; 长篇小说",
        "clc_code": "I287.45",
        "call_number": "I287.45/12",
        "language": "chi",
        "material_type": "book",
    }
    assert entry.contributors == [("曹文轩", "author"), ("王祖民", "illustrator")]
    assert entry.barcodes == ["C0000001"]
    assert entry.problems == [] and entry.notes == []


def test_cnmarc_in_gb18030_without_a_declared_encoding_is_read():
    data = iso(cnmarc(), encoding="gb18030")
    assert "草房子".encode("gb18030") in data and "草房子".encode() not in data
    assert data[9:10] == b" "
    [entry] = marc_read(data).entries
    assert (entry.format, entry.encoding) == (CNMARC, "GB18030")
    assert entry.title == "草房子"
    assert entry.fields["publisher"] == "江苏少年儿童出版社"
    assert entry.contributors == [("曹文轩", "author")]
    assert entry.problems == []


def test_marc21_is_detected_and_its_isbd_punctuation_removed():
    record = marc21(
        subtitle="a story :", holdings=(("852", "B0000001"), ("949", "B0000002")), price="USD6.99"
    )
    with translation.override("en"):
        [entry] = marc_read(iso(record)).entries
    assert (entry.format, entry.encoding) == (MARC21, "UTF-8")
    assert [str(note) for note in entry.notes] == ["Price “USD6.99” is not in yuan and is left empty."]
    assert entry.fields == {
        "title": "Charlotte's web",
        "subtitle": "a story",
        "isbn": "9780064400558",
        "place": "New York",
        "publisher": "HarperCollins",
        "year": 1952,
        "pages": 184,
        "size": "21 cm",
        "subjects": "Pigs-Juvenile fiction",
        "clc_code": "I712.84",
        "call_number": "I712.84/W58",
        "language": "eng",
        "material_type": "book",
    }
    assert entry.contributors == [("White, E. B.", "author")]
    assert entry.barcodes == ["B0000001", "B0000002"]


def test_marc21_takes_the_clc_number_from_084_only_when_its_source_is_clc():
    with_source = marc21(clc=("084", "I712.84"))
    without_source = marc21(clc=None, isbn=isbn13("978-0-06-440057"))  # another book
    without_source.add_field(
        Field(tag="084", indicators=Indicators(" ", " "), subfields=[Subfield("a", "813.52")])
    )
    first, second = marc_read(iso(with_source, without_source)).entries
    assert first.fields["clc_code"] == "I712.84"
    assert "clc_code" not in second.fields


def test_marc21_from_a_chinese_library_with_chinese_relators():
    record = marc21(
        "小王子 /",
        statement="(法) 圣埃克苏佩里著 ; 周克希译",
        isbn="978-7-5327-4247-1",
        price="CNY22.00",
        authors=(("100", "圣埃克苏佩里,", "著"), ("700", "周克希,", "译")),
        clc=("093", "I565.88"),
        language="chi",
    )
    [entry] = marc_read(iso(record)).entries
    assert entry.title == "小王子"
    assert entry.fields["price"] == Decimal("22.00")
    assert entry.fields["language"] == "chi"
    assert entry.contributors == [("圣埃克苏佩里", "author"), ("周克希", "translator")]


def test_one_file_may_mix_cnmarc_and_marc21():
    report = marc_read(iso(cnmarc(), marc21(), cnmarc("小猪唏哩呼噜", isbn=BOOK2_ISBN)))
    assert [entry.format for entry in report.entries] == [CNMARC, MARC21, CNMARC]
    assert report.format_counts() == {"CNMARC": 2, "MARC21": 1}


def test_a_record_with_neither_title_field_is_told_by_its_other_fields():
    no_title_cnmarc = cnmarc(title="", statement="")
    [entry] = marc_read(iso(no_title_cnmarc)).entries
    assert entry.format == CNMARC
    bare = cnmarc(title="", statement="", isbn=None, clc=None, subjects=())
    bare.remove_fields("210", "215", "701", "101")
    with translation.override("en"):
        [entry] = marc_read(iso(bare)).entries
        assert entry.format == ""
        assert entry.problems == ["Cannot tell whether this record is MARC21 or CNMARC."]


def test_marcxml_with_the_marc21_namespace_and_without_one():
    for namespace in (True, False):
        report = marc_read(marcxml(cnmarc(), marc21(), namespace=namespace))
        assert report.kind == MARCXML and report.problems == []
        assert [(entry.format, entry.title) for entry in report.entries] == [
            (CNMARC, "草房子"),
            (MARC21, "Charlotte's web"),
        ]
        assert report.entries[0].fields["isbn"] == "9787534665431"


def test_marcxml_declared_in_gb18030_is_read():
    data = marcxml(cnmarc(), encoding="GB18030")
    assert "草房子".encode("gb18030") in data
    [entry] = marc_read(data).entries
    assert entry.title == "草房子" and entry.problems == []


def test_marcxml_in_big5_or_utf16_is_read():
    record = cnmarc(
        "紅樓夢",
        isbn=None,
        statement="曹雪芹著",
        authors=(),
        publisher="人民文學出版社",
        place="北京",
        pages="1606頁",
        subjects=(),
    )
    big5 = marcxml(record, encoding="Big5")
    [entry] = marc_read(big5).entries
    assert (entry.title, entry.encoding, entry.contributors) == ("紅樓夢", "BIG5", [("曹雪芹", "author")])
    assert entry.fields["pages"] == 1606
    utf16 = (
        marcxml(cnmarc()).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    )
    [entry] = marc_read(utf16).entries
    assert entry.title == "草房子" and entry.valid


def test_marcxml_with_a_short_leader_is_read_and_one_without_tags_is_a_problem_of_that_record(english):
    record = b'<record><leader>00000nam</leader><datafield tag="200" ind1="1" ind2=" "><subfield code="a">%s</subfield></datafield></record>'
    [entry] = marc_read(b"<collection>" + record % "草房子".encode() + b"</collection>").entries
    assert (entry.format, entry.title) == (CNMARC, "草房子")
    damaged = b'<collection>\n<record>\n<datafield ind1=" " ind2=" "><subfield code="a">x</subfield></datafield></record></collection>'
    # The file is well-formed XML: only the record is refused (issue 15, 7), not the file.
    report = marc_read(damaged)
    assert not report.refused
    assert [entry.problems for entry in report.entries] == [
        ["This record is damaged near line 3: a <datafield> without its “tag” attribute."]
    ]


def test_a_field_in_gb18030_inside_a_utf8_record_is_read_and_noted(english):
    data = iso(cnmarc(summary="一所乡村小学的故事。"), field_encodings={"330": "gb18030"})
    assert data[9:10] == b"a"
    [entry] = marc_read(data).entries
    assert entry.fields["summary"] == "一所乡村小学的故事。"
    assert entry.notes == ["Field 330 was read as GB18030, unlike the rest of the record."]
    assert entry.valid


def test_text_that_is_neither_utf8_nor_gb18030_is_a_problem(english):
    data = iso(cnmarc(summary="ÿþÿ"), field_encodings={"330": "latin-1"})
    [entry] = marc_read(data).entries
    assert entry.problems == ["Field 330 holds text that is neither UTF-8 nor GB18030 and cannot be read."]
    assert entry.title == "草房子"


def test_directory_lengths_counted_in_characters_are_tolerated():
    data = lengths_in_characters(iso(cnmarc()))
    [entry] = marc_read(data).entries
    assert entry.title == "草房子" and entry.fields["publisher"] == "江苏少年儿童出版社"
    assert entry.problems == []


def test_line_breaks_between_records_are_ignored():
    data = iso(cnmarc()) + b"\r\n" + iso(marc21()) + b"\r\n"
    report = marc_read(data)
    assert [entry.title for entry in report.entries] == ["草房子", "Charlotte's web"]
    assert all(entry.valid for entry in report.entries)


def test_roles_come_from_relator_codes_and_words():
    record = cnmarc(
        "哈利·波特与魔法石",
        authors=(("罗琳", "070"),),
        extra=(
            Field(
                tag="702",
                indicators=Indicators(" ", "0"),
                subfields=[Subfield("a", "苏农"), Subfield("4", "730")],
            ),
            Field(
                tag="702",
                indicators=Indicators(" ", "0"),
                subfields=[Subfield("a", "某编辑"), Subfield("4", "主编")],
            ),
            Field(
                tag="702",
                indicators=Indicators(" ", "0"),
                subfields=[Subfield("a", "改编者"), Subfield("4", "改编")],
            ),
        ),
    )
    [entry] = marc_read(iso(record)).entries
    assert entry.contributors == [
        ("罗琳", "author"),
        ("苏农", "translator"),
        ("某编辑", "chief_editor"),
        ("改编者", "adapter"),
    ]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("曹文轩著", [("曹文轩", "author")]),
        ("(英)J.K.罗琳著 ; 苏农译", [("J.K.罗琳", "author"), ("苏农", "translator")]),
        ("张三、李四译", [("张三", "translator"), ("李四", "translator")]),
        ("李文著", [("李文", "author")]),
        ("杨红樱主编", [("杨红樱", "chief_editor")]),
        ("郑渊洁等著", [("郑渊洁", "author")]),
        ("(清)曹雪芹著 ; 高鹗续", [("曹雪芹", "author"), ("高鹗", "continuer")]),
        ("《小说选刊》杂志社编选", [("《小说选刊》杂志社", "selector")]),
        ("张三编著", [("张三", "editor_author")]),
        ("(明)施耐庵著 ; (清)金圣叹评注", [("施耐庵", "author"), ("金圣叹", "commentator")]),
        ("李四校注 ; 王五整理", [("李四", "collator_annotator"), ("王五", "arranger")]),
    ],
)
def test_without_7xx_the_authors_come_from_200_f(statement, expected):
    [entry] = marc_read(iso(cnmarc(statement=statement, authors=()))).entries
    assert entry.contributors == expected


def test_the_year_falls_back_to_field_100_and_odd_values_are_noted(english):
    record = cnmarc()
    record["210"].delete_subfield("d")
    odd = cnmarc(year="不详", price="定价不详", isbn=BOOK2_ISBN)  # another book
    first, second = marc_read(iso(record, odd)).entries
    assert first.fields["year"] == 2016
    assert "year" not in second.fields and "price" not in second.fields
    assert second.notes == [
        "Price “定价不详” was not understood and is left empty.",
        "Year “不详” was not understood and is left empty.",
    ]
    assert second.valid


def test_descriptive_text_too_long_is_cut_and_said_so(english):
    subjects = tuple(f"主题词{number:03d}" for number in range(80))  # 80 × 6 + separators > 500
    record = cnmarc(publisher="出" * 250, subjects=subjects)
    [entry] = marc_read(iso(record)).entries
    assert entry.fields["publisher"] == "出" * 199 + "…"
    assert len(entry.fields["subjects"]) <= 500 and entry.fields["subjects"].endswith("; 主题词061")
    assert entry.notes == [
        "Publisher was cut to 200 characters.",
        "Subjects and keywords was cut to 500 characters.",
    ]
    assert entry.valid


def test_a_title_or_class_number_too_long_is_a_problem_not_cut(english):
    [entry] = marc_read(iso(cnmarc("书" * 301, clc="I" + "2" * 40))).entries
    assert entry.problems == [
        "Title is longer than 300 characters: " + "书" * 80,
        "CLC class number is longer than 30 characters: " + "I" + "2" * 40,
    ]


# --- files that cannot be read ---------------------------------------------------------------------


def test_an_empty_file_is_refused(english):
    for data in (b"", b"\r\n  \n"):
        report = marc_read(data)
        assert report.refused and report.problems == ["The file is empty."] and report.entries == []


def test_random_bytes_are_refused(english):
    data = b"\xff" + random.Random(7).randbytes(4096)
    report = marc_read(data)
    assert report.problems == [
        "This is neither an ISO 2709 MARC file (.mrc, .iso) nor a MARCXML file (.xml)."
    ]


def test_a_truncated_last_record_is_reported_and_the_others_read(english):
    data = iso(cnmarc(), marc21())
    report = marc_read(data[:-40])
    assert not report.refused
    first, second = report.entries
    assert first.valid and first.title == "草房子"
    assert second.problems == ["The file ends in the middle of this record: it is cut off."]


def test_garbage_between_records_is_a_problem_of_that_record(english):
    data = iso(cnmarc()) + b"01234 this is not a record\x1d" + iso(marc21())
    report = marc_read(data)
    assert [entry.valid for entry in report.entries] == [True, False, True]
    assert report.entries[1].problems == ["This is not a MARC record: it does not begin with a MARC leader."]


def test_too_many_records_are_refused(english):
    report = marc_read(iso(cnmarc(), cnmarc(), cnmarc()), max_records=2)
    assert report.problems == ["The file holds more than 2 records; split it into smaller files."]
    assert marc_read(marcxml(cnmarc(), cnmarc(), cnmarc()), max_records=2).problems == report.problems


def test_the_record_limit_is_a_setting(settings, english):
    settings.CATALOG_IMPORT_MAX_RECORDS = 1
    assert marc_read(iso(cnmarc(), cnmarc())).refused


def test_xml_with_a_doctype_is_refused_for_safety(english):
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><collection>&e;</collection>'
    report = marc_read(data)
    assert report.refused and "DOCTYPE" in report.problems[0]


ENTITY_BOMB = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    '<!DOCTYPE collection [<!ENTITY e "Expanded entity text">]>'
    '<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam  2200000   4500</leader>'
    '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">&e;</subfield></datafield></record></collection>'
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_doctype_in_utf16_without_a_byte_order_mark_is_refused(english, codec):
    # The ban once looked for <!DOCTYPE in the raw bytes, where UTF-16 puts a zero between the
    # letters: the internal entity was expanded into the title.
    data = ENTITY_BOMB.encode(codec)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    report = marc_read(data)
    assert report.refused and "DOCTYPE" in report.problems[0]
    assert report.entries == []


def test_marcxml_in_utf16_without_a_byte_order_mark_is_read(english):
    text = marcxml(cnmarc()).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    [entry] = marc_read(text.encode("utf-16-le")).entries
    assert entry.title == "草房子" and entry.valid


def test_a_doctype_in_a_declared_single_byte_encoding_is_refused(english):
    # EBCDIC (cp037): a declaration the byte search cannot see, decoded before the check.
    body = '<!DOCTYPE c [<!ENTITY e "x">]><collection>&e;</collection>'
    data = b'<?xml version="1.0" encoding="cp037"?>' + body.encode("cp037")
    report = marc_read(data)
    assert report.refused and "DOCTYPE" in report.problems[0]


def test_workbooks_are_parsed_with_defusedxml_too():
    # openpyxl parses a workbook's XML with defusedxml whenever it is installed.
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_damaged_xml_is_refused_with_the_line(english):
    data = marcxml(cnmarc())[:-30]
    report = marc_read(data)
    assert report.refused and report.problems[0].startswith("The XML file is damaged near line")


def test_xml_without_records_is_refused(english):
    assert marc_read(b"<collection/>").problems == ["The file holds no MARC records."]


# --- checking against the catalogue ----------------------------------------------------------------


def test_the_report_names_each_records_problems(english):
    report = marc_preview(three_cnmarc_records())
    assert [(entry.number, entry.title, entry.valid) for entry in report.entries] == [
        (1, "草房子", True),
        (2, "小猪唏哩呼噜", True),
        (3, "错误的书", False),
    ]
    assert report.entries[2].problems == ["Invalid ISBN: 978-7-5321-6789-1."]
    unknown_class = marc_preview(three_cnmarc_records(invalid_isbn=False)).entries[2]
    assert unknown_class.problems == ["Unknown CLC class: W12."]


def test_a_record_without_a_title_is_a_problem(english):
    [entry] = marc_preview(iso(cnmarc(title="", statement=""))).entries
    assert entry.problems == ["The record has no title (CNMARC 200 $a, MARC21 245 $a)."]


def test_barcodes_already_used_or_given_twice_are_problems(english):
    copies_add(
        record=RecordFactory(title="已有的书"), count=1, location=location_default(), barcodes=["C0000009"]
    )
    data = iso(
        cnmarc(holdings=(("C0000001", "I287.45", "1"),)),
        cnmarc("第二本", isbn=BOOK2_ISBN, holdings=(("C0000001", "I287.45", "2"),)),
        cnmarc(
            "第三本", isbn=BOOK3_ISBN, holdings=(("C0000009", "I287.45", "3"), ("C0000010", "I287.45", "3"))
        ),
        cnmarc("第四本", isbn=None, holdings=(("C0000011", "", ""), ("C0000011", "", ""))),
    )
    report = marc_preview(data)
    assert [entry.problems for entry in report.entries] == [
        [],
        ["Barcode C0000001 is also given to record 1 of this file."],
        ["Barcode C0000009 is already used by a copy in the catalogue."],
        ["Barcode C0000011 appears twice in this record."],
    ]


def test_the_same_isbn_twice_in_the_file_adds_copies_to_the_first_record(english):
    """As the spreadsheet import makes rows of one ISBN copies of one record (issue 15, 4):
    the later record's copies go to the first, with a note when its title differs."""
    report = marc_preview(
        iso(
            cnmarc(holdings=(("C0000001", "I287.45", "12"),)),
            cnmarc("草房子(第二条)", holdings=(("C0000002", "I287.45", "12"),)),
        )
    )
    [entry] = report.entries
    assert entry.valid and entry.title == "草房子"
    assert entry.barcodes == ["C0000001", "C0000002"]
    assert entry.notes == [
        "Record 2 of this file has the same ISBN but the title “草房子(第二条)”; its copies are added to this record."
    ]


def test_an_isbn_the_catalogue_has_is_already_in_the_catalogue():
    existing = RecordFactory(title="草房子", isbn=CAOFANGZI_ISBN)
    skipped = marc_preview(iso(cnmarc()), existing=SKIP).entries[0]
    assert skipped.valid and skipped.skipped and skipped.existing_pk == existing.pk
    added = marc_preview(iso(cnmarc()), existing=ADD_COPIES).entries[0]
    assert added.valid and added.adds_copies_to_existing and not added.is_new


# --- saving -------------------------------------------------------------------------------------------


def test_import_saves_the_valid_records_and_their_copies_in_one_step():
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    reading_room = Location.objects.get(name="阅览室")
    result = marc_import(
        data=three_cnmarc_records(),
        copies_per_record=3,
        location=reading_room,
        skip_invalid=True,
        user=librarian,
    )
    assert (len(result.records_created), result.copies_created, result.invalid) == (2, 5, 1)
    caofangzi = Record.objects.get(title="草房子")
    assert (caofangzi.isbn, caofangzi.call_number, caofangzi.classification.code) == (
        "9787534665431",
        "I287.45/12",
        "I287.45",
    )
    assert caofangzi.created_by == librarian
    assert sorted(caofangzi.copies.values_list("barcode", flat=True)) == ["C0000001", "C0000002"]
    assert set(caofangzi.copies.values_list("location__name", "price_paid")) == {("阅览室", Decimal("25.00"))}
    pig = Record.objects.get(title="小猪唏哩呼噜")
    assert pig.copies.count() == 3 and pig.call_number == "I287.5/1"
    assert list(pig.contributors.values_list("name", "role")) == [
        ("孙幼军", "author"),
        ("裘兆明", "illustrator"),
    ]
    assert not Record.objects.filter(title="错误的书").exists()


def test_zero_copies_saves_the_records_only():
    result = marc_import(data=iso(cnmarc()), copies_per_record=0, location=location_default())
    assert (len(result.records_created), result.copies_created) == (1, 0)
    assert Copy.objects.count() == 0


def test_a_file_with_invalid_records_saves_nothing_unless_told_to_skip_them(english):
    with pytest.raises(MarcImportRefused) as refusal:
        marc_import(data=three_cnmarc_records(), copies_per_record=1, location=location_default())
    assert str(refusal.value.message) == "1 records have problems; nothing was saved."
    assert (Record.objects.count(), Copy.objects.count()) == (0, 0)


def test_records_already_in_the_catalogue_are_skipped_or_given_copies():
    existing = RecordFactory(title="草房子", isbn=CAOFANGZI_ISBN, copies=1)
    data = iso(cnmarc(holdings=(("C0000001", "I287.45", "12"),)), cnmarc("小猪唏哩呼噜", isbn=BOOK2_ISBN))
    result = marc_import(data=data, copies_per_record=1, location=location_default(), existing=SKIP)
    assert (result.skipped, len(result.records_created), existing.copies.count()) == (1, 1, 1)
    pig = Record.objects.get(title="小猪唏哩呼噜")
    result = marc_import(data=data, copies_per_record=1, location=location_default(), existing=ADD_COPIES)
    assert result.records_given_copies == [existing.pk, pig.pk] and result.records_created == []
    assert pig.copies.count() == 2
    assert sorted(existing.copies.values_list("barcode", flat=True)) == ["C0000001", "T0000001"]
    assert Record.objects.filter(title="草房子").count() == 1


def test_nothing_is_saved_when_the_catalogue_changed_since_the_preview(english):
    data = three_cnmarc_records()
    preview = marc_preview(data)
    assert preview.valid_numbers == [1, 2]
    copies_add(
        record=RecordFactory(title="别的书"), count=1, location=location_default(), barcodes=["C0000002"]
    )
    before = (Record.objects.count(), Copy.objects.count())
    with pytest.raises(MarcImportRefused) as refusal:
        marc_import(
            data=data, copies_per_record=1, location=location_default(), skip_invalid=True, expected=[1, 2]
        )
    assert "The catalogue changed since the preview" in str(refusal.value.message)
    assert (Record.objects.count(), Copy.objects.count()) == before


# --- the page -----------------------------------------------------------------------------------------


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    client.cookies["django_language"] = "en"
    return client


def upload(client, data: bytes, *, name="books.mrc", copies=1, existing=SKIP, location=None):
    return client.post(
        URL,
        {
            "action": "upload",
            "file": SimpleUploadedFile(name, data),
            "copies": copies,
            "location": (location or location_default()).pk,
            "existing": existing,
        },
    )


def imports_folders():
    root = django_settings.VAR_DIR / "imports"
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


def test_the_desk_links_to_the_import_page(librarian):
    page = librarian.get(reverse("catalog:cataloguing")).content.decode()
    assert f'href="{reverse("catalog:marc-import")}"' in page
    assert reverse("catalog:marc-import") == URL


def test_a_teacher_gets_403_and_a_visitor_the_login_page(client):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory(roles=[Role.TEACHER]))
    assert client.get(URL).status_code == 403
    assert upload(client, three_cnmarc_records()).status_code == 403
    assert imports_folders() == [] and Record.objects.count() == 0


def test_upload_shows_the_preview_and_saves_nothing(librarian):
    response = upload(librarian, three_cnmarc_records(), copies=2)
    assert response.status_code == 302 and response["Location"] == URL
    token = librarian.session["catalog-marc-import"]["token"]
    assert imports_folders() == [token]
    page = librarian.get(URL).content.decode()
    assert 'data-count="records">3<' in page
    assert 'data-count="new">2<' in page
    assert 'data-count="problems">1<' in page
    assert 'data-count="copies">4<' in page  # two barcodes of 草房子 + two chosen for 小猪唏哩呼噜
    assert (
        '<tr data-entry="1" data-status="new">' in page
        and '<tr data-entry="3" data-status="problem">' in page
    )
    assert "Invalid ISBN: 978-7-5321-6789-1." in page
    assert '<td class="font-monospace small">978-7-5321-6789-1</td>' in page  # as the file gives it
    assert "C0000001, C0000002" in page
    assert "Import 2 records" in page
    assert Record.objects.count() == 0 and Copy.objects.count() == 0


def test_confirm_saves_exactly_the_valid_records_and_their_copies(librarian):
    upload(librarian, three_cnmarc_records(), copies=2)
    token = librarian.session["catalog-marc-import"]["token"]
    response = librarian.post(URL, {"action": "confirm", "token": token})
    assert response.status_code == 302 and response["Location"] == reverse("catalog:cataloguing")
    assert sorted(Record.objects.values_list("title", flat=True)) == ["小猪唏哩呼噜", "草房子"]
    assert Copy.objects.count() == 4
    assert imports_folders() == [] and "catalog-marc-import" not in librarian.session
    page = librarian.get(reverse("catalog:cataloguing")).content.decode()
    assert "Imported 2 new records with 4 copies." in page
    # A second click on the same button saves nothing more.
    librarian.post(URL, {"action": "confirm", "token": token})
    assert (Record.objects.count(), Copy.objects.count()) == (2, 4)


def test_cancel_saves_nothing_and_removes_the_file(librarian):
    upload(librarian, three_cnmarc_records())
    token = librarian.session["catalog-marc-import"]["token"]
    response = librarian.post(URL, {"action": "cancel", "token": token})
    assert response.status_code == 302
    assert imports_folders() == [] and Record.objects.count() == 0
    assert "nothing was saved" in librarian.get(URL).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\xff" + random.Random(3).randbytes(2000), "This is neither an ISO 2709 MARC file"),
        (b"<collection/>", "The file holds no MARC records."),
    ],
)
def test_a_refused_file_is_not_kept_and_saves_nothing(librarian, data, message):
    response = upload(librarian, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert imports_folders() == [] and "catalog-marc-import" not in librarian.session
    assert Record.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(librarian, settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 100
    response = upload(librarian, iso(cnmarc()))
    page = response.content.decode()
    assert response.status_code == 400 and "The file is larger than 0 MB, the most this page takes." in page
    assert "python manage.py import_marc FILE" in page
    assert imports_folders() == []


def test_a_confirm_with_another_token_saves_nothing(librarian):
    upload(librarian, three_cnmarc_records())
    response = librarian.post(URL, {"action": "confirm", "token": "../../etc"})
    assert response.status_code == 302
    assert Record.objects.count() == 0 and len(imports_folders()) == 1


def test_a_confirm_after_the_catalogue_changed_shows_the_preview_again(librarian):
    upload(librarian, three_cnmarc_records())
    copies_add(
        record=RecordFactory(title="别的书"), count=1, location=location_default(), barcodes=["C0000002"]
    )
    token = librarian.session["catalog-marc-import"]["token"]
    response = librarian.post(URL, {"action": "confirm", "token": token})
    assert response.status_code == 409
    page = response.content.decode()
    assert "The catalogue changed since the preview" in page
    assert "Barcode C0000002 is already used by a copy in the catalogue." in page
    assert Record.objects.filter(title="草房子").count() == 0
    # The preview is now current: confirming saves the one record still valid.
    librarian.post(URL, {"action": "confirm", "token": token})
    assert list(Record.objects.exclude(title="别的书").values_list("title", flat=True)) == ["小猪唏哩呼噜"]


def test_the_preview_counts_records_the_catalogue_has(librarian):
    RecordFactory(title="草房子", isbn=CAOFANGZI_ISBN)
    upload(librarian, iso(cnmarc(), marc21()), existing=ADD_COPIES, copies=1)
    page = librarian.get(URL).content.decode()
    assert 'data-count="existing">1<' in page and 'data-status="existing-add"' in page


# --- the command ------------------------------------------------------------------------------------


def run_command(*args):
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_marc", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_dry_run_reports_and_saves_nothing(tmp_path):
    path = tmp_path / "books.iso"
    path.write_bytes(iso(cnmarc(), marc21(), encoding="gb18030"))
    out, err = run_command(str(path), "--dry-run")
    assert "ISO 2709 file, 2 records (CNMARC 1, MARC21 1)." in out
    assert "#1 CNMARC GB18030 草房子: new, 1 copies" in out
    assert "#2 MARC21 UTF-8 Charlotte's web: new, 1 copies" in out  # plain ASCII reads as either
    assert "Dry run: nothing was saved." in out and err == ""
    assert Record.objects.count() == 0


def test_the_command_lists_problems_exits_1_and_saves_nothing(tmp_path):
    path = tmp_path / "books.mrc"
    path.write_bytes(three_cnmarc_records())
    for extra in ((), ("--dry-run",)):
        with pytest.raises(CommandError) as error:
            run_command(str(path), *extra)
        assert error.value.returncode == 1
        assert "1 records have problems; nothing was saved." in str(error.value)
    assert Record.objects.count() == 0


def test_the_command_saves_the_valid_records_with_skip_invalid(tmp_path):
    path = tmp_path / "books.xml"
    path.write_bytes(
        marcxml(cnmarc(holdings=(("C0000001", "I287.45", "12"),)), cnmarc("错误的书", isbn="9787000000000"))
    )
    out, err = run_command(str(path), "--skip-invalid", "--copies", "0", "--location", "阅览室")
    assert "#2 CNMARC UTF-8 错误的书: NOT IMPORTED — Invalid ISBN: 9787000000000." in err
    assert "Saved: 1 new records and 1 copies" in out
    assert Copy.objects.get().location.name == "阅览室"


def test_the_command_adds_copies_to_records_the_catalogue_has(tmp_path):
    existing = RecordFactory(title="草房子", isbn=CAOFANGZI_ISBN)
    path = tmp_path / "books.mrc"
    path.write_bytes(iso(cnmarc(holdings=(("C0000001", "I287.45", "12"),))))
    out, _err = run_command(str(path), "--existing", "add-copies")
    assert f"#1 CNMARC UTF-8 草房子: already in the catalogue (record {existing.pk}): 1 copies added" in out
    assert list(existing.copies.values_list("barcode", flat=True)) == ["C0000001"]
    assert Record.objects.count() == 1


def test_the_command_refuses_an_unreadable_file_with_exit_2(tmp_path):
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    for path, message in (
        (empty, "The file is empty."),
        (tmp_path / "missing.mrc", "The file cannot be read"),
    ):
        with pytest.raises(CommandError) as error:
            run_command(str(path))
        assert error.value.returncode == 2 and message in str(error.value)
    path = tmp_path / "books.mrc"
    path.write_bytes(iso(cnmarc()))
    with pytest.raises(CommandError) as error:
        run_command(str(path), "--location", "火星")
    assert error.value.returncode == 2


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_the_command_as_a_process_exits_0_then_1(tmp_path):
    _catalogue_defaults()
    good, bad = tmp_path / "good.mrc", tmp_path / "bad.mrc"
    good.write_bytes(iso(cnmarc()))
    bad.write_bytes(three_cnmarc_records())
    env = subprocess_env(DATABASE_URL=_database_url(), LIBRARY_VAR_DIR=str(tmp_path))

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", "import_marc", *args],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = manage(str(good), "--copies", "2")
    assert done.returncode == 0, done.stderr
    assert "#1 CNMARC UTF-8 草房子" in done.stdout
    assert Record.objects.get().copies.count() == 2
    refused = manage(str(bad))
    assert refused.returncode == 1
    assert "#3 CNMARC UTF-8 错误的书" in refused.stderr and "978-7-5321-6789-1" in refused.stderr
    assert Record.objects.count() == 1
    assert manage(str(tmp_path / "missing.mrc")).returncode == 2


# --- the browser ------------------------------------------------------------------------------------


def _catalogue_defaults():
    """The CLC table and the rooms that migration 0002 loads; a transactional test empties
    every table when it ends, so the next one loads them again."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("catalog.migrations.0002_classification_and_defaults")
    migration.load_classification(apps, None)
    migration.create_defaults(apps, None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_librarian_imports_a_cnmarc_file_in_the_browser(page, tmp_path):
    _catalogue_defaults()
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    path = tmp_path / "从旧系统导出.iso"
    path.write_bytes(three_cnmarc_records())
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/catalog/")
    page.click("[data-link=marc-import]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(URL)
    page.screenshot(path=str(ARTIFACTS / "marc-import-upload.png"), full_page=True)
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=copies]", "2")
    page.click("[data-form=marc-upload] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-count="records"]').inner_text() == "3"
    assert page.locator('[data-count="problems"]').inner_text() == "1"
    assert page.locator('tr[data-status="problem"]').count() == 1
    assert "错误的书" in page.locator('tr[data-entry="3"]').inner_text()
    assert page.locator('tr[data-status="new"]').count() == 2
    assert Record.objects.count() == 0
    page.screenshot(path=str(ARTIFACTS / "marc-import-preview.png"), full_page=True)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "Invalid ISBN: 978-7-5321-6789-1." in page.locator('tr[data-entry="3"]').inner_text()
    page.screenshot(path=str(ARTIFACTS / "marc-import-preview-en.png"), full_page=True)
    page.click("[data-action=confirm]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/catalog/")
    assert "Imported 2 new records with 4 copies." in page.locator(".messages").inner_text()
    assert Copy.objects.count() == 4
    # The imported book is found in the OPAC by its title's pinyin initials.
    page.goto("/opac/?q=cfz")
    page.wait_for_load_state("networkidle")
    assert "草房子" in page.locator("#main").inner_text()
    assert Contributor.objects.filter(name="曹文轩").exists()
    page.screenshot(path=str(ARTIFACTS / "marc-import-opac.png"), full_page=True)


# --- a large file, saved by the worker ----------------------------------------------------------------


@pytest.fixture
def queue(monkeypatch, settings):
    """Files of more than one record go to the worker; the jobs sent are kept here, and the test
    runs them as the worker would (the task itself, for real)."""
    settings.CATALOG_IMPORT_INLINE_RECORDS = 1
    sent = []
    monkeypatch.setattr(
        "catalog.views.marc.marc_import_task.delay", lambda *args, **kwargs: sent.append((args, kwargs))
    )
    return sent


def run_jobs(sent):
    from catalog.tasks import marc_import_task

    while sent:
        args, kwargs = sent.pop(0)
        marc_import_task(*args, **kwargs)


def test_a_large_import_is_saved_by_the_worker_with_progress(librarian, queue):
    upload(librarian, three_cnmarc_records(), copies=2)
    token = librarian.session["catalog-marc-import"]["token"]
    response = librarian.post(URL, {"action": "confirm", "token": token})
    assert response.status_code == 302 and len(queue) == 1
    assert queue[0][1]["language"] == "en" and "expected" not in queue[0][1]
    assert uploads.expected_read(token, claimed=True) == [1, 2]
    page = librarian.get(URL).content.decode()
    assert 'data-job="0/2"' in page and "Saving the import" in page
    # Another click, another upload or a cancel meanwhile changes nothing.
    librarian.post(URL, {"action": "confirm", "token": token})
    librarian.post(URL, {"action": "cancel"})
    assert len(queue) == 1 and Record.objects.count() == 0
    run_jobs(queue)
    poll = librarian.get(URL, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll["HX-Redirect"] == reverse("catalog:cataloguing")
    assert sorted(Record.objects.values_list("title", flat=True)) == ["小猪唏哩呼噜", "草房子"]
    assert Copy.objects.count() == 4
    assert imports_folders() == [] and "catalog-marc-import" not in librarian.session
    assert (
        "Imported 2 new records with 4 copies."
        in librarian.get(reverse("catalog:cataloguing")).content.decode()
    )


def test_the_worker_runs_a_job_once(librarian, queue):
    upload(librarian, three_cnmarc_records())
    librarian.post(URL, {"action": "confirm", "token": librarian.session["catalog-marc-import"]["token"]})
    job = queue[0]
    run_jobs([job, job])
    assert Record.objects.count() == 2 and Copy.objects.count() == 3


def test_a_job_refused_by_the_worker_brings_the_preview_back(librarian, queue):
    upload(librarian, three_cnmarc_records())
    librarian.post(URL, {"action": "confirm", "token": librarian.session["catalog-marc-import"]["token"]})
    copies_add(
        record=RecordFactory(title="别的书"), count=1, location=location_default(), barcodes=["C0000002"]
    )
    run_jobs(queue)
    response = librarian.get(URL)
    assert response.status_code == 409
    page = response.content.decode()
    assert "The catalogue changed since the preview" in page and 'data-count="new">1<' in page
    assert not Record.objects.filter(title="草房子").exists()
    assert len(imports_folders()) == 1 and not imports_folders()[0].endswith(".saving")


def test_a_job_that_stopped_answering_is_reported(librarian, queue):
    upload(librarian, three_cnmarc_records())
    librarian.post(URL, {"action": "confirm", "token": librarian.session["catalog-marc-import"]["token"]})
    session = librarian.session
    session["catalog-marc-import"]["job"]["started"] -= 11 * 60
    session.save()
    response = librarian.get(URL)
    assert response.status_code == 409
    assert "The import stopped without finishing" in response.content.decode()
    # Should the worker start after all, it finds no file to save.
    run_jobs(queue)
    assert Record.objects.count() == 0 and Copy.objects.count() == 0


def test_a_job_given_up_while_saving_rolls_back(english):
    from catalog.tasks import _progress

    token = uploads.upload_store(three_cnmarc_records())
    assert uploads.upload_claim(token)
    uploads.upload_release(token)  # what the page does when the job stops answering
    with pytest.raises(MarcImportRefused) as refusal:
        marc_import(
            data=three_cnmarc_records(),
            copies_per_record=1,
            location=location_default(),
            skip_invalid=True,
            progress=lambda done, total: _progress(token, done, total),
        )
    assert "given up" in str(refusal.value.message)
    assert Record.objects.count() == 0 and Copy.objects.count() == 0


# --- the preview built by the worker (issue 13) --------------------------------------------------------


def test_a_large_file_is_previewed_by_the_worker_and_only_its_uploader_confirms_it(
    librarian, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from django.test import Client

    from library_site.system.tasks import upload_preview_task

    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    sent = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: sent.append((args, kwargs)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(librarian, three_cnmarc_records(), copies=2)
    waiting = librarian.get(URL).content.decode()
    assert 'data-preview-state="queued"' in waiting and "Import 2 records" not in waiting
    token = librarian.session["catalog-marc-import"]["token"]
    librarian.post(URL, {"action": "confirm", "token": token})  # before the preview: refused
    assert Record.objects.count() == 0

    args, kwargs = sent[0]
    upload_preview_task(*args, **kwargs)

    assert librarian.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="upload-preview")["HX-Redirect"] == URL
    page = librarian.get(URL).content.decode()
    assert 'data-count="records">3<' in page and "Invalid ISBN: 978-7-5321-6789-1." in page
    other = Client()
    other.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    session = other.session
    session["catalog-marc-import"] = dict(librarian.session["catalog-marc-import"])
    session.save()
    assert "Import 2 records" not in other.get(URL).content.decode()
    other.post(URL, {"action": "confirm", "token": token})
    assert Record.objects.count() == 0
    librarian.post(URL, {"action": "confirm", "token": token})
    librarian.post(URL, {"action": "confirm", "token": token})
    assert sorted(Record.objects.values_list("title", flat=True)) == ["小猪唏哩呼噜", "草房子"]
    assert Copy.objects.count() == 4
