"""ISBNs as a librarian types or scans them: ISBN-10 or ISBN-13, with or without hyphens or
spaces, full-width digits too. Stored as the ISBN-13 digits; shown hyphenated. The check digit
and the hyphenation come from python-stdnum (which carries the ISBN agency's ranges)."""

from __future__ import annotations

import unicodedata

from stdnum import ean as stdnum_ean
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

from .exceptions import InvalidISBN


def isbn_clean(text: str) -> str:
    """The characters that matter: digits and X, upper-case, full-width folded."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(char for char in folded.upper() if char.isdigit() or char == "X")


def _isbn13_valid(digits: str) -> bool:
    """Whether a text is already what isbn_normalise makes: 13 ASCII digits with the 978 or 979
    prefix and the right check digit (an import normalises each ISBN when reading and checks
    it again when saving; this answers the second time without python-stdnum's cleaning)."""
    return (
        len(digits) == 13
        and digits.isascii()
        and digits.isdigit()
        and digits[:3] in ("978", "979")
        and stdnum_ean.calc_check_digit(digits[:12]) == digits[12]
    )


def isbn_normalise(text: str) -> str:
    """The ISBN-13 digits of an ISBN-10 or ISBN-13, or InvalidISBN."""
    if _isbn13_valid(text):
        return text
    cleaned = isbn_clean(text)
    if len(cleaned) not in (10, 13):
        raise InvalidISBN()
    try:
        stdnum_isbn.validate(cleaned)
        return stdnum_isbn.to_isbn13(cleaned)
    except ValidationError as error:
        raise InvalidISBN() from error


def isbn_looks_like(text: str) -> bool:
    """Whether a search or scan is probably an ISBN (ten or thirteen digits, perhaps hyphenated)."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    cleaned = isbn_clean(folded)
    return len(cleaned) in (10, 13) and all(char.isdigit() or char in "-xX " for char in folded)


def isbn_hyphenate(isbn13: str) -> str:
    if not isbn13:
        return ""
    try:
        return stdnum_isbn.format(isbn13)
    except ValidationError:
        return isbn13


def isbn_to_10(isbn13: str) -> str:
    """The ISBN-10 form of a 978 ISBN-13 (979 numbers have none)."""
    if _isbn13_valid(isbn13):
        if not isbn13.startswith("978"):
            return ""
        nine = isbn13[3:12]
        check = sum(position * int(digit) for position, digit in enumerate(nine, start=1)) % 11
        return nine + ("X" if check == 10 else str(check))
    try:
        return stdnum_isbn.to_isbn10(isbn13)
    except ValidationError:
        return ""
