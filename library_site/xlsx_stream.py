"""Moved to library_site.documents.xlsx (the streaming .xlsx writer of the shared toolkit)."""

# --- re-exports for other apps until the merge (house issue) ---
from library_site.documents.xlsx import SheetLayout, XlsxStreamWriter  # noqa: F401
# --- end of re-exports ---
