"""What every export (Excel or CSV) of every app goes through before a cell is written."""

from __future__ import annotations

# A cell that begins with one of these is run as a formula by Excel or LibreOffice
# (CSV injection); tab and carriage return can hide one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The value as a spreadsheet cell that can never run as a formula: text that begins with
    = + - @ (or a tab or carriage return) is prefixed with an apostrophe. Numbers and dates are
    left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
