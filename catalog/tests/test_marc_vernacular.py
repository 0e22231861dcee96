"""MARC import: MARC21 records of Chinese books catalogued abroad give the title, names and
imprint in romanisation and in 880 fields in Chinese, linked by $6. The catalogue takes the
Chinese (issue 15, 5), and the OPAC finds the book by it and still by the romanisation."""

from __future__ import annotations

import pytest
from pymarc import Field, Indicators, Subfield

from catalog.marc import marc_import, marc_read
from catalog.models import Record
from catalog.selectors.opac import SearchFilters, records_search

from .factories import location_default
from .marc_samples import iso, iso_raw

pytestmark = pytest.mark.django_db


def field(tag: str, indicators: str, *pairs: str) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(*indicators),
        subfields=[Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)],
    )


def nahan():
    """呐喊 as a North American library catalogues it, in UTF-8."""
    import pymarc

    record = pymarc.Record(leader="00000nam a2200000 i 4500")
    record.add_field(Field(tag="001", data="ocm12345678"))
    record.add_field(Field(tag="008", data="060101s2006    cc            000 1 chi d"))
    record.add_field(field("020", "  ", "a", "9787020049295"))
    record.add_field(field("100", "1 ", "6", "880-01", "a", "Lu, Xun,", "d", "1881-1936,", "e", "author."))
    record.add_field(field("245", "10", "6", "880-02", "a", "Na han /", "c", "Lu Xun zhu."))
    record.add_field(
        field("264", " 1", "6", "880-03", "a", "Beijing :", "b", "Ren min wen xue chu ban she,", "c", "2006.")
    )
    record.add_field(field("300", "  ", "a", "140 pages ;", "c", "21 cm"))
    record.add_field(field("880", "1 ", "6", "100-01/$1", "a", "鲁迅,", "d", "1881-1936,", "e", "author."))
    record.add_field(field("880", "10", "6", "245-02/$1", "a", "呐喊 /", "c", "鲁迅著."))
    record.add_field(
        field("880", " 1", "6", "264-03/$1", "a", "北京 :", "b", "人民文学出版社,", "c", "2006.")
    )
    return record


def titles(query: str) -> list[str]:
    return [record.title for record in records_search(SearchFilters(query=query)).records]


def test_the_880_fields_give_the_title_names_and_imprint_in_chinese():
    [entry] = marc_read(iso(nahan())).entries
    assert entry.valid
    assert entry.title == "呐喊"
    assert entry.contributors == [("鲁迅", "author")]
    assert (entry.fields["place"], entry.fields["publisher"], entry.fields["year"]) == (
        "北京",
        "人民文学出版社",
        2006,
    )
    assert entry.fields["pages"] == 140  # fields without an 880 are read as they are


def test_an_imported_record_is_found_by_its_chinese_title_and_author_and_by_the_romanisation():
    marc_import(data=iso(nahan()), copies_per_record=1, location=location_default())
    assert Record.objects.get().title == "呐喊"
    for query in ("鲁迅", "呐喊", "魯迅", "na han", "nahan", "lu xun"):
        assert titles(query) == ["呐喊"], query


def test_marc8_880_fields_in_eacc_are_read_too():
    # The usual form of such records in MARC-8: the Chinese in EACC between escape sequences.
    def eacc(codes: bytes) -> bytes:
        return b"\x1b$1" + codes + b"\x1b(B"

    data = iso_raw(
        "00000nam  2200000 a 4500",
        ("001", b"ocm00000002"),
        ("008", b"060101s2006    cc            000 1 chi d"),
        ("100", "1 ", [("6", b"880-01"), ("a", b"Lu, Xun,"), ("e", b"author.")]),
        ("245", "10", [("6", b"880-02"), ("a", b"Na han /"), ("c", b"Lu Xun zhu.")]),
        (
            "880",
            "1 ",
            [("6", b"100-01/$1"), ("a", eacc(b"\x27\x61\x76\x21\x5b\x67") + b","), ("e", b"author.")],
        ),
        ("880", "10", [("6", b"245-02/$1"), ("a", eacc(b"\x21\x35\x5b\x21\x36\x65") + b" /")]),
    )
    [entry] = marc_read(data).entries
    assert entry.encoding == "MARC-8"
    assert (entry.title, entry.contributors) == ("吶喊", [("鲁迅", "author")])
    marc_import(data=data, copies_per_record=1, location=location_default())
    assert titles("呐喊") == ["吶喊"] and titles("鲁迅") == ["吶喊"]


def test_an_880_in_another_script_leaves_the_romanised_field():
    import pymarc

    record = pymarc.Record(leader="00000nam a2200000 i 4500")
    record.add_field(Field(tag="008", data="060101s2006    ru            000 1 rus d"))
    record.add_field(field("245", "10", "6", "880-01", "a", "Voina i mir /", "c", "L. Tolstoi."))
    record.add_field(field("880", "10", "6", "245-01/(N", "a", "Война и мир /", "c", "Л. Толстой."))
    [entry] = marc_read(iso(record)).entries
    assert entry.title == "Voina i mir"


def test_an_unlinked_880_stands_in_for_a_field_the_record_lacks():
    record = nahan()
    record.remove_fields("264")
    record.get_fields("880")[2]["6"] = "264-00/$1"
    [entry] = marc_read(iso(record)).entries
    assert entry.fields["publisher"] == "人民文学出版社"
