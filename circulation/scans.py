"""What a barcode scanner sends, cleaned: the one rule for every box a card or a copy is
scanned into (the desk's scan box, the reading room's door). Both the desk and the services
use it; it imports nothing of the app."""

from __future__ import annotations

import re
import unicodedata

# The shape of the library's own card numbers: R and seven digits (R0000001).
CARD_NUMBER = re.compile(r"^R[0-9]{7}$")


def scan_clean(text: str) -> str:
    """The scan without the scanner's noise, letters as they came: full-width digits and
    letters made half-width, spaces and control characters the scanner adds removed."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(character for character in text if character.isprintable() and not character.isspace())


def scan_normalise(text: str) -> str:
    """What the scanner sent, as the database has it: cleaned, letters upper-case."""
    return scan_clean(text).upper()
