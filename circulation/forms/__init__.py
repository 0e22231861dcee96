"""Circulation's forms, one module per sub-domain (the same names as in views/)."""
