"""The spreadsheet import of records with their copies (.xlsx, .csv): checked whole, then saved
whole, all its rows or none.

The rows are read and checked by django-import-export's ``CatalogueResource``
(catalog/resources.py), which writes nothing; this module owns the transaction and applies the
checked rows, a batch at a time as the resource hands them over (``_batch_save``), through the
bulk services of records, sequences and copies:

- ``import_prepare`` is the preview: every row gets its fate (a new record, another copy of a
  record met on an earlier row, a copy added to a record the catalogue already has, or its errors
  with the column and the reason), and nothing is saved;
- ``import_file`` checks and saves a file in one pass, and ``import_save`` a plan checked before:
  in one transaction, rolled back when any row is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError, ImportFailed
from catalog.models import Copy
from catalog.resources import CatalogueResource, CatalogueRow, Reading
from catalog.services.copies import copies_create_bulk
from catalog.services.records import RECORD_FIELDS, call_numbers_for, records_create_bulk
from catalog.services.sequences import accession_numbers_next, barcodes_next
from catalog.spreadsheet import ImportPlan, plan_read

if TYPE_CHECKING:
    from library_site.accounts.models import User

# Called with (rows saved, rows in the file) after every batch a real import saves.
Progress = Callable[[int, int], None]


def import_prepare(
    path: Path | str, *, extension: str | None = None, name: str = "", limit: int | None = None
) -> ImportPlan:
    """Read and check a whole file: django-import-export's dry run of CatalogueResource. Nothing
    is saved; the plan says what each row would become."""
    plan = plan_read(path, extension=extension, name=name, limit=limit)
    if plan.dataset is not None:
        _import(plan, dry_run=True)
    return plan


def import_file(
    path: Path | str,
    *,
    extension: str | None = None,
    name: str = "",
    limit: int | None = None,
    user: User | None = None,
    progress: Progress | None = None,
) -> tuple[ImportPlan, dict[str, int] | None]:
    """Check and save a whole file in one pass, in one transaction, rolled back (whatever was
    written) when a row is wrong. Returns the plan and what was saved, or None when nothing was:
    the plan then says why, row by row, as import_prepare would."""
    plan = plan_read(path, extension=extension, name=name, limit=limit)
    if plan.dataset is None:
        return plan, None
    with transaction.atomic():
        _result, reading = _import(plan, dry_run=False, user=user, progress=progress)
        if not plan.ok:
            transaction.set_rollback(True)
            return plan, None
    return plan, _outcome(plan, reading)


def _import(plan: ImportPlan, *, dry_run: bool, user: User | None = None, progress: Progress | None = None):
    """The resource's reading of the plan's rows; a real import (``dry_run=False``) has each
    checked batch saved by ``_batch_save`` inside the caller's transaction."""
    reading = Reading(
        headers=plan.headers,
        sheet_rows=plan.sheet_rows,
        user=user,
        apply=None if dry_run else partial(_batch_save, progress=progress),
    )
    result = CatalogueResource().import_data(
        plan.dataset,
        dry_run=dry_run,
        # The transaction is the caller's (import_file, import_save); the preview writes nothing.
        use_transactions=False,
        reading=reading,
    )
    plan.rows = [row_result.fate for row_result in result.rows]
    plan.failure = "; ".join(
        str(error.error.message if isinstance(error.error, CatalogError) else error.error)
        for error in result.base_errors
    )
    if reading.without_location and reading.default_location is not None:
        notice = _("%(count)s rows name no location: their copies will stand in %(location)s.") % {
            "count": reading.without_location,
            "location": reading.default_location.name,
        }
        if notice not in plan.notices:
            plan.notices.append(notice)
    return result, reading


@transaction.atomic
def import_save(plan: ImportPlan, *, user: User | None = None) -> dict[str, int]:
    """Save a checked plan, checked again as it is saved, in one transaction: all rows or none
    (ImportFailed)."""
    if not plan.ok:
        raise ImportFailed(_("The file has errors: nothing was saved."))
    plan.rows = []  # the preview's; the import gives each row its fate again
    _result, reading = _import(plan, dry_run=False, user=user)
    if not plan.ok:  # the catalogue changed since the check: another copy took a barcode …
        raise ImportFailed(
            plan.failure
            or _("Nothing was saved: %(errors)s") % {"errors": "; ".join(plan.error_lines(limit=3))}
        )
    return _outcome(plan, reading)


