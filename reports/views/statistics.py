"""The statistics dashboard: a month, a term or a year, read from the monthly snapshots."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from activities.selectors.calendar import activities_in_period
from activities.selectors.corners import corner_figures
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ReportsError
from ..selectors.periods import period_from_params, term_choices, terms_begun, year_choices
from ..selectors.statistics import (
    statistics_charts,
    statistics_class_chart_height,
    statistics_for_period,
    statistics_trend,
    statistics_years,
)


@require_GET
@capability_required(Capability.VIEW_STATISTICS)
def statistics(request):
    today = timezone.localdate()
    terms = list(terms_begun(today=today, limit=12))
    years = statistics_years(today=today)
    context = {
        "terms": term_choices(terms, None),
        "years": year_choices(years, None),
        "can_compute": request.user.has_perm(Capability.VIEW_SYSTEM_STATUS.permission),
        "asked": request.GET,
        # Class book corners (issue 18): as they stand today, whatever the period.
        "corners": corner_figures(),
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
            "terms": term_choices(terms, period),
            "years": year_choices(years, period),
            "stats": stats,
            "trend": trend,
            "charts": statistics_charts(stats, trend),
            "class_chart_height": statistics_class_chart_height(stats),
            # The period's activities and their published results (issue 17), as they stand.
            "activities": activities_in_period(period.first_month, period.last_month),
        }
    )
    return render(request, "reports/statistics.html", context)
