"""Newspapers and periodicals (报刊): their identifiers and the issues a subscription expects.

The services that write serials are in catalog/services/serials.py; this module holds what they and the
selectors share: reading an ISSN, a CN number or the EAN-13 barcode printed on an issue, and the
dates a frequency predicts.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError as StdnumError

from .models import Serial

CN_NUMBER = re.compile(r"^CN(\d{2})-?(\d{4})(?:/([A-Z0-9.]{1,10}))?$")
# The barcode on a periodical's cover: 977, the ISSN's first seven digits, two price digits and a
# check digit (EAN-13), often followed by a two-digit add-on with the issue number.
ISSN_EAN = re.compile(r"^977(\d{7})\d{3}(\d{2})?$")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def issn_clean(text: str) -> str | None:
    """'0317 8471', '03178471', full-width digits → '0317-8471'; '' for nothing; None if wrong."""
    folded = _fold(text).removeprefix("ISSN")
    if not folded:
        return ""
    try:
        return stdnum_issn.format(stdnum_issn.validate(folded))
    except StdnumError:
        return None


def cn_number_clean(text: str) -> str | None:
    """'cn11-1234/g4', 'CN 11－1234／G4' → 'CN11-1234/G4'; '' for nothing; None if wrong."""
    folded = _fold(text).replace("－", "-").replace("／", "/")
    if not folded:
        return ""
    match = CN_NUMBER.match(folded)
    if not match:
        return None
    number = f"CN{match.group(1)}-{match.group(2)}"
    return f"{number}/{match.group(3)}" if match.group(3) else number


def issn_from_barcode(text: str) -> str | None:
    """The ISSN inside a periodical's EAN-13 barcode (977…), or None."""
    match = ISSN_EAN.match(_fold(text))
    if not match:
        return None
    seven = match.group(1)
    return stdnum_issn.format(seven + stdnum_issn.calc_check_digit(seven))


def issue_dates(*, frequency: str, year: int, weekdays_only: bool = False) -> list[date]:
    """The dates a year's issues are expected, from the frequency: a daily every day (or every
    weekday), a weekly every Monday, twice a month on the 1st and the 16th, a monthly on the 1st,
    every two months from January, a quarterly in January, April, July and October."""
    first = date(year, 1, 1)
    frequency = Serial.Frequency(frequency)
    if frequency == Serial.Frequency.DAILY:
        days = (first + timedelta(days=offset) for offset in range((date(year + 1, 1, 1) - first).days))
        return [day for day in days if not (weekdays_only and day.weekday() >= 5)]
    if frequency == Serial.Frequency.WEEKLY:
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        return [
            monday + timedelta(weeks=week)
            for week in range(53)
            if (monday + timedelta(weeks=week)).year == year
        ]
    if frequency == Serial.Frequency.SEMIMONTHLY:
        return [date(year, month, day) for month in range(1, 13) for day in (1, 16)]
    months = {
        Serial.Frequency.MONTHLY: range(1, 13),
        Serial.Frequency.BIMONTHLY: range(1, 13, 2),
        Serial.Frequency.QUARTERLY: range(1, 13, 3),
    }[frequency]
    return [date(year, month, 1) for month in months]
