"""MARC import: records as other systems really write them. A vendor's long 856 link, the same
record twice in one file, MARC21 holdings records beside their bibliographic records, XML that
is not MARC, and one damaged record in a well-formed MARCXML file."""

from __future__ import annotations

import pytest
from django.utils import translation
from pymarc import Field, Indicators, Subfield

from catalog.marc import marc_import, marc_preview, marc_read
from catalog.models import Copy, Record

from .factories import location_default
from .marc_samples import CAOFANGZI_ISBN, cnmarc, isbn13, iso, marc21, marcxml

pytestmark = pytest.mark.django_db

BOOK2_ISBN = isbn13("978-7-5448-2345")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def link_field(url: str) -> Field:
    return Field(tag="856", indicators=Indicators("4", "0"), subfields=[Subfield("u", url)])


# --- 3. a link longer than the catalogue keeps -----------------------------------------------------


LONG_LINK = "https://ebooks.example.com/reader/open?" + "&".join(f"token{n}=abcdefghij" for n in range(40))


def test_a_valid_link_longer_than_the_field_keeps_the_record_and_leaves_out_the_link():
    assert 500 < len(LONG_LINK) < 2000
    record = cnmarc(extra=(link_field(LONG_LINK),))
    [entry] = marc_preview(iso(record)).entries
    assert entry.valid and entry.title == "草房子"
    assert "link" not in entry.fields
    assert entry.notes == [
        "The link in field 856 $u is longer than the catalogue keeps (500 characters) and is left out: "
        + LONG_LINK[:100]
        + "…"
    ]
    result = marc_import(data=iso(record), copies_per_record=1, location=location_default())
    assert Record.objects.get(pk=result.records_created[0]).link == ""


def test_a_link_that_fits_is_kept_and_a_later_one_taken_when_the_first_is_too_long():
    short = "https://ebooks.example.com/book/123"
    record = cnmarc(extra=(link_field(LONG_LINK), link_field(short)))
    [entry] = marc_preview(iso(record)).entries
    assert entry.valid and entry.fields["link"] == short
    assert len(entry.notes) == 1 and "856 $u" in entry.notes[0]


def test_an_e_resource_whose_only_link_is_too_long_comes_in_as_a_book_and_saves():
    """The catalogue keeps no e-resource without its link (record_create refuses one), so a
    preview that let it through would refuse the whole import when saving."""
    record = marc21(holdings=())
    record.leader = record.leader[:6] + "m" + record.leader[7:]
    record.add_field(link_field(LONG_LINK))
    [entry] = marc_preview(iso(record)).entries
    assert entry.valid and entry.fields["material_type"] == "book"
    assert entry.notes[1:] == [
        "Without its link the record is imported as a book; give it a shorter link to make it an e-resource."
    ]
    marc_import(data=iso(record), copies_per_record=1, location=location_default())
    assert Record.objects.get().material_type == "book"
    record["856"]["u"] = "https://ebooks.example.com/book/1"
    [entry] = marc_preview(iso(record)).entries
    assert entry.fields["material_type"] == "e_resource" and entry.notes == []


# --- 4. the same record twice in one file ------------------------------------------------------------


def test_the_same_record_twice_becomes_one_record_with_the_copies_of_both():
    data = iso(
        cnmarc(holdings=(("C0000001", "I287.45", "12"),)),
        cnmarc("小猪唏哩呼噜", isbn=BOOK2_ISBN),
        cnmarc(holdings=(("C0000002", "I287.45", "12"),)),
    )
    report = marc_preview(data)
    assert [(entry.number, entry.title) for entry in report.entries] == [(1, "草房子"), (2, "小猪唏哩呼噜")]
    first = report.entries[0]
    assert first.valid and first.barcodes == ["C0000001", "C0000002"]
    assert first.notes == ["Record 3 of this file is the same record; its copies are added to this one."]
    assert report.valid_numbers == [1, 2] and report.copies_total(1) == 3

    result = marc_import(data=data, copies_per_record=1, location=location_default(), expected=[1, 2])
    assert (len(result.records_created), result.copies_created) == (2, 3)
    caofangzi = Record.objects.get(title="草房子")
    assert sorted(caofangzi.copies.values_list("barcode", flat=True)) == ["C0000001", "C0000002"]


def test_the_same_record_twice_without_barcodes_gets_the_chosen_copies_twice():
    data = iso(cnmarc(), cnmarc())
    [entry] = marc_preview(data).entries
    assert entry.copies_to_add(2) == 4
    result = marc_import(data=data, copies_per_record=2, location=location_default())
    assert result.copies_created == 4 and Record.objects.get().copies.count() == 4


def test_a_record_exported_twice_with_the_same_barcode_is_one_copy():
    holdings = (("C0000001", "I287.45", "12"),)
    [entry] = marc_preview(iso(cnmarc(holdings=holdings), cnmarc(holdings=holdings))).entries
    assert entry.valid and entry.barcodes == ["C0000001"]


