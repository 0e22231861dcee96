"""MARC import: records as other systems really write them. A vendor's long 856 link, the same
record twice in one file, MARC21 holdings records beside their bibliographic records, XML that
is not MARC, and one damaged record in a well-formed MARCXML file."""

from __future__ import annotations

import pytest
from django.utils import translation
from pymarc import Field, Indicators, Subfield

from catalog.marc import marc_import, marc_preview
from catalog.models import Record

from .factories import location_default
from .marc_samples import cnmarc, isbn13, iso, marc21

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


def test_an_e_resource_whose_only_link_is_too_long_is_still_an_e_resource():
    record = marc21(holdings=())
    record.leader = record.leader[:6] + "m" + record.leader[7:]
    record.add_field(link_field(LONG_LINK))
    [entry] = marc_preview(iso(record)).entries
    assert entry.valid and entry.fields["material_type"] == "e_resource"
