"""The statistics dashboard: a month, a term or a year, read from the monthly snapshots."""

from __future__ import annotations

from django.db.models import Min
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from .exceptions import ReportsError
from .models import MonthlySnapshot
from .selectors import (
    period_from_params,
    statistics_charts,
    statistics_for_period,
    statistics_trend,
    terms_begun,
)


@require_GET
@capability_required(Capability.VIEW_STATISTICS)
def statistics(request):
    today = timezone.localdate()
    context = {
        "terms": list(terms_begun(today=today, limit=12)),
        "years": _years(today),
        "can_compute": request.user.has_perm(Capability.VIEW_SYSTEM_STATUS.permission),
        "asked": request.GET,
    }
    try:
        period = period_from_params(request.GET, today=today)
    except ReportsError as error:
        context["error"] = error.message
        return render(request, "reports/statistics.html", context, status=400)
    stats = statistics_for_period(period.first_month, period.last_month, period=period)
    trend = statistics_trend(stats)
    context.update(
        {
            "period": period,
            "stats": stats,
            "trend": trend,
            "charts": statistics_charts(stats, trend),
            # One bar a class, enough room for its label.
            "class_chart_height": max(240, 26 * len(stats.by_class) + 40),
        }
    )
    return render(request, "reports/statistics.html", context)


def _years(today) -> list[int]:
    first = MonthlySnapshot.objects.aggregate(first=Min("month"))["first"]
    start = first.year if first else today.year
    return list(range(today.year, start - 1, -1))
