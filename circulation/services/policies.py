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


@transaction.atomic
def circulation_settings_update(*, fields: dict) -> None:
    """Change some of the lending settings outside their page (the demo school's card grades);
    saving drops the cached lending rules, as the page's save does."""
    from ..models import CirculationSettings

    settings = CirculationSettings.objects.select_for_update().get(pk=CirculationSettings.current().pk)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(fields))
