"""Writes of the lending rules that are not a form's save: a closed period removed from the
calendar. (Loan policies, the settings, closed days and terms are saved by their model forms,
whose models' clean() holds the rules; saving any of them drops the cached lending rules.)"""

from __future__ import annotations

from django.db import transaction

from ..models import ClosedPeriod


@transaction.atomic
def closed_period_delete(*, period: ClosedPeriod) -> None:
    """A calendar entry, not a record the library accounts for: it is removed."""
    period.delete()
