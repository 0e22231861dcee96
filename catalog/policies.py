"""The rules of the catalogue that an administrator sets (in the settings), each one function
with its default: what the views, selectors and templates decide by."""

from __future__ import annotations

from django.conf import settings

DEFAULT_IMPORT_INLINE_ROWS = 5_000


def import_inline_rows() -> int:
    """A spreadsheet import of more rows than this is saved by the background worker, with a
    progress bar (CATALOG_IMPORT_INLINE_ROWS)."""
    return int(getattr(settings, "CATALOG_IMPORT_INLINE_ROWS", DEFAULT_IMPORT_INLINE_ROWS))
