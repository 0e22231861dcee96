"""The transparency page (X4): the published results of activities (the months' selections),
the statistics of the months the administrator chose, the questionnaires whose results were
made public, and the answered suggestions published to the school (公示)."""

from __future__ import annotations

from datetime import date

from activities.models import MonthSelection
from activities.selectors.suggestions import suggestions_published
from activities.services.bulletin import promotion_settings

from ..models import MonthlySnapshot


def _months(values: list[str]) -> list[date]:
    months = []
    for value in values:
        try:
            year, month = (int(part) for part in value.split("-"))
            months.append(date(year, month, 1))
        except (TypeError, ValueError):
            continue
    return months


def transparency_page() -> dict:
    settings_row = promotion_settings()
    return {
        "selections": list(MonthSelection.objects.filter(published_at__isnull=False).order_by("-month")[:12]),
        "snapshots": list(
            MonthlySnapshot.objects.filter(month__in=_months(settings_row.months)).order_by("-month")
        ),
        "suggestions": suggestions_published(),
    }
