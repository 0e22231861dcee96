"""MARC export: what the catalogue writes (MARC21 or CNMARC, ISO 2709 or MARCXML, UTF-8 or
GB18030) is what its own MARC import reads back, records, copies and contributors alike; the
selection, the class and the whole catalogue; the page and the command as a real process."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pymarc
import pytest
from django.urls import reverse

from catalog.marc import marc_import, marc_read
from catalog.marc_export import (
    CNMARC,
    GB18030,
    ISO2709,
    MARC21,
    MARCXML,
    ROLE_WORDS_CNMARC,
    ROLE_WORDS_MARC21,
    UTF8,
    MarcExportChoice,
    MarcExportRefused,
    marc_export_stream,
)
from catalog.models import Contributor, Copy, CopyStatusChange, Record
from catalog.services.copies import copies_add
from catalog.services.records import record_create
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import RecordFactory, location_default
from .test_transfer_commands import manage

pytestmark = pytest.mark.django_db


def catalogue() -> list[Record]:
    kite = record_create(
        fields={
            "title": "追风筝的人",
            "subtitle": "一部小说",
            "isbn": "9787208061644",
            "price": Decimal("29.00"),
            "publisher": "上海人民出版社",
            "place": "上海",
            "year": 2006,
            "edition": "第2版",
            "pages": 362,
            "size": "21cm",
            "series": "外国文学名著",
            "subjects": "长篇小说; 阿富汗",
            "summary": "一个关于友谊与救赎的故事。",
            "clc_code": "I712.45",
        },
        contributors=[("卡勒德·胡赛尼", "author"), ("李继宏", "translator")],
    )
    copies_add(record=kite, count=3, location=location_default(), price_paid=Decimal("25.50"))
    weicheng = record_create(
        fields={
            "title": "围城",
            "isbn": "9787020024759",
            "publisher": "人民文学出版社",
            "year": 1991,
            "clc_code": "I246.5",
        },
        contributors=[("钱锺书", "author")],
    )
    copies_add(record=weicheng, count=2, location=location_default())
    anthology = record_create(
        fields={"title": "童话选", "publisher": "少年儿童出版社", "year": 2015, "clc_code": "I287.7"},
        contributors=[("张三", "chief_editor"), ("李四", "editor"), ("王五", "illustrator")],
    )
    copies_add(record=anthology, count=1, location=location_default())
    return [kite, weicheng, anthology]


def snapshot() -> list[tuple]:
    """Each record with its contributors and copies, as the catalogue holds them."""
    rows = []
    for record in Record.objects.order_by("isbn", "title"):
        rows.append(
            (
                record.title,
                record.subtitle,
                record.isbn,
                record.price,
                record.publisher,
                record.place,
                record.year,
                record.edition,
                record.pages,
                record.size,
                record.series,
                record.subjects,
                record.summary,
                record.clc_code,
                record.call_number,
                record.language,
                record.material_type,
                [(item.name, item.role) for item in record.contributors.order_by("position", "pk")],
                sorted(record.copies.values_list("barcode", flat=True)),
            )
        )
    return rows


def exported(choice: MarcExportChoice) -> bytes:
    return b"".join(marc_export_stream(choice))


def empty_catalogue() -> None:
    """The test's own clean slate, so that the import makes the records anew."""
    CopyStatusChange.objects.all().delete()
    Copy.objects.all().delete()
    Contributor.objects.all().delete()
    Record.objects.all().delete()


@pytest.mark.parametrize(
    ("format", "syntax", "encoding"),
    [
        (CNMARC, ISO2709, UTF8),
        (CNMARC, ISO2709, GB18030),
        (CNMARC, MARCXML, UTF8),
        (MARC21, ISO2709, UTF8),
        (MARC21, MARCXML, UTF8),
    ],
)
def test_what_is_exported_imports_back_as_the_same_records_copies_and_contributors(format, syntax, encoding):
    catalogue()
    before = snapshot()
    data = exported(MarcExportChoice(format=format, syntax=syntax, encoding=encoding))
    if encoding == GB18030:
        assert "追风筝的人".encode("gb18030") in data
    empty_catalogue()
    result = marc_import(data=data, copies_per_record=0, location=location_default())
    assert (len(result.records_created), result.copies_created) == (3, 6)
    assert snapshot() == before


