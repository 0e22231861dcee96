import random
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.isbn import isbn_hyphenate, isbn_normalise
from catalog.management.commands.generate_data import CatalogueGenerator
from catalog.models import Contributor, Copy, Counter, Location, Record
from catalog.search import record_search_fields
from catalog.selectors.opac import SearchFilters, records_search
from catalog.services.copies import copies_add
from catalog.services.records import call_number_for, record_create
from catalog.services.sequences import barcodes_next

pytestmark = pytest.mark.django_db


def generate(**options):
    output = StringIO()
    call_command("generate_data", stdout=output, **options)
    return output.getvalue()


def records_made(generator, count):
    made = []
    for _ in range(count):
        record, contributors, copies = generator.record()
        made.append(
            (
                record.title,
                record.isbn,
                record.publisher,
                record.clc_code,
                record.call_number,
                contributors,
                copies,
            )
        )
    return made


def test_it_makes_records_with_contributors_copies_and_valid_unique_isbns():
    output = generate(records=120, copies_per_record=3, seed=5)

    assert "Added 120 records" in output
    assert Record.objects.count() == 120
    isbns = [isbn for isbn in Record.objects.values_list("isbn", flat=True) if isbn]
    assert len(isbns) == len(set(isbns)) > 100
    assert all(isbn.startswith("9787") and isbn_normalise(isbn) == isbn for isbn in isbns)
    assert not Record.objects.filter(contributors__isnull=True).exists()
    for record in Record.objects.all():
        assert 2 <= len(record.title) <= 45
        assert re.fullmatch(rf"{re.escape(record.clc_code)}/\d+", record.call_number)
        assert record.classification is not None and record.clc_code.startswith(record.classification.code)
        names = list(record.contributors.values_list("name", flat=True))
        assert record.search_text == record_search_fields(record, names)["search_text"]
    copies = Copy.objects.count()
    assert 250 <= copies <= 470  # about three a record; e-resources have none
    assert Copy.objects.filter(status=Copy.Status.AVAILABLE).count() > copies * 0.6
    assert Location.objects.filter(kind=Location.Kind.CLASS_CORNER).count() == 12


def test_cataloguing_by_hand_continues_the_generated_sequences():
    generate(records=30, copies_per_record=2, seed=2)
    copies = Copy.objects.count()
    assert Counter.objects.get(key="barcode").value == copies
    assert Counter.objects.get(key="accession").value == copies
    record = Record.objects.order_by("pk").first()
    last = max(
        int(number.split("/")[1])
        for number in Record.objects.filter(clc_code=record.clc_code).values_list("call_number", flat=True)
    )

    assert call_number_for(clc_code=record.clc_code) == f"{record.clc_code}/{last + 1}"
    assert barcodes_next(count=1) == [f"T{copies + 1:07d}"]
    added = copies_add(record=record, count=2, location=Location.objects.order_by("position").first())
    assert (
        not Copy.objects.exclude(pk__in=[copy.pk for copy in added])
        .filter(barcode__in=[copy.barcode for copy in added])
        .exists()
    )


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = records_made(CatalogueGenerator(rng=random.Random(9), records=40, copies_per_record=2), 40)
    again = records_made(CatalogueGenerator(rng=random.Random(9), records=40, copies_per_record=2), 40)
    other = records_made(CatalogueGenerator(rng=random.Random(10), records=40, copies_per_record=2), 40)

    assert first == again
    assert first != other


def test_it_refuses_a_catalogue_that_holds_records_unless_asked_to_add():
    record_create(fields={"title": "真实的书", "clc_code": "I247.5"}, contributors=[("某人", "author")])

    with pytest.raises(CommandError, match="holds 1 records already"):
        generate(records=10)
    assert Record.objects.count() == 1

    generate(records=10, append=True, seed=1)
    generate(records=10, append=True, seed=1)
    assert Record.objects.count() == 21
    isbns = [isbn for isbn in Record.objects.values_list("isbn", flat=True) if isbn]
    assert len(isbns) == len(set(isbns))
    assert Contributor.objects.filter(record__title="真实的书").count() == 1


def test_generated_records_are_found_by_the_opac():
    generate(records=50, copies_per_record=1, seed=4)
    record = Record.objects.filter(language="chi").exclude(isbn="").order_by("pk").first()

    by_title = records_search(SearchFilters(query=record.title))
    assert record.pk in [item.pk for item in by_title.records]
    by_isbn = records_search(SearchFilters(query=isbn_hyphenate(record.isbn)))
    assert [item.pk for item in by_isbn.records] == [record.pk]


def test_the_migration_derives_every_records_search_fields_again():
    from importlib import import_module

    from django.apps import apps

    refresh = import_module("catalog.migrations.0004_bench").search_fields_refresh
    generate(records=30, copies_per_record=1, seed=8)
    expected = dict(Record.objects.values_list("pk", "search_grams"))
    Record.objects.update(search_text="", search_grams="")

    refresh(apps, None)

    assert dict(Record.objects.values_list("pk", "search_grams")) == expected
    assert not Record.objects.filter(search_text="").exists()
