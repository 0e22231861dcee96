"""Reads of the lending rules for the administrator's page: the loan policies, the settings,
the closed days from this year on, the latest terms and the notices' wording."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ..models import CirculationSettings, ClosedPeriod, LoanPolicy, Term
from .notices import notice_template_list

TERMS_SHOWN = 6


def policies_page(*, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "policies": LoanPolicy.objects.all(),
        "settings": CirculationSettings.current(),
        "closed_periods": ClosedPeriod.objects.current().filter(ends_on__gte=today.replace(month=1, day=1)),
        "terms": Term.objects.order_by("-starts_on")[:TERMS_SHOWN],
        "notice_templates": notice_template_list(),
    }