def _outcome(plan: ImportPlan, reading: Reading) -> dict[str, int]:
    counts = plan.counts()
    return {
        "records": reading.saved["records"],
        "copies": reading.saved["copies"],
        "existing_records": counts["existing_records"],
        "existing_copies": counts["existing_copies"],
    }


def row_message(row: int, error: CatalogError) -> str:
    return _("Nothing was saved: row %(row)s: %(message)s") % {"row": row, "message": error.message}


def _batch_save(batch: list[CatalogueRow], reading: Reading, *, progress: Progress | None = None) -> None:
    """A batch of checked rows saved: the records the file describes that the catalogue does not
    have yet (with call numbers from their classes), then every row's copy, with the next
    barcodes and accession numbers where the file gives none. A refusal names the row
    (ImportFailed); the caller's transaction then keeps nothing."""
    new_groups = list(
        {
            id(row.group): row.group for row in batch if not (row.group.existing_id or row.group.record_id)
        }.values()
    )
    if new_groups:
        call_index = RECORD_FIELDS.index("call_number")
        clc_index = RECORD_FIELDS.index("clc_code")
        wanting = [group for group in new_groups if not group.values[call_index] and group.values[clc_index]]
        numbers = call_numbers_for(clc_codes=[group.values[clc_index] for group in wanting])
        call_numbers = {id(group): number for group, number in zip(wanting, numbers, strict=True)}
        items = []
        for group in new_groups:
            fields = {
                name: value
                for name, value in zip(RECORD_FIELDS, group.values, strict=True)
                if value is not None
            }
            if id(group) in call_numbers:
                fields["call_number"] = call_numbers[id(group)]
            items.append((fields, group.contributors))
        try:
            records = records_create_bulk(items=items, user=reading.user, classes=reading.classes_resolved())
        except CatalogError as error:
            raise ImportFailed(row_message(new_groups[getattr(error, "item", 0)].first_row, error)) from error
        for group, record in zip(new_groups, records, strict=True):
            group.record_id = record.pk
        reading.saved["records"] += len(new_groups)
    rows = [(row, row.read()) for row in batch]
    barcodes = iter(
        barcodes_next(
            count=sum(1 for _row, values in rows if not values.get("barcode")),
            avoid=reading.given_barcodes,
        )
    )
    accessions = iter(
        accession_numbers_next(
            count=sum(1 for _row, values in rows if not values.get("accession_number")),
            avoid=reading.given_accessions,
        )
    )
    copies = []
    for row, values in rows:
        copies.append(
            Copy(
                record_id=row.group.existing_id or row.group.record_id,
                barcode=values.get("barcode") or next(barcodes),
                accession_number=values.get("accession_number") or next(accessions),
                location_id=values["location"].pk,
                shelf=values.get("shelf") or "",
                acquired_on=values.get("acquired_on"),
                source=values.get("source") or Copy.Source.PURCHASE,
                donor=values.get("donor") or "",
                price_paid=values.get("price_paid"),
                notes=values.get("notes") or "",
            )
        )
    try:
        copies_create_bulk(copies=copies, user=reading.user)
    except CatalogError as error:
        raise ImportFailed(row_message(batch[getattr(error, "item", 0)].fate.row, error)) from error
    reading.saved["copies"] += len(copies)
    if progress is not None:
        progress(reading.saved["copies"], len(reading.sheet_rows))


def records_preview_build(path: Path, options: dict, progress: Progress) -> dict:
    """The preview of an uploaded spreadsheet, as the worker builds it
    (library_site.documents.previews): the whole file read and checked, nothing saved."""
    plan = import_prepare(path, extension=options.get("extension"), name=options.get("name", ""))
    if plan.refusal:
        return {"refusal": str(plan.refusal)}
    return {"refusal": "", "report": plan.report()}
