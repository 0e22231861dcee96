"""Reads of the work plans: one plan with its targets and how each is measured (the plan's page
and its PDF), the plans waiting for a leader's decision (the leader's home page), and the
decisions the librarian should see (the plans page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ..measures import measure_get
from ..models import PlanTarget, WorkPlan
from .targets import goal_text

# How long an approval or a return stays at the top of the plans page for the librarian.
DECISION_SHOWN_DAYS = 30


@dataclass(frozen=True)
class PlanLine:
    """A target of a plan as printed: the target, the figure to reach, what measures it and how."""

    target: PlanTarget
    measure_label: str
    how: str
    goal: str

    @property
    def name(self) -> str:
        return self.target.name


@dataclass(frozen=True)
class PlanDocument:
    plan: WorkPlan
    lines: list[PlanLine]
    school: str

    @property
    def years(self) -> str:
        return f"{self.plan.school_year}–{self.plan.school_year + 1}"


def plan_lines(targets) -> list[PlanLine]:
    lines = []
    for target in targets:
        measure = measure_get(target.measure)
        lines.append(
            PlanLine(
                target=target,
                measure_label=str(measure.label) if measure else target.measure,
                how=str(measure.how) if measure and measure.how else "",
                goal=goal_text(target, str(measure.unit) if measure else ""),
            )
        )
    return lines


def work_plan_get(pk) -> WorkPlan | None:
    return (
        WorkPlan.objects.select_related("term", "created_by", "submitted_by", "decided_by")
        .filter(pk=pk)
        .first()
    )


def work_plan_document(plan: WorkPlan) -> PlanDocument:
    """The plan as its PDF prints it (two queries: the targets, the library's name)."""
    from catalog.labels import library_name_for_labels

    return PlanDocument(plan=plan, lines=plan_lines(plan.targets.all()), school=library_name_for_labels())


def work_plans_waiting():
    """The plans submitted and not yet decided, oldest first (the leader's home page)."""
    return list(
        WorkPlan.objects.filter(status=WorkPlan.Status.SUBMITTED)
        .select_related("term", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def work_plans_decided_recently(*, today: datetime.date | None = None):
    """The plans approved or returned in the last ``DECISION_SHOWN_DAYS`` days, newest first:
    the librarian sees the leader's decision and comment above the list."""
    today = today or timezone.localdate()
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=DECISION_SHOWN_DAYS), datetime.time())
    )
    return list(
        WorkPlan.objects.filter(
            status__in=(WorkPlan.Status.APPROVED, WorkPlan.Status.RETURNED), decided_at__gte=since
        )
        .select_related("term", "decided_by")
        .order_by("-decided_at", "-pk")
    )