def test_the_same_record_again_adds_its_copies_to_a_record_the_catalogue_has():
    from catalog.services.records import record_create

    existing = record_create(fields={"title": "草房子", "isbn": CAOFANGZI_ISBN}, contributors=[])
    data = iso(cnmarc(holdings=(("C0000001", "", ""),)), cnmarc(holdings=(("C0000002", "", ""),)))
    result = marc_import(data=data, copies_per_record=1, location=location_default(), existing="add_copies")
    assert result.records_given_copies == [existing.pk] and result.copies_created == 2
    assert sorted(existing.copies.values_list("barcode", flat=True)) == ["C0000001", "C0000002"]


def test_records_without_isbn_are_the_same_only_when_their_whole_description_is():
    first = cnmarc("围城", isbn=None, publisher="人民文学出版社", year="1991", authors=(("钱锺书", "著"),))
    again = cnmarc("围城", isbn=None, publisher="人民文学出版社", year="1991", authors=(("钱锺书", "著"),))
    later = cnmarc("围城", isbn=None, publisher="人民文学出版社", year="2013", authors=(("钱锺书", "著"),))
    report = marc_preview(iso(first, again, later))
    assert [(entry.number, entry.fields["year"]) for entry in report.entries] == [(1, 1991), (3, 2013)]
    assert report.entries[0].copies_to_add(1) == 2


# --- 6. holdings records, and XML that is not MARC ----------------------------------------------------

HOLDINGS_LEADER = "00000nx  a2200000un 4500"


def bibliographic(control: str, title: str, isbn: str | None) -> pymarc.Record:  # noqa: F821
    record = marc21(f"{title} /", isbn=isbn, holdings=())
    record.add_ordered_field(Field(tag="001", data=control))
    return record


def holdings_record(of: str | None, *barcodes: str, items: tuple[str, ...] = (), call=("I712.84", "W58")):
    import pymarc

    record = pymarc.Record(leader=HOLDINGS_LEADER)
    record.add_field(Field(tag="001", data=f"h{of}{len(barcodes)}"))
    if of is not None:
        record.add_field(Field(tag="004", data=of))
    record.add_field(Field(tag="008", data="0001014u    8   4001aucht      0000000"))
    for barcode in barcodes or ("",):
        subfields = [Subfield("b", "MAIN"), Subfield("h", call[0]), Subfield("i", call[1])]
        if barcode:
            subfields.append(Subfield("p", barcode))
        record.add_field(Field(tag="852", indicators=Indicators("0", " "), subfields=subfields))
    for barcode in items:
        record.add_field(
            Field(
                tag="876",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", "1"), Subfield("p", barcode)],
            )
        )
    return record


def test_holdings_records_become_copies_of_their_bibliographic_record():
    data = iso(
        bibliographic("ocm001", "Charlotte's web", "9780064400558"),
        holdings_record("ocm001", "B0000001"),
        holdings_record("ocm001", items=("B0000002", "B0000003")),
        bibliographic("ocm002", "Stuart Little", isbn13("978-0-06-440092")),
    )
    report = marc_preview(data)
    assert [(entry.number, entry.title) for entry in report.entries] == [
        (1, "Charlotte's web"),
        (4, "Stuart Little"),
    ]
    web = report.entries[0]
    assert web.valid and web.barcodes == ["B0000001", "B0000002", "B0000003"]
    assert web.fields["call_number"] == "I712.84/W58"
    assert web.notes == ["Copies from the holdings records of this file: 2, 3."]
    assert web.copies_to_add(5) == 3  # its holdings say how many copies it has
    assert report.entries[1].copies_to_add(5) == 5

    marc_import(data=data, copies_per_record=5, location=location_default())
    record = Record.objects.get(title="Charlotte's web")
    assert sorted(record.copies.values_list("barcode", flat=True)) == ["B0000001", "B0000002", "B0000003"]
    assert Copy.objects.count() == 8


def test_a_holdings_record_before_its_record_and_one_without_barcodes():
    data = iso(
        holdings_record("ocm001"),
        bibliographic("ocm001", "Charlotte's web", "9780064400558"),
    )
    [entry] = marc_preview(data).entries
    assert entry.number == 2 and entry.barcodes == [] and entry.copies_to_add(3) == 3


def test_a_holdings_record_whose_record_is_not_in_the_file_is_a_problem_naming_it():
    data = iso(
        bibliographic("ocm001", "Charlotte's web", "9780064400558"),
        holdings_record("ocm999", "B0000001"),
        holdings_record(None, "B0000002"),
    )
    report = marc_preview(data)
    assert [entry.problems for entry in report.entries] == [
        [],
        [
            "This holdings record belongs to the record with control number ocm999 (field 004), "
            "which is not in this file."
        ],
        ["This holdings record does not say whose copies it lists: it has no field 004."],
    ]
    assert report.entries[0].copies_to_add(1) == 1


def test_holdings_records_in_marcxml_too():
    data = marcxml(
        bibliographic("ocm001", "Charlotte's web", "9780064400558"), holdings_record("ocm001", "B1")
    )
    [entry] = marc_read(data).entries
    assert entry.barcodes == ["B1"] and entry.title == "Charlotte's web"


