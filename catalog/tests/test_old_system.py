"""Moving from the old library system, the records step (catalog/old_system.py): a real MARC21
file from pymarc's test suite (catalog/tests/data/pymarc-test.dat, ten records of Perl books)
with holdings added as the old systems write them (852 and 876), and CNMARC records with 905
and 906. Checked, saved all or nothing, and run again without making anything twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pymarc
import pytest
from django.utils import translation
from pymarc import Field, Indicators, Subfield

from catalog.models import Copy, Location, Record
from catalog.old_system import PROFILES, MigrationRefused, profile_with, records_migrate

from .factories import RecordFactory, location_default
from .marc_samples import cnmarc, isbn13, iso

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _field(tag: str, *pairs: str) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(" ", " "),
        subfields=[Subfield(code=pairs[i], value=pairs[i + 1]) for i in range(0, len(pairs), 2)],
    )


def perl_books_with_holdings() -> bytes:
    """The real file's ten records, each with copies in 852 and 876 as an old system exports
    them: barcode, location, call number, accession number and price."""
    with (DATA / "pymarc-test.dat").open("rb") as handle:
        records = list(pymarc.MARCReader(handle, to_unicode=True))
    assert len(records) == 10
    copy = 0
    for number, record in enumerate(records):
        record.leader = record.leader[:9] + "a" + record.leader[10:]  # written again in UTF-8
        for _ in range(1 + number % 2):
            copy += 1
            record.add_field(
                _field(
                    "852",
                    "a",
                    "OLD",
                    "b",
                    "Stacks" if copy % 3 else "阅览室",
                    "h",
                    "TP312",
                    "i",
                    str(number),
                    "p",
                    f"T{copy:05d}",
                )
            )
            record.add_field(_field("876", "a", f"ACC{copy:05d}", "c", "CNY45.50", "p", f"T{copy:05d}"))
    return b"".join(record.as_marc() for record in records)


def reading_room() -> Location:
    return Location.objects.get_or_create(name="阅览室", defaults={"position": 5})[0]


def test_the_real_marc21_file_is_previewed_with_its_counts_and_nothing_saved():
    data = perl_books_with_holdings()
    report = records_migrate(data=data, profile=PROFILES["marc21"], location=location_default(), dry_run=True)
    assert report.ok, report.refused
    assert (report.created, report.matched) == ({"records": 10, "copies": 15}, {"records": 0, "copies": 0})
    assert report.notes == [
        f"Location “Stacks” is not one of the library's: its 10 copies go to {location_default().name}."
    ]
    assert (Record.objects.count(), Copy.objects.count()) == (0, 0)


def test_the_real_marc21_file_is_saved_with_each_copys_barcode_accession_location_and_price():
    room = reading_room()
    report = records_migrate(
        data=perl_books_with_holdings(),
        profile=PROFILES["marc21"],
        location=location_default(),
        dry_run=False,
    )
    assert report.saved and report.created == {"records": 10, "copies": 15}
    copy = Copy.objects.select_related("record").get(barcode="T00003")
    assert (copy.accession_number, copy.location, copy.price_paid) == ("ACC00003", room, Decimal("45.50"))
    assert copy.record.title == "Programming the Perl DBI"
    assert copy.record.call_number == "TP312/1"
    assert Copy.objects.get(barcode="T00001").location == location_default()


def test_a_second_run_of_the_same_file_matches_everything_and_makes_nothing():
    data = perl_books_with_holdings()
    records_migrate(data=data, profile=PROFILES["marc21"], location=location_default(), dry_run=False)
    before = (Record.objects.count(), Copy.objects.count())
    again = records_migrate(data=data, profile=PROFILES["marc21"], location=location_default(), dry_run=False)
    assert again.ok and again.saved
    assert (again.created, again.matched) == ({"records": 0, "copies": 0}, {"records": 10, "copies": 15})
    assert (Record.objects.count(), Copy.objects.count()) == before == (10, 15)


def test_a_record_whose_barcode_belongs_to_another_record_refuses_the_whole_step():
    RecordFactory(title="别的书", copies=0)
    other = Record.objects.get()
    Copy.objects.create(record=other, barcode="T00004", accession_number="X1", location=location_default())
    report = records_migrate(
        data=perl_books_with_holdings(),
        profile=PROFILES["marc21"],
        location=location_default(),
        dry_run=False,
    )
    assert not report.ok and not report.saved
    assert report.refused == [
        (
            3,
            "Perl",
            f"Barcode T00004 is already a copy of another record of the catalogue (number {other.pk}).",
        )
    ]
    assert (Record.objects.count(), Copy.objects.count()) == (1, 1)


def cnmarc_export() -> bytes:
    """CNMARC as the Chinese systems write it: one 905 per copy ($b barcode, $c location, $d
    and $e the call number, $f accession number) and one 906 ($d price) in the same order."""
    records = []
    for number, title in enumerate(["草房子", "青铜葵花", "山羊不吃天堂草"]):
        record = cnmarc(title, isbn=isbn13(f"978-7-5346-{6543 + number:04d}"))
        for copy in range(2):
            barcode = f"C{number}{copy}"
            record.add_field(
                _field(
                    "905",
                    "a",
                    "XXTSG",
                    "b",
                    barcode,
                    "c",
                    "阅览室",
                    "d",
                    "I287.45",
                    "e",
                    str(10 + number),
                    "f",
                    f"Z{number}{copy}",
                )
            )
            record.add_field(
                _field("906", "a", f"Z{number}{copy}", "b", barcode, "d", f"CNY{20 + number}.00")
            )
        records.append(record)
    return iso(*records, encoding="gb18030")


def test_cnmarc_copies_come_from_905_and_906():
    room = reading_room()
    report = records_migrate(
        data=cnmarc_export(), profile=PROFILES["cnmarc"], location=location_default(), dry_run=False
    )
    assert report.saved and report.created == {"records": 3, "copies": 6}
    copy = Copy.objects.select_related("record").get(barcode="C21")
    assert (copy.record.title, copy.record.call_number) == ("山羊不吃天堂草", "I287.45/12")
    assert (copy.accession_number, copy.location, copy.price_paid) == ("Z21", room, Decimal("22.00"))


def test_a_profile_changed_by_the_administrator_reads_other_subfields():
    profile = profile_with("cnmarc", {"accession_number": "906$a", "location": ""})
    records_migrate(data=cnmarc_export(), profile=profile, location=location_default(), dry_run=False)
    copy = Copy.objects.get(barcode="C00")
    assert (copy.accession_number, copy.location) == ("Z00", location_default())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"accession_number": "905$b"},
            "905 $b is mapped to both Barcode and Accession number; map each to one field only.",
        ),
        ({"barcode": ""}, "The profile must say where the barcode is (for example 905$b)."),
        ({"price": "90d"}, "“90d” (Price) is not a field and subfield such as 905$b."),
        ({"price": "001$a"}, "“001$a” (Price) is not a field and subfield such as 905$b."),
        (
            {"colour": "905$x"},
            "“colour” is not a field of a copy; these are: barcode, accession_number, location, call_number, call_number_book, price.",
        ),
    ],
)
def test_a_profile_that_cannot_be_read_is_refused_with_the_reason(changes, message):
    with pytest.raises(MigrationRefused) as refused:
        profile_with("cnmarc", changes)
    assert refused.value.message == message


def test_a_copy_without_a_barcode_refuses_the_step_naming_the_record_and_field():
    record = cnmarc("草房子")
    record.add_field(_field("905", "a", "XXTSG", "d", "I287.45", "e", "1"))
    report = records_migrate(
        data=iso(record), profile=PROFILES["cnmarc"], location=location_default(), dry_run=False
    )
    assert report.refused == [(1, "草房子", "Copy 1 (field 905, occurrence 1) has no barcode in 905$b.")]
    assert Record.objects.count() == 0


def test_a_file_that_is_not_marc_is_refused_as_a_whole():
    report = records_migrate(
        data=b"hello", profile=PROFILES["cnmarc"], location=location_default(), dry_run=False
    )
    assert report.problems and not report.saved
