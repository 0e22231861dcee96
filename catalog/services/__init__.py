"""Every write of the catalogue and its rules, one module per sub-domain, with the same names as
catalog/selectors/, catalog/forms/ and catalog/views/: records (cataloguing the work), copies,
sequences (barcodes, accession numbers), serials, care (repairs, write-offs, stocktaking),
textbooks, acquisitions, transfer (the spreadsheet import)."""

# --- re-exports for other apps until the merge (house issue) ---
from catalog.services.acquisitions import (  # noqa: F401
    delivery_receive,
    donation_receive,
    purchase_plan_create,
    purchase_plan_decide,
    purchase_plan_submit,
)
from catalog.services.care import (  # noqa: F401
    repair_close,
    repair_open,
    stocktake_confirm,
    stocktake_scan_text,
    stocktake_start,
    write_off_add,
    write_off_approve,
    write_off_create,
    write_off_submit,
)
from catalog.services.copies import copies_add, copies_set_status_bulk, copy_set_status  # noqa: F401
from catalog.services.records import record_create  # noqa: F401
from catalog.services.serials import issue_receive, serial_create, subscription_create  # noqa: F401
# --- end of re-exports ---
