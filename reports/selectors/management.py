"""Reads of the management registers: the equipment register with its compliance per room and
overall, the safety log, the staff with their own records, and the evaluations with the evidence
the system holds beside each criterion. Who may see whose evaluation is decided here."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library_site.accounts.roles import Capability
from library_site.dates import day_bounds

from ..measures import _percent, equipment_compliance_on, equipment_with_checks
from ..models import (
    EquipmentCheck,
    EquipmentItem,
    Evaluation,
    EvaluationCriterion,
    SafetyIncident,
    SafetyInspection,
    StaffMember,
    StaffPaper,
    StudySession,
    Training,
)
from ..policies import equipment_check_interval_days, study_session_interval_weeks
from ..states import APPROVE_WORK_PLAN

# --- equipment -----------------------------------------------------------------------------------


@dataclass
class EquipmentRoom:
    room: object
    items: list
    good: int
    total: int

    @property
    def compliance(self) -> Decimal | None:
        return _percent(self.good, self.total)


@dataclass
class EquipmentRegister:
    rooms: list[EquipmentRoom]
    good: int
    total: int
    due: list  # items in service whose last check is older than the interval (or never checked)
    interval_days: int

    @property
    def compliance(self) -> Decimal | None:
        return _percent(self.good, self.total)


def equipment_register(*, today: datetime.date | None = None) -> EquipmentRegister:
    """Every item in service by room with its latest check; compliance = items up to standard
    / items, per room and overall. Two queries."""
    today = today or timezone.localdate()
    items, checks = equipment_with_checks(today)
    interval = equipment_check_interval_days()
    rooms: dict[int, EquipmentRoom] = {}
    due = []
    for item in items:
        if item.retired_on is not None and item.retired_on <= today:
            continue
        item.latest_check = (checks.get(item.pk) or [None])[0]
        item.is_due = item.latest_check is None or (today - item.latest_check.checked_on).days > interval
        if item.is_due:
            due.append(item)
        entry = rooms.setdefault(item.room_id, EquipmentRoom(item.room, [], 0, 0))
        entry.items.append(item)
    for entry in rooms.values():
        entry.good, entry.total = equipment_compliance_on(entry.items, checks, today)
    good, total = equipment_compliance_on(
        [item for entry in rooms.values() for item in entry.items], checks, today
    )
    ordered = sorted(rooms.values(), key=lambda entry: (entry.room.position, entry.room.name))
    return EquipmentRegister(ordered, good, total, due, interval)


def equipment_item_get(pk: int):
    return (
        EquipmentItem.objects.select_related("room", "added_by", "retired_by")
        .prefetch_related(Prefetch("checks", queryset=EquipmentCheck.objects.select_related("checked_by")))
        .filter(pk=pk)
        .first()
    )


# --- safety --------------------------------------------------------------------------------------


def safety_log(*, limit: int = 100):
    inspections = list(SafetyInspection.objects.select_related("room", "inspected_by")[:limit])
    incidents = list(SafetyIncident.objects.select_related("room", "recorded_by")[:limit])
    return {"inspections": inspections, "incidents": incidents}


# --- staff ---------------------------------------------------------------------------------------


def may_see_all_staff(user) -> bool:
    """The administrator (who manages accounts) and the school leaders see every evaluation;
    everyone else only their own."""
    return user.has_perm(Capability.MANAGE_ACCOUNTS.permission) or user.has_perm(APPROVE_WORK_PLAN)


def may_evaluate(user) -> bool:
    return may_see_all_staff(user)


def staff_list():
    return list(
        StaffMember.objects.select_related("user")
        .annotate(
            papers_count=Count("papers", distinct=True), sessions_count=Count("study_sessions", distinct=True)
        )
        .order_by("left_on", "post", "user__full_name")
    )


def staff_member_of(user) -> StaffMember | None:
    return StaffMember.objects.select_related("user").filter(user=user).first()


def staff_member_visible(user, pk: int) -> StaffMember | None:
    """A staff member's page: their own, or anyone's for those who see all. None otherwise (the
    page answers "not found", as for an id that does not exist)."""
    member = StaffMember.objects.select_related("user").filter(pk=pk).first()
    if member is None:
        return None
    if member.user_id == user.pk or may_see_all_staff(user):
        return member
    return None


def staff_member_records(member: StaffMember) -> dict:
    return {
        "papers": list(member.papers.all()),
        "trainings": list(member.trainings.all()),
        "sessions": list(member.study_sessions.all()),
        "assignments": list(member.assignments.select_related("target__plan")),
        "evaluations": list(
            member.evaluations.select_related("term", "evaluated_by").prefetch_related("scores__criterion")
        ),
    }


def study_sessions():
    return list(StudySession.objects.prefetch_related("attendees__user").select_related("recorded_by")[:200])


def study_session_next_date(*, today: datetime.date | None = None) -> datetime.date:
    """The default day of the next session: every other Friday (the interval is a policy),
    counted from the last session held, else the coming Friday."""
    today = today or timezone.localdate()
    last = StudySession.objects.order_by("-held_on").values_list("held_on", flat=True).first()
    if last is not None:
        day = last + datetime.timedelta(weeks=study_session_interval_weeks())
        day += datetime.timedelta(days=(4 - day.weekday()) % 7)
        if day >= today - datetime.timedelta(days=13):
            return day
    return today + datetime.timedelta(days=(4 - today.weekday()) % 7)


def study_session_schedule(term) -> list[datetime.date]:
    """Every other Friday of a term, from its first Friday: the sessions planned by default."""
    first = term.starts_on + datetime.timedelta(days=(4 - term.starts_on.weekday()) % 7)
    days, day = [], first
    while day <= term.ends_on:
        days.append(day)
        day += datetime.timedelta(weeks=study_session_interval_weeks())
    return days


# --- evidence beside each criterion ------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    code: str
    label: str
    function: Callable | None = None  # (member, term) → text
    unavailable: str = ""


def _desk_actions(member, term) -> str:
    from circulation.models import DeskAction

    start, end = day_bounds(term.starts_on, term.ends_on)
    count = DeskAction.objects.filter(
        user=member.user, at__gte=start, at__lt=end, undone_at__isnull=True
    ).count()
    return _("%(count)s desk actions") % {"count": count}


def _study_attendance(member, term) -> str:
    sessions = StudySession.objects.filter(held_on__range=(term.starts_on, term.ends_on)).aggregate(
        held=Count("pk", distinct=True), attended=Count("pk", filter=Q(attendees=member), distinct=True)
    )
    return _("attended %(attended)s of %(held)s study sessions") % sessions


def _papers(member, term) -> str:
    count = StaffPaper.objects.filter(staff=member, written_on__range=(term.starts_on, term.ends_on)).count()
    return _("%(count)s papers or summary articles") % {"count": count}


def _training(member, term) -> str:
    hours = Training.objects.filter(staff=member, held_on__range=(term.starts_on, term.ends_on)).aggregate(
        total=Sum("hours")
    )["total"]
    return _("%(hours)s hours of training") % {"hours": f"{hours or 0:g}"}


def _activities_organised(member, term) -> str:
    from activities.models import Activity

    count = Activity.objects.filter(
        organisers=member.user, starts_on__range=(term.starts_on, term.ends_on)
    ).count()
    return _("%(count)s activities organised") % {"count": count}


EVIDENCE = {
    evidence.code: evidence
    for evidence in (
        Evidence("desk", gettext_lazy("Desk actions"), _desk_actions),
        Evidence("study", gettext_lazy("Study session attendance"), _study_attendance),
        Evidence("papers", gettext_lazy("Papers and summary articles"), _papers),
        Evidence("training", gettext_lazy("Training"), _training),
        Evidence("activities", gettext_lazy("Activities organised"), _activities_organised),
    )
}


def evidence_choices() -> list[tuple[str, str]]:
    return [("", "—"), *[(evidence.code, str(evidence.label)) for evidence in EVIDENCE.values()]]


@dataclass
class CriterionLine:
    criterion: EvaluationCriterion
    evidence: str
    points: int | None


@dataclass
class EvaluationSheet:
    member: StaffMember
    term: object
    evaluation: Evaluation | None
    lines: list[CriterionLine] = field(default_factory=list)

    @property
    def total(self) -> int | None:
        scored = [line.points for line in self.lines if line.points is not None]
        return sum(scored) if scored else None

    @property
    def max_total(self) -> int:
        return sum(line.criterion.max_points for line in self.lines)


def evaluation_sheet(member: StaffMember, term) -> EvaluationSheet:
    evaluation = Evaluation.objects.filter(staff=member, term=term).prefetch_related("scores").first()
    scores = {score.criterion_id: score.points for score in evaluation.scores.all()} if evaluation else {}
    lines = []
    for criterion in EvaluationCriterion.objects.filter(is_active=True):
        evidence = EVIDENCE.get(criterion.evidence)
        if evidence is None:
            text = ""
        elif evidence.function is None:
            text = _("not measured: %(reason)s") % {"reason": evidence.unavailable}
        else:
            text = evidence.function(member, term)
        lines.append(CriterionLine(criterion, text, scores.get(criterion.pk)))
    return EvaluationSheet(member, term, evaluation, lines)
