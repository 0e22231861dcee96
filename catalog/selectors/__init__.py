"""The catalogue's reads that pages, reports and other apps use, one module per sub-domain, with
the same names as catalog/services/, catalog/forms/ and catalog/views/: opac, records, copies,
serials, care, textbooks, acquisitions, transfer (the export)."""

# --- re-exports for other apps until the merge (house issue) ---
from catalog.selectors.acquisitions import donation_register, purchase_register  # noqa: F401
from catalog.selectors.care import repair_register, stocktake_report, write_off_register  # noqa: F401
from catalog.selectors.opac import OPAC_COUNT_LIMIT, SearchFilters, records_search  # noqa: F401
from catalog.selectors.serials import serial_register  # noqa: F401
# --- end of re-exports ---
