"""The library's number sequences: barcodes (T0000001 …), accession numbers (财产登记号) and the
sequence numbers of call numbers, reserved under a row lock so that two librarians never get
the same number."""

from __future__ import annotations

from collections.abc import Collection

from django.db import IntegrityError, transaction

from catalog.models import CatalogSettings, Copy, Counter

# Numbers are reserved and checked against the database this many at a time.
NUMBER_BLOCK = 5_000


def counter_take(*, key: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers of a sequence and return the first. Safe under
    concurrency: the counter row is locked until the caller's transaction ends."""
    if count < 1:
        raise ValueError("count must be positive")
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(key=key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass  # created meanwhile by another request
            counter = Counter.objects.select_for_update().get(key=key)
        first = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
    return first


def _sequence_next(*, key: str, field: str, formatted, count: int, avoid: Collection[str]) -> list[str]:
    """``count`` new numbers of a sequence, formatted, skipping those a copy already has (typed in
    or imported) and those in ``avoid`` (an import's own numbers, not in the database yet)."""
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = min(count - len(numbers), NUMBER_BLOCK)
        first = counter_take(key=key, count=wanted)
        block = [formatted(number) for number in range(first, first + wanted)]
        taken = set(Copy.objects.filter(**{f"{field}__in": block}).values_list(field, flat=True))
        numbers += [number for number in block if number not in taken and number not in avoid]
    return numbers


def barcodes_next(*, count: int, avoid: Collection[str] = ()) -> list[str]:
    """``count`` new consecutive barcodes with the library's prefix (T0000001 …)."""
    catalog_settings = CatalogSettings.current()
    prefix, digits = catalog_settings.barcode_prefix, catalog_settings.barcode_digits
    return _sequence_next(
        key="barcode",
        field="barcode",
        formatted=lambda n: f"{prefix}{n:0{digits}d}",
        count=count,
        avoid=avoid,
    )


def accession_numbers_next(*, count: int, avoid: Collection[str] = ()) -> list[str]:
    """``count`` new consecutive accession numbers (财产登记号: 000001 …)."""
    digits = CatalogSettings.current().accession_digits
    return _sequence_next(
        key="accession",
        field="accession_number",
        formatted=lambda n: f"{n:0{digits}d}",
        count=count,
        avoid=avoid,
    )
