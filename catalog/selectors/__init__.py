"""The catalogue's reads that pages, reports and other apps use, one module per sub-domain, with
the same names as catalog/services/, catalog/forms/ and catalog/views/: opac, records, copies,
serials, care, textbooks, acquisitions, transfer (the export)."""