def test_the_report_reads_the_format_and_encoding_it_was_written_in():
    catalogue()
    for format, encoding, declared in (
        (CNMARC, GB18030, "GB18030"),
        (CNMARC, UTF8, "UTF-8"),
        (MARC21, UTF8, "UTF-8"),
    ):
        report = marc_read(exported(MarcExportChoice(format=format, encoding=encoding)))
        assert {(entry.format, entry.encoding) for entry in report.entries} == {(format, declared)}
        assert not [entry.problems for entry in report.entries if entry.problems]


def test_a_class_exports_its_records_and_those_below_it_only():
    catalogue()
    RecordFactory(title="物理学", clc_code="O4")
    report = marc_read(exported(MarcExportChoice(clc="I7")))
    assert sorted(entry.title for entry in report.entries) == ["追风筝的人"]
    report = marc_read(exported(MarcExportChoice(clc="i2")))
    assert sorted(entry.title for entry in report.entries) == ["围城", "童话选"]


def test_a_selection_exports_the_records_chosen():
    kite, _weicheng, anthology = catalogue()
    report = marc_read(exported(MarcExportChoice(format=MARC21, ids=(anthology.pk, kite.pk))))
    assert [entry.title for entry in report.entries] == ["追风筝的人", "童话选"]


def test_withdrawn_copies_stay_out_of_the_holdings():
    kite, *_ = catalogue()
    copy = kite.copies.order_by("pk").first()
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.WITHDRAWN)
    [entry] = [
        entry for entry in marc_read(exported(MarcExportChoice())).entries if entry.title == "追风筝的人"
    ]
    assert copy.barcode not in entry.barcodes and len(entry.barcodes) == 2


def test_marc21_in_gb18030_is_refused_before_anything_is_written():
    with pytest.raises(MarcExportRefused):
        marc_export_stream(MarcExportChoice(format=MARC21, encoding=GB18030))


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def test_the_export_page_streams_the_file(librarian):
    catalogue()
    response = librarian.get(
        reverse("catalog:marc-export"),
        {"format": "cnmarc", "syntax": "marcxml", "encoding": "utf-8", "scope": "all"},
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="catalogue-cnmarc-')
    data = b"".join(response.streaming_content)
    assert sorted(entry.title for entry in marc_read(data).entries) == ["围城", "童话选", "追风筝的人"]


def test_the_export_page_refuses_bad_choices_with_a_message(librarian):
    response = librarian.get(
        reverse("catalog:marc-export"), {"format": "marc21", "encoding": "gb18030", "scope": "all"}
    )
    assert response.status_code == 200
    assert not response.streaming
    assert "data-refusal" in response.content.decode()
    response = librarian.get(reverse("catalog:marc-export"), {"scope": "selection", "ids": "12, x"})
    assert "data-refusal" in response.content.decode()


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT])
def test_only_cataloguers_may_export(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("catalog:marc-export"), {"scope": "all"}).status_code == 403


