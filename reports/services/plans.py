"""Work plans and their targets: drafting (with the seed's targets pre-filled), editing while a
draft, submitting, and a leader's approval or return (``reports.states.WORK_PLAN_STATES``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import PlanRefused, TargetRefused
from ..measures import measure_get
from ..models import PlanTarget, WorkPlan
from ..selectors.targets import seed_targets
from ..states import APPROVE_WORK_PLAN, WORK_PLAN_STATES


@transaction.atomic
def work_plan_create(
    *, user, kind: str, school_year: int, term=None, title: str, aims: str = "", measures: str = ""
) -> WorkPlan:
    """A new draft with the standard targets pre-filled."""
    if kind == WorkPlan.Kind.TERM and term is None:
        raise PlanRefused(_("A term's plan needs its term: choose one."))
    if kind == WorkPlan.Kind.TERM:
        from library_site.school import school_year_of

        if school_year_of(term.starts_on) != school_year:
            raise PlanRefused(
                _("The term %(term)s is not in the school year %(year)s.")
                % {"term": term.name, "year": school_year}
            )
    else:
        term = None
    try:
        with transaction.atomic():
            plan = WorkPlan.objects.create(
                kind=kind,
                school_year=school_year,
                term=term,
                title=title.strip(),
                aims=aims,
                measures=measures,
                created_by=user,
            )
    except IntegrityError as error:
        raise PlanRefused(
            _("There is already a plan for this school year or term: open it instead.")
        ) from error
    PlanTarget.objects.bulk_create(seed_targets_for(plan))
    return plan


def seed_targets_for(plan):
    targets = seed_targets()
    for target in targets:
        target.plan = plan
    return targets


def _locked(plan_id: int) -> WorkPlan:
    return WorkPlan.objects.select_for_update().get(pk=plan_id)


def _editable(plan: WorkPlan) -> None:
    if not plan.is_editable:
        raise PlanRefused(
            _("This plan is “%(state)s”: it can be changed only as a draft or when returned.")
            % {"state": plan.get_status_display()}
        )


@transaction.atomic
def work_plan_update(*, plan: WorkPlan, title: str, aims: str, measures: str) -> WorkPlan:
    plan = _locked(plan.pk)
    _editable(plan)
    plan.title, plan.aims, plan.measures = title.strip(), aims, measures
    plan.save(update_fields=["title", "aims", "measures"])
    return plan


def _threshold(text) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError) as error:
        raise TargetRefused(
            _("“%(text)s” is not a number: write the figure to reach, for example 95.") % {"text": text}
        ) from error
    if not value.is_finite() or value < 0 or value > Decimal("9999999"):
        raise TargetRefused(_("The figure to reach must be a number from 0 to 9,999,999."))
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def plan_target_save(
    *, plan: WorkPlan, name: str, measure: str, comparison: str, threshold, target: PlanTarget | None = None
) -> PlanTarget:
    """Add a target to a draft plan, or change one: a target needs a measure the system knows."""
    plan = _locked(plan.pk)
    _editable(plan)
    name = (name or "").strip()
    if not name:
        raise TargetRefused(_("Name the target."))
    if not measure:
        raise TargetRefused(_("A target needs a measure: choose how it is measured."))
    if measure_get(measure) is None:
        raise TargetRefused(
            _("“%(code)s” is not a measure the system knows: choose one from the list.") % {"code": measure}
        )
    if comparison not in PlanTarget.Comparison.values:
        raise TargetRefused(_("Choose “at least” or “at most”."))
    value = _threshold(threshold)
    if target is None:
        last = plan.targets.order_by("-position").values_list("position", flat=True).first() or 0
        return PlanTarget.objects.create(
            plan=plan, position=last + 1, name=name, measure=measure, comparison=comparison, threshold=value
        )
    if target.plan_id != plan.pk:
        raise TargetRefused(_("This target belongs to another plan."))
    target.name, target.measure, target.comparison, target.threshold = name, measure, comparison, value
    target.save(update_fields=["name", "measure", "comparison", "threshold"])
    return target


@transaction.atomic
def plan_target_remove(*, plan: WorkPlan, target: PlanTarget) -> None:
    """A draft's target taken out (a draft is not yet accountable; an approved plan's never)."""
    plan = _locked(plan.pk)
    _editable(plan)
    if target.plan_id != plan.pk:
        raise TargetRefused(_("This target belongs to another plan."))
    target.delete()


@transaction.atomic
def work_plan_submit(*, plan: WorkPlan, user) -> WorkPlan:
    plan = _locked(plan.pk)
    WORK_PLAN_STATES.check(plan.status, WorkPlan.Status.SUBMITTED)
    if not plan.targets.exists():
        raise PlanRefused(_("A plan without targets cannot be submitted: add at least one."))
    plan.status, plan.submitted_at, plan.submitted_by = WorkPlan.Status.SUBMITTED, timezone.now(), user
    plan.save(update_fields=["status", "submitted_at", "submitted_by"])
    return plan


@transaction.atomic
def _decide(*, plan: WorkPlan, user, status: str, comment: str) -> WorkPlan:
    if not user.has_perm(APPROVE_WORK_PLAN):
        raise PlanRefused(_("Only a school leader may approve or return the library's plans."))
    plan = _locked(plan.pk)
    WORK_PLAN_STATES.check(plan.status, status)
    plan.status, plan.decided_at, plan.decided_by = status, timezone.now(), user
    plan.decision_comment = (comment or "").strip()[:500]
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_comment"])
    return plan


def work_plan_approve(*, plan: WorkPlan, user, comment: str = "") -> WorkPlan:
    return _decide(plan=plan, user=user, status=WorkPlan.Status.APPROVED, comment=comment)


def work_plan_return(*, plan: WorkPlan, user, comment: str) -> WorkPlan:
    if not (comment or "").strip():
        raise PlanRefused(_("Say what should change: a plan is returned with a comment."))
    return _decide(plan=plan, user=user, status=WorkPlan.Status.RETURNED, comment=comment)
