"""The MARC import's quick path saves what the one-record-at-a-time path saves.

A large import writes its records, contributors and copies with COPY on PostgreSQL
(library_site.bulk.rows_insert), checks their fields with fields_clean instead of Django's
clean_fields, reads pinyin once per word and skips cleaning ISBNs that are already normalised.
These tests hold each against the ordinary path: record_create and save() for the records of
real files, bulk_create for copies, clean_fields for refusals, python-stdnum for ISBNs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from stdnum import isbn as stdnum_isbn

from catalog.isbn import isbn_normalise, isbn_to_10
from catalog.marc import marc_import
from catalog.models import Contributor, Copy, Record
from catalog.services.records import RECORD_FIELDS, record_create
from library_site.bulk import fields_clean, rows_insert

from .factories import location_default
from .marc_samples import cnmarc, isbn13, iso

DATA = Path(__file__).resolve().parent / "data"
# Set when saving, not part of what a record says.
NOT_COMPARED = {"id", "created_at", "updated_at", "created_by"}


def chinese_file() -> bytes:
    """CNMARC records in GB18030 with what pinyin and search folding work on: traditional and
    variant characters, a series, several authors and roles, a record without ISBN."""
    records = [
        cnmarc("草房子", holdings=(("A0000001", "", ""),)),
        cnmarc(
            "紅樓夢",
            isbn=isbn13("978-7-02-000220"),
            authors=(("曹雪芹", "著"), ("高鹗", "续")),
            statement="曹雪芹著 ; 高鹗续",
            series="中国古典文学读本丛书",
            publisher="人民文学出版社",
            clc="I242.47",
        ),
        cnmarc(
            "围城",
            isbn=None,
            authors=(("钱锺书", "著"),),
            statement="钱锺书著",
            subjects=("长篇小说", "中国"),
            clc="I246.5",
        ),
        cnmarc("小说选刊2019年度精选", authors=(), statement="《小说选刊》杂志社编选", isbn=None),
    ]
    return b"".join(iso(record, encoding="gb18030") for record in records)


def row(record: Record) -> dict:
    return {
        field.attname: getattr(record, field.attname)
        for field in Record._meta.concrete_fields
        if field.name not in NOT_COMPARED
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: (DATA / "pymarc-test.dat").read_bytes(), id="pymarc MARC21 MARC-8"),
        pytest.param(lambda: (DATA / "pymarc-testunimarc.dat").read_bytes(), id="pymarc UNIMARC"),
        pytest.param(chinese_file, id="CNMARC GB18030"),
    ],
)
def test_imported_records_are_saved_as_record_create_saves_them(data):
    """Given a real MARC file imported in bulk, when each saved record is catalogued again one
    at a time by record_create (with the call number the import gave it), then every stored
    field (the search text, grams, pinyin and sort key included) and every contributor is the
    same."""
    result = marc_import(data=data(), copies_per_record=1, location=location_default())
    assert result.records_created
    imported = Record.objects.filter(pk__in=result.records_created).order_by("pk")
    for record in imported:
        contributors = list(record.contributors.order_by("position").values_list("name", "role"))
        again = record_create(
            fields={name: getattr(record, name) for name in RECORD_FIELDS},
            contributors=contributors,
        )
        again.refresh_from_db()
        assert row(again) == row(record)
        assert list(again.contributors.order_by("position").values_list("name", "role", "position")) == list(
            record.contributors.order_by("position").values_list("name", "role", "position")
        )
        assert record.search_text and record.title_sort


@pytest.mark.django_db
def test_rows_insert_writes_what_bulk_create_writes():
    """Given the same copies, one set written by rows_insert (COPY on PostgreSQL) and one by
    bulk_create, then they come back with ids and, read from the database, with the same values."""
    record = record_create(fields={"title": "草房子", "price": Decimal("25.00")})
    location = location_default()
    now = timezone.now()

    def copies(prefix: str) -> list[Copy]:
        return [
            Copy(
                record=record,
                barcode=f"{prefix}{number}",
                accession_number=f"{prefix}-{number}",
                location=location,
                acquired_on=date(2026, 9, 1),
                created_at=now,
                price_paid=Decimal("12.50") if number else None,
                notes="tab\there, a backslash \\ and\na new line",
                donor="王老师" if number == 2 else "",
                source=Copy.Source.DONATION if number == 2 else Copy.Source.PURCHASE,
            )
            for number in range(3)
        ]

    written = rows_insert(Copy, copies("R"))
    expected = Copy.objects.bulk_create(copies("B"))
    assert all(copy.pk for copy in written) and not any(copy._state.adding for copy in written)
    columns = [
        field.attname
        for field in Copy._meta.concrete_fields
        if field.name not in {"id", "barcode", "accession_number"}
    ]
    by_barcode = {
        copy.barcode: copy for copy in Copy.objects.filter(pk__in=[c.pk for c in written + expected])
    }
    for number in range(3):
        r, b = by_barcode[f"R{number}"], by_barcode[f"B{number}"]
        assert {name: getattr(r, name) for name in columns} == {name: getattr(b, name) for name in columns}
    assert Copy.objects.get(pk=written[0].pk).notes == "tab\there, a backslash \\ and\na new line"


@pytest.mark.django_db
def test_rows_insert_gives_the_contributors_of_saved_records_their_record():
    record = record_create(fields={"title": "围城"})
    rows_insert(Contributor, [Contributor(record=record, name="钱锺书", role="author", position=0)])
    assert list(record.contributors.values_list("name", flat=True)) == ["钱锺书"]


BAD_RECORDS = [
    {"title": ""},
    {"title": "书" * 301},
    {"title": "书", "language": "xx"},
    {"title": "书", "material_type": "scroll"},
    {"title": "书", "pages": -3},
    {"title": "书", "year": 70000},
    {"title": "书", "price": Decimal("123456789.99")},
    {"title": "书", "price": Decimal("1.234")},
    {"title": "书", "link": "not a link"},
    {"title": "书" * 400, "isbn": "9" * 20, "pages": -1},
]


@pytest.mark.parametrize("fields", BAD_RECORDS)
def test_fields_clean_refuses_exactly_as_clean_fields(fields):
    """Given a record with a bad value, fields_clean raises the ValidationError clean_fields
    raises, with the same fields and messages."""
    with pytest.raises(ValidationError) as expected:
        Record(**fields).clean_fields(exclude={"created_by", "classification"})
    with pytest.raises(ValidationError) as got:
        fields_clean(Record(**fields), exclude=["created_by", "classification"])
    assert got.value.message_dict == expected.value.message_dict


def test_fields_clean_passes_what_clean_fields_passes():
    record = Record(title="草房子", price=Decimal("25.00"), pages=285, year=2016, language="chi")
    fields_clean(record, exclude=["created_by", "classification", "search_text", "search_grams"])
    fields_clean(record, exclude={"created_by", "classification", "search_text", "search_grams"})


def isbns():
    """Valid and invalid ISBNs: 978 and 979, every check digit, hyphens, X, full-width digits."""
    texts = []
    for stem in ("978750000000", "978730000001", "979100000000", "978000000001", "978711111111"):
        for last in "0123456789":
            texts.append(stem + last)
    texts += [
        "7-5346-6543-4",
        "978-7-5346-6543-1",
        "0-8044-2957-X",
        "080442957X",
        "９７８７５３４６６５４３１",
    ]
    texts += ["", "123", "97875346654312", "977753466543X", "97875346６５４３1"]
    return texts


@pytest.mark.parametrize("text", isbns())
def test_isbn_quick_paths_answer_as_python_stdnum(text):
    from catalog.exceptions import InvalidISBN
    from catalog.isbn import isbn_clean

    cleaned = isbn_clean(text)
    try:
        stdnum_isbn.validate(cleaned)
        expected = stdnum_isbn.to_isbn13(cleaned) if len(cleaned) in (10, 13) else None
    except Exception:
        expected = None
    if expected is None:
        with pytest.raises(InvalidISBN):
            isbn_normalise(text)
        return
    assert isbn_normalise(text) == expected
    try:
        ten = stdnum_isbn.to_isbn10(expected)
    except Exception:
        ten = ""
    assert isbn_to_10(expected) == ten


def gin_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'catalog_record' AND indexdef LIKE '% USING gin %' "
            "ORDER BY indexname"
        )
        return [definition for (definition,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes are PostgreSQL's")
@pytest.mark.django_db
def test_a_first_catalogue_builds_the_search_indexes_once_and_they_are_the_same_after(monkeypatch):
    """Given an empty catalogue and an import above the threshold, when it saves, then the GIN
    indexes are there again with the same definitions, and the OPAC finds the records by them."""
    from catalog import marc
    from catalog.search import records_matching
    from library_site import bulk

    before = gin_indexes()
    assert len(before) == 4
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)
    deferred = []
    original = marc.gin_indexes_deferred

    def watched(*args, **kwargs):
        manager = original(*args, **kwargs)

        class Watch:
            def __enter__(self):
                deferred.append(manager.__enter__())

            def __exit__(self, *exc):
                return manager.__exit__(*exc)

        return Watch()

    monkeypatch.setattr(marc, "gin_indexes_deferred", watched)
    marc_import(data=chinese_file(), copies_per_record=1, location=location_default())
    assert deferred == [True]
    assert gin_indexes() == before
    found, _exact = records_matching(Record.objects.all(), "hlm")
    assert list(found.values_list("title", flat=True)) == ["紅樓夢"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes are PostgreSQL's")
@pytest.mark.django_db
def test_a_refused_import_keeps_the_indexes_and_saves_nothing(monkeypatch):
    from catalog import marc
    from catalog.marc import MarcImportRefused
    from library_site import bulk

    before = gin_indexes()
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)
    # The preview finds every barcode free; then the catalogue takes the first record's barcode,
    # which the import finds only when saving its copies, after the records and the indexes' drop.
    report = marc.marc_preview(chinese_file())
    Copy.objects.create(
        record=record_create(fields={"title": "已有"}), barcode="A0000001", location=location_default()
    )
    with pytest.raises(MarcImportRefused):
        marc_import(copies_per_record=1, location=location_default(), checked=report)
    assert gin_indexes() == before
    assert list(Record.objects.values_list("title", flat=True)) == ["已有"]