def run_command(*arguments: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return manage("export_marc", *arguments, tmp_path=tmp_path)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("data_from_migrations")  # the classification, which a flush empties
def test_the_command_writes_the_file_and_refuses_bad_input_with_a_non_zero_exit(tmp_path: Path):
    catalogue()
    target = tmp_path / "out.mrc"
    done = run_command(
        "--format", "cnmarc", "--encoding", "gb18030", "--output", str(target), tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "3" in done.stdout
    assert sorted(entry.title for entry in marc_read(target.read_bytes()).entries) == [
        "围城",
        "童话选",
        "追风筝的人",
    ]
    refused = run_command(
        "--format", "marc21", "--encoding", "gb18030", "--output", str(tmp_path / "no.mrc"), tmp_path=tmp_path
    )
    assert refused.returncode != 0
    assert "GB18030" in refused.stderr
    assert not (tmp_path / "no.mrc").exists()
    assert (
        run_command("--ids", "1,x", "--output", str(tmp_path / "no.mrc"), tmp_path=tmp_path).returncode != 0
    )
    assert run_command("--format", "dublin-core", tmp_path=tmp_path).returncode != 0


# --- the roles of Chinese title pages: 编著, 续, 校注, 整理, 评注, 编选/选编 -------------------------


def test_every_role_has_its_marc21_terms_and_codes_and_its_cnmarc_word():
    assert set(ROLE_WORDS_MARC21) == set(Contributor.Role) == set(ROLE_WORDS_CNMARC)


def honglou() -> Record:
    """A record with one contributor of each role the title pages of Chinese books add, those of
    primary responsibility first (CNMARC writes them in 701 before the others' 702)."""
    record = record_create(
        fields={"title": "红楼梦", "publisher": "人民文学出版社", "year": 2008, "clc_code": "I242.4"},
        contributors=[
            ("曹雪芹", "author"),
            ("高鹗", "continuer"),
            ("张三", "editor_author"),
            ("启功", "collator_annotator"),
            ("俞平伯", "arranger"),
            ("脂砚斋", "commentator"),
            ("李四", "selector"),
        ],
    )
    copies_add(record=record, count=2, location=location_default())
    return record


def test_the_new_roles_are_written_as_marc21_relator_terms_and_codes():
    honglou()
    [record] = pymarc.parse_xml_to_array(
        io.BytesIO(exported(MarcExportChoice(format=MARC21, syntax=MARCXML)))
    )
    names = [
        (item.tag, item["a"], item.get_subfields("e"), item.get_subfields("4"))
        for item in record.get_fields("100", "700")
    ]
    assert names == [
        ("100", "曹雪芹", ["author"], ["aut"]),
        ("700", "高鹗", ["continuator"], ["aut"]),
        ("700", "张三", ["author", "editor"], ["aut", "edt"]),
        ("700", "启功", ["annotator"], ["ann"]),
        ("700", "俞平伯", ["arranger"], ["edt"]),
        ("700", "脂砚斋", ["commentator"], ["cwt"]),
        ("700", "李四", ["editor of compilation"], ["edc"]),
    ]


def test_the_new_roles_are_written_as_the_title_pages_words_in_cnmarc():
    honglou()
    [record] = pymarc.parse_xml_to_array(
        io.BytesIO(exported(MarcExportChoice(format=CNMARC, syntax=MARCXML)))
    )
    names = [(item.tag, item["a"], item["4"]) for item in record.get_fields("701", "702")]
    assert names == [
        ("701", "曹雪芹", "著"),
        ("701", "高鹗", "续"),
        ("701", "张三", "编著"),
        ("702", "启功", "校注"),
        ("702", "俞平伯", "整理"),
        ("702", "脂砚斋", "评注"),
        ("702", "李四", "编选"),
    ]
    assert record["200"]["f"] == "曹雪芹著，高鹗续，张三编著"


@pytest.mark.parametrize(("format", "syntax"), [(CNMARC, ISO2709), (MARC21, ISO2709), (MARC21, MARCXML)])
def test_the_new_roles_import_back_as_themselves(format, syntax):
    honglou()
    before = snapshot()
    data = exported(MarcExportChoice(format=format, syntax=syntax))
    empty_catalogue()
    marc_import(data=data, copies_per_record=0, location=location_default())
    assert snapshot() == before


def test_a_cnmarc_record_without_names_gives_its_roles_from_the_statement_the_export_wrote():
    honglou()
    record = pymarc.parse_xml_to_array(io.BytesIO(exported(MarcExportChoice(format=CNMARC, syntax=MARCXML))))[
        0
    ]
    for item in record.get_fields("701", "702"):
        record.remove_field(item)
    [entry] = marc_read(record.as_marc()).entries
    assert entry.contributors == [("曹雪芹", "author"), ("高鹗", "continuer"), ("张三", "editor_author")]


def test_a_foreign_marc21_name_that_is_author_and_editor_by_code_edited_and_wrote_the_book():
    record = pymarc.Record(leader="00000nam a2200000 i 4500")
    record.add_field(
        pymarc.Field(
            tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", "Essays")]
        )
    )
    record.add_field(
        pymarc.Field(
            tag="100",
            indicators=pymarc.Indicators("1", " "),
            subfields=[
                pymarc.Subfield("a", "Smith, Jane,"),
                pymarc.Subfield("4", "aut"),
                pymarc.Subfield("4", "edt"),
            ],
        )
    )
    record.add_field(
        pymarc.Field(
            tag="700",
            indicators=pymarc.Indicators("1", " "),
            subfields=[
                pymarc.Subfield("a", "Doe, John,"),
                pymarc.Subfield("e", "translator."),
                pymarc.Subfield("4", "aut"),
            ],
        )
    )
    [entry] = marc_read(record.as_marc()).entries
    assert entry.contributors == [("Smith, Jane", "editor_author"), ("Doe, John", "translator")]
