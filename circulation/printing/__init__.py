"""Circulation's printed documents, one module per sub-domain as in services/ and views/:
``readers`` (library cards), ``notices`` (a class's overdue slips), ``leavers`` (the clearance
certificate). Each builds PDF bytes with the catalogue's embedded Chinese font and text helpers."""
