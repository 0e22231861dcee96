"""Writes of the lending rules that are not a form's save: a closed period taken off the
calendar. (Loan policies, the settings, closed days and terms are saved by their model forms,
whose models' clean() holds the rules; saving any of them drops the cached lending rules.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from library_site.accounts.models import User

from ..models import ClosedPeriod


@transaction.atomic
def closed_period_withdraw(
    *, period: ClosedPeriod, withdrawn_by: User | None, reason: str = ""
) -> ClosedPeriod:
    """Take a closed period off the calendar: due dates no longer avoid it. It is kept, with
    who withdrew it, when and why (the due dates set while it stood were set by it). Saving it
    drops the cached lending rules, as every change of them does."""
    period = ClosedPeriod.objects.select_for_update().get(pk=period.pk)
    if period.withdrawn_at is not None:
        return period
    period.withdrawn_at = timezone.now()
    period.withdrawn_by = withdrawn_by
    period.withdraw_reason = (reason or "").strip()[:200]
    period.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    return period


@transaction.atomic
def circulation_settings_update(*, fields: dict) -> None:
    """Change some of the lending settings outside their page (the demo school's card grades);
    saving drops the cached lending rules, as the page's save does."""
    from ..models import CirculationSettings

    settings = CirculationSettings.objects.select_for_update().get(pk=CirculationSettings.current().pk)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(fields))
