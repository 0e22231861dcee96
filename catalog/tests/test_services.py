import pytest
from django.db import IntegrityError

from catalog.exceptions import CatalogError, DuplicateBarcode, InvalidISBN, StatusChangeRefused, UnknownClass
from catalog.models import CatalogSettings, ClassificationClass, Copy, CopyStatusChange, Record
from catalog.services.copies import copies_add, copies_set_status_bulk, copy_set_status
from catalog.services.records import clc_resolve, record_create, record_update
from catalog.services.sequences import barcodes_next

from .factories import RecordFactory, location_default

pytestmark = pytest.mark.django_db


def test_the_classification_is_loaded_with_its_22_top_classes():
    tops = list(ClassificationClass.objects.filter(parent=None).values_list("code", flat=True))
    assert tops == list("ABCDEFGHIJKNOPQRSTUVXZ")
    assert ClassificationClass.objects.get(code="I247.5").parent.code == "I247"


def test_a_class_number_resolves_to_its_most_specific_class():
    assert clc_resolve("I247.57").code == "I247.5"
    assert clc_resolve("i 247.5").code == "I247.5"
    with pytest.raises(UnknownClass):
        clc_resolve("W123")
    with pytest.raises(UnknownClass):
        clc_resolve("<script>")


def test_a_new_record_gets_a_normalised_isbn_its_class_and_a_sequence_call_number():
    first = record_create(
        fields={"title": "草房子", "isbn": "7-02-000220-X", "clc_code": "I287.45"},
        contributors=[("曹文轩", "author")],
    )
    second = record_create(
        fields={"title": "青铜葵花", "clc_code": "I287.45"}, contributors=[("曹文轩", "author")]
    )
    assert first.isbn == "9787020002207"
    assert first.classification.code.startswith("I287")
    assert first.call_number == "I287.45/1"
    assert second.call_number == "I287.45/2"
    assert first.authors_display == "曹文轩 著"


def test_author_number_mode_builds_call_numbers_from_the_typed_number():
    settings = CatalogSettings.current()
    settings.call_number_mode = CatalogSettings.CallNumberMode.AUTHOR
    settings.save()
    record = record_create(fields={"title": "草房子", "clc_code": "I287.45"}, author_number="C122")
    assert record.call_number == "I287.45/C122"


def test_bad_records_are_refused_and_nothing_is_saved():
    with pytest.raises(InvalidISBN):
        record_create(fields={"title": "坏书", "isbn": "9787020002208"})
    with pytest.raises(UnknownClass):
        record_create(fields={"title": "坏书", "clc_code": "W1"})
    with pytest.raises(CatalogError):
        record_create(fields={"title": "   "})
    with pytest.raises(CatalogError):
        record_create(fields={"title": "网上资源", "material_type": "e_resource"})
    assert Record.objects.count() == 0


def test_copies_come_with_consecutive_barcodes_and_accession_numbers():
    record = RecordFactory()
    copies = copies_add(record=record, count=5, location=location_default())
    assert [copy.barcode for copy in copies] == [f"T{number:07d}" for number in range(1, 6)]
    assert [copy.accession_number for copy in copies] == [f"{number:06d}" for number in range(1, 6)]
    assert all(copy.status == Copy.Status.AVAILABLE for copy in copies)


def test_barcode_sequences_skip_numbers_already_taken():
    record = RecordFactory()
    copies_add(record=record, count=1, location=location_default(), barcodes=["T0000002"])
    assert barcodes_next(count=2) == ["T0000001", "T0000003"]


def test_duplicate_barcodes_are_refused_and_nothing_is_saved():
    record = RecordFactory()
    copies_add(record=record, count=1, location=location_default(), barcodes=["X1"])
    with pytest.raises(DuplicateBarcode):
        copies_add(record=record, count=2, location=location_default(), barcodes=["X2", "X1"])
    with pytest.raises(CatalogError):
        copies_add(record=record, count=2, location=location_default(), barcodes=["X3", "X3"])
    with pytest.raises(CatalogError):
        copies_add(record=record, count=500, location=location_default())
    assert list(Copy.objects.values_list("barcode", flat=True)) == ["X1"]


def test_the_database_keeps_barcodes_unique():
    record = RecordFactory(copies=1)
    with pytest.raises(IntegrityError):
        Copy.objects.create(
            record=record, barcode="T0000001", accession_number="999", location=location_default()
        )


def test_status_changes_are_checked_and_recorded():
    copy = RecordFactory(copies=1).copies.get()
    copy_set_status(copy=copy, to_status=Copy.Status.WITHDRAWN, reason="破损")
    copy.refresh_from_db()
    assert copy.status == Copy.Status.WITHDRAWN
    with pytest.raises(StatusChangeRefused):
        copy_set_status(copy=copy, to_status=Copy.Status.AVAILABLE)
    change = CopyStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.reason) == ("available", "withdrawn", "破损")


def test_updating_a_record_refreshes_its_search_fields():
    record = RecordFactory(title="旧书名")
    record_update(record=record, fields={"title": "西游记"}, contributors=[("吴承恩", "author")])
    record.refresh_from_db()
    assert record.title_initials == "xyj"
    assert "wuchengen" in record.search_text


def test_many_copies_change_status_at_once_with_each_move_recorded():
    record = RecordFactory(copies=3)
    copies = list(record.copies.all())
    moved = copies_set_status_bulk(copies=copies, to_status=Copy.Status.LOST, reason="清点缺失")
    assert moved == 3
    assert set(record.copies.values_list("status", flat=True)) == {Copy.Status.LOST}
    assert (
        CopyStatusChange.objects.filter(
            copy__record=record, to_status=Copy.Status.LOST, reason="清点缺失"
        ).count()
        == 3
    )


def test_one_refused_move_refuses_the_whole_batch():
    record = RecordFactory(copies=3)
    first, second, third = record.copies.order_by("pk")
    copy_set_status(copy=third, to_status=Copy.Status.WITHDRAWN)
    with pytest.raises(StatusChangeRefused):
        copies_set_status_bulk(copies=[first, second, third], to_status=Copy.Status.LOST)
    assert list(record.copies.order_by("pk").values_list("status", flat=True)) == [
        Copy.Status.AVAILABLE,
        Copy.Status.AVAILABLE,
        Copy.Status.WITHDRAWN,
    ]
    assert not CopyStatusChange.objects.filter(to_status=Copy.Status.LOST).exists()
