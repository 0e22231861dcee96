"""Moved: the catalogue spreadsheet's columns and reading to catalog.spreadsheet, its import to
catalog.services.transfer, its export to catalog.selectors.transfer, and the generic spreadsheet
and upload helpers to the shared toolkit (library_site.documents.sheets and .uploads)."""

# --- re-exports for other apps until the merge (house issue) ---
from library_site.documents.exceptions import FileRefused  # noqa: F401
from library_site.documents.sheets import cell_text, sheets_open  # noqa: F401
from library_site.documents.uploads import (  # noqa: F401
    import_file_claim,
    import_file_path,
    import_file_release,
    import_file_store,
    import_files_delete,
    import_files_purge,
)
# --- end of re-exports ---
