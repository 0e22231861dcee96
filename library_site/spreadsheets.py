"""Moved to library_site.documents.sheets (what every export writes into a cell, with reading
spreadsheets)."""

# --- re-exports for other apps until the merge (house issue) ---
from library_site.documents.sheets import FORMULA_TRIGGERS, spreadsheet_safe  # noqa: F401
# --- end of re-exports ---