def test_xml_that_is_not_marc_is_refused_as_not_marc():
    iso20775 = b"""<?xml version="1.0" encoding="UTF-8"?>
<holdings xmlns="info:ofi/fmt:xml:xsd:iso20775">
  <holding>
    <physicalLocation>School library</physicalLocation>
    <holdingSimple><copyInformation>
      <pieceIdentifier><value>B0000001</value></pieceIdentifier>
    </copyInformation></holdingSimple>
  </holding>
</holdings>"""
    report = marc_read(iso20775)
    assert report.refused and report.entries == []
    assert report.problems == [
        "This XML file is not MARCXML: it begins with <holdings> (info:ofi/fmt:xml:xsd:iso20775), not a "
        "MARC <collection> or <record>, and holds no MARC records."
    ]
    # The same in an SRU response, whose <record> elements are SRU's, not MARC's.
    sru = (
        b'<searchRetrieveResponse xmlns="http://docs.oasis-open.org/ns/search-ws/sruResponse"><records>'
        b"<record><recordSchema>info:ofi/fmt:xml:xsd:iso20775</recordSchema><recordData>"
        + iso20775.split(b"?>", 1)[1]
        + b"</recordData></record></records></searchRetrieveResponse>"
    )
    assert (
        marc_read(sru)
        .problems[0]
        .startswith("This XML file is not MARCXML: it begins with <searchRetrieveResponse>")
    )
    # Plain XML of another kind, with <record> elements but no MARC in them.
    other = b"<export><record><title>x</title></record></export>"
    assert marc_read(other).problems[0].startswith("This XML file is not MARCXML: it begins with <export>")


def test_marcxml_inside_an_sru_response_is_read():
    inner = marcxml(cnmarc()).split(b"?>", 1)[1]
    sru = (
        b'<searchRetrieveResponse xmlns="http://docs.oasis-open.org/ns/search-ws/sruResponse"><records><record>'
        b"<recordSchema>marcxml</recordSchema><recordData>" + inner + b"</recordData></record></records>"
        b"</searchRetrieveResponse>"
    )
    report = marc_read(sru)
    assert not report.refused and [entry.title for entry in report.entries] == ["草房子"]


# --- 7. one damaged record in a well-formed MARCXML file ---------------------------------------------


def test_one_bad_element_refuses_only_its_record():
    good = marcxml(cnmarc(), cnmarc("小猪唏哩呼噜", isbn=BOOK2_ISBN)).decode()
    start = good.index("<record", good.index("<record") + 1)
    broken = (
        good[:start] + '<record>\n<leader>00000nam0 2200000   450 </leader>\n<datafield ind1="1" ind2=" ">'
        '<subfield code="a">坏记录</subfield></datafield>\n<datafield tag="701" ind1=" " ind2="0">'
        "<subfield>无代码</subfield></datafield></record>\n" + good[start:]
    ).encode()
    report = marc_preview(broken)
    assert not report.refused
    assert [(entry.number, entry.title, entry.valid) for entry in report.entries] == [
        (1, "草房子", True),
        (2, "", False),
        (3, "小猪唏哩呼噜", True),
    ]
    assert report.entries[1].problems == [
        "This record is damaged near line 4: a <datafield> without its “tag” attribute."
    ]
    result = marc_import(
        data=broken, copies_per_record=1, location=location_default(), skip_invalid=True, expected=[1, 3]
    )
    assert (len(result.records_created), result.invalid) == (2, 1)


def test_a_subfield_without_its_code_refuses_its_record():
    data = (
        b'<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader>'
        b'<datafield tag="245" ind1="1" ind2="0"><subfield>No code</subfield></datafield></record></collection>'
    )
    [entry] = marc_read(data).entries
    assert entry.problems == [
        "This record is damaged near line 1: a <subfield> without its “code” attribute."
    ]


def test_xml_that_is_not_well_formed_is_still_refused_as_a_whole():
    report = marc_read(marcxml(cnmarc())[:-30])
    assert report.refused and report.problems[0].startswith("The XML file is damaged near line")


# --- 11. saving many records ---------------------------------------------------------------------------


def test_saving_takes_the_same_few_queries_for_ten_records_or_three_hundred(django_assert_max_num_queries):
    """Records and copies are saved in bulk, as the spreadsheet import saves them, not one
    record_create and one copies_add (a dozen queries) per record."""

    def books(count: int, first: int) -> bytes:
        return iso(
            *(
                cnmarc(
                    f"测试图书{number}",
                    isbn=isbn13(f"978-7-5{number:07d}"),
                    clc=("I287.45", "I247.5", "G624.2")[number % 3],
                    holdings=((f"M{number:07d}", "", ""),) if number % 2 else (),
                )
                for number in range(first, first + count)
            )
        )

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        marc_import(data=books(10, 0), copies_per_record=2, location=location_default())
    with django_assert_max_num_queries(len(few.captured_queries) + 5):
        result = marc_import(data=books(300, 1000), copies_per_record=2, location=location_default())
    assert (len(result.records_created), result.copies_created) == (300, 450)
    assert Copy.objects.filter(barcode="M0001001").get().record.title == "测试图书1001"
