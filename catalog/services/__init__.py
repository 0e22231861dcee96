"""Every write of the catalogue and its rules, one module per sub-domain, with the same names as
catalog/selectors/, catalog/forms/ and catalog/views/: records (cataloguing the work), copies,
sequences (barcodes, accession numbers), serials, care (repairs, write-offs, stocktaking),
textbooks, acquisitions, transfer (the spreadsheet import)."""
