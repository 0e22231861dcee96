"""The rules of the catalogue that an administrator sets (in the settings), each one function
with its default: what the views, selectors and templates decide by."""

from __future__ import annotations

from django.conf import settings

DEFAULT_IMPORT_INLINE_ROWS = 5_000


def import_inline_rows() -> int:
    """A spreadsheet import of more rows than this is saved by the background worker, with a
    progress bar (CATALOG_IMPORT_INLINE_ROWS)."""
    return int(getattr(settings, "CATALOG_IMPORT_INLINE_ROWS", DEFAULT_IMPORT_INLINE_ROWS))


DEFAULT_TEXTBOOKS_URGENT_DAYS = 14


def textbooks_urgent_days() -> int:
    """Textbooks still to come from the supplier this many days or fewer before the term starts
    are shown as urgent (CATALOG_TEXTBOOKS_URGENT_DAYS)."""
    return int(getattr(settings, "CATALOG_TEXTBOOKS_URGENT_DAYS", DEFAULT_TEXTBOOKS_URGENT_DAYS))


# A background import that has written no progress for this long is taken as stopped (its worker
# died; its transaction was rolled back).
IMPORT_JOB_SILENT_SECONDS = 10 * 60

# The largest file of barcodes a stocktake takes in one upload.
STOCKTAKE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
