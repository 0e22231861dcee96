"""Writes of the activity calendar: an activity planned, edited, moved through its states (the
results published for the school, 公示), and the year's plan."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..exceptions import ActivityRefused
from ..models import Activity, ActivityPlan
from ..models.calendar import DEFAULT_SCHOOL_MONTHS, grades_parse
from ..states import ACTIVITY_STATES

State = Activity.State
RESULTS_MAX = 20_000


def _check_manager(user: User) -> None:
    if not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise ActivityRefused(_("Only a librarian or the administrator runs the activity calendar."))


def _check_fields(*, title: str, starts_on: date, ends_on: date, grades: str) -> None:
    if not title.strip():
        raise ActivityRefused(_("Give the activity a title."))
    if ends_on < starts_on:
        raise ActivityRefused(_("The last day comes on or after the first day."))
    if grades.strip() and not grades_parse(grades):
        raise ActivityRefused(_("Name the grades as numbers from 1 to 12 separated by commas, e.g. 3,4,5,6."))


@transaction.atomic
def activity_create(
    *,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date,
    by: User,
    theme: str = "",
    description: str = "",
    grades: str = "",
    classes=(),
    organisers=(),
) -> Activity:
    _check_manager(by)
    if kind not in Activity.Kind.values:
        raise ActivityRefused(_("Choose one of the kinds of activity."))
    _check_fields(title=title, starts_on=starts_on, ends_on=ends_on, grades=grades)
    activity = Activity.objects.create(
        kind=kind,
        title=title.strip(),
        theme=theme.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        grades=",".join(map(str, grades_parse(grades))),
        created_by=by,
        changed_by=by,
    )
    activity.classes.set(classes)
    activity.organisers.set(list(organisers) or [by])
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by: User, **fields) -> Activity:
    _check_manager(by)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.state == State.CLOSED:
        raise ActivityRefused(_("A closed activity is kept as it was."))
    classes = fields.pop("classes", None)
    organisers = fields.pop("organisers", None)
    for name in ("title", "theme", "description", "starts_on", "ends_on", "grades"):
        if name in fields:
            setattr(activity, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    _check_fields(
        title=activity.title, starts_on=activity.starts_on, ends_on=activity.ends_on, grades=activity.grades
    )
    activity.grades = ",".join(map(str, grades_parse(activity.grades)))
    activity.changed_at = timezone.now()
    activity.changed_by = by
    activity.save()
    if classes is not None:
        activity.classes.set(classes)
    if organisers is not None:
        activity.organisers.set(organisers)
    return activity


@transaction.atomic
def activity_move(*, activity: Activity, to: str, by: User, results: str | None = None) -> Activity:
    """Move an activity to its next state. Publishing the results (公示) records who and when,
    and needs the results' text unless the activity's quiz or contest publishes its own."""
    _check_manager(by)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    ACTIVITY_STATES.check(activity.state, to)
    if results is not None:
        if len(results) > RESULTS_MAX:
            raise ActivityRefused(_("The results are too long."))
        activity.results = results.strip()
    if to == State.PUBLISHED:
        if not activity.results and not _has_own_results(activity):
            raise ActivityRefused(_("Write the results before publishing them."))
        activity.published_at = timezone.now()
        activity.published_by = by
    activity.state = to
    activity.changed_at = timezone.now()
    activity.changed_by = by
    activity.save()
    return activity


def _has_own_results(activity: Activity) -> bool:
    """A quiz's winners or a contest's prizes are results of their own."""
    from ..models import Attempt, Entry

    if activity.kind == Activity.Kind.QUIZ:
        return Attempt.objects.filter(quiz__activity=activity, winner_rank__isnull=False).exists()
    return Entry.objects.filter(contest__activity=activity).exclude(prize="").exists()


@transaction.atomic
def plan_set(*, school_year: int, reader_activities: int, themed_months: str, by: User) -> ActivityPlan:
    _check_manager(by)
    months = [part.strip() for part in themed_months.replace("，", ",").split(",") if part.strip()]
    if any(not part.isdigit() or not 1 <= int(part) <= 12 for part in months):
        raise ActivityRefused(_("Name the months as numbers from 1 to 12 separated by commas."))
    if not 0 <= reader_activities <= 100:
        raise ActivityRefused(_("The number of reader activities is between 0 and 100."))
    plan, _created = ActivityPlan.objects.select_for_update().get_or_create(school_year=school_year)
    plan.reader_activities = reader_activities
    plan.themed_months = ",".join(dict.fromkeys(months)) or DEFAULT_SCHOOL_MONTHS
    plan.changed_at = timezone.now()
    plan.changed_by = by
    plan.save()
    return plan
