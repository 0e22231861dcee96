"""The reads of the student service team (issue 18): members, the weekly rota, shifts, the
month's ratings, the best member of the month (a candidate for 服务之星, read by the honours
later) and the rows of register G. Queries do not grow with the rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone

from library_site.dates import day_bounds  # noqa: F401 (the registers' day rule)
from library_site.school import class_name

from ..models import (
    BestMember,
    MonthlyRating,
    RatingCriterion,
    RotaSlot,
    Shift,
    ShiftWork,
    TeamMeeting,
    TeamMember,
    TrainingSession,
)


def team_members(*, current: bool = True) -> list[TeamMember]:
    members = TeamMember.objects.select_related("reader__user", "reader__school_class")
    if current:
        members = members.filter(left_on__isnull=True)
    return list(members.annotate(shifts_count=Count("shifts")))


def member_of(user) -> TeamMember | None:
    """The user's current membership, if they are on the team."""
    return (
        TeamMember.objects.filter(reader__user=user, left_on__isnull=True)
        .select_related("reader__user", "reader__school_class")
        .first()
    )


def rota_week() -> list[dict]:
    """The weekly rota: each weekday's slots, with their room and members. Two queries."""
    slots = (
        RotaSlot.objects.filter(is_active=True)
        .select_related("room")
        .prefetch_related(Prefetch("members", queryset=TeamMember.objects.select_related("reader__user")))
    )
    days: dict[int, list[RotaSlot]] = defaultdict(list)
    for slot in slots:
        days[slot.weekday].append(slot)
    return [
        {"weekday": value, "label": label, "slots": days.get(value, [])}
        for value, label in RotaSlot.Weekday.choices
        if days.get(value) or value < 5
    ]


def shifts_recent(*, member: TeamMember | None = None, limit: int = 50) -> list[Shift]:
    shifts = Shift.objects.select_related("slot__room", "member__reader__user").annotate(
        books=Sum("work__books"), work_lines=Count("work")
    )
    if member is not None:
        shifts = shifts.filter(member=member)
    return list(shifts.order_by("-day", "-slot__starts_at", "-pk")[:limit])


def rota_rooms():
    """The rooms the rota has shifts in (those a door page can be opened for)."""
    from catalog.models import Location

    return Location.objects.filter(pk__in=RotaSlot.objects.filter(is_active=True).values("room_id")).order_by(
        "position", "name"
    )


def room_shifts_today(room, *, day: date | None = None) -> list[dict]:
    """The room's shifts of the day for its door page: each slot with its members and, for
    each, the shift as checked in so far (None: not yet). Three queries."""
    day = day or timezone.localdate()
    slots = list(
        RotaSlot.objects.filter(is_active=True, room=room, weekday=day.weekday()).prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.select_related("reader__user"))
        )
    )
    shifts = {
        (shift.slot_id, shift.member_id): shift for shift in Shift.objects.filter(day=day, slot__in=slots)
    }
    return [
        {
            "slot": slot,
            "members": [(member, shifts.get((slot.pk, member.pk))) for member in slot.members.all()],
        }
        for slot in slots
    ]


def trainings_recent(limit: int = 20) -> list[TrainingSession]:
    return list(TrainingSession.objects.prefetch_related("attendees__reader__user")[:limit])


def meetings_recent(limit: int = 12) -> list[TeamMeeting]:
    return list(TeamMeeting.objects.prefetch_related("attendees__reader__user")[:limit])


def criteria_in_use() -> list[RatingCriterion]:
    return list(RatingCriterion.objects.filter(is_active=True))


def month_ratings(month: date) -> dict:
    """The month's rating table: each member on the team that month, their score on each
    criterion and their total; the recorded best member. Four queries."""
    month = month.replace(day=1)
    criteria = criteria_in_use()
    members = [
        member
        for member in team_members(current=False)
        if member.joined_on <= _month_end(month) and (member.left_on is None or member.left_on >= month)
    ]
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    for member_id, criterion_id, score in MonthlyRating.objects.filter(month=month).values_list(
        "member_id", "criterion_id", "score"
    ):
        scores[member_id][criterion_id] = score
    rows = []
    for member in members:
        own = scores.get(member.pk, {})
        rows.append(
            {
                "member": member,
                "scores": [(criterion, own.get(criterion.pk)) for criterion in criteria],
                "total": sum(own.values()) if own else None,
            }
        )
    return {"criteria": criteria, "rows": rows, "best": team_best_member_of_month(month)}


def member_ratings(member: TeamMember) -> list[dict]:
    """A member's own ratings, month by month (their own page: nobody else sees a pupil's)."""
    months: dict[date, list] = defaultdict(list)
    for rating in (
        MonthlyRating.objects.filter(member=member)
        .select_related("criterion")
        .order_by("-month", "criterion__position")
    ):
        months[rating.month].append(rating)
    return [
        {"month": month, "ratings": ratings, "total": sum(r.score for r in ratings)}
        for month, ratings in months.items()
    ]


def _month_end(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def team_best_member_of_month(month: date) -> BestMember | None:
    """The month's best member as the librarian recorded it (with the pupil, their account and
    class), or None: the honours (服务之星) propose this member."""
    return (
        BestMember.objects.filter(month=month.replace(day=1))
        .select_related("member__reader__user", "member__reader__school_class")
        .first()
    )


# --- register G (图书馆学生服务队工作情况记录表) --------------------------------------------------


def team_register_count(date_from: date, date_to: date) -> int:
    return Shift.objects.filter(day__gte=date_from, day__lte=date_to).count()


def team_register_rows(date_from: date, date_to: date) -> Iterator[dict]:
    """Register G: one row per shift between two days (both included), in the order worked,
    with what was done and the books shelved. Two queries whatever the number of shifts."""
    kinds = {value: str(label) for value, label in ShiftWork.Kind.choices}
    states = {value: str(label) for value, label in Shift.State.choices}
    weekdays = {value: str(label) for value, label in RotaSlot.Weekday.choices}
    shifts = Shift.objects.filter(day__gte=date_from, day__lte=date_to)
    work: dict[int, dict] = defaultdict(lambda: {"kinds": [], "books": 0, "shelved": 0, "notes": []})
    for shift_id, kind, books, note in (
        ShiftWork.objects.filter(shift__in=shifts)
        .order_by("shift_id", "pk")
        .values_list("shift_id", "kind", "books", "note")
    ):
        entry = work[shift_id]
        label = kinds.get(kind, kind)
        if label not in entry["kinds"]:
            entry["kinds"].append(label)
        entry["books"] += books
        if kind == ShiftWork.Kind.SHELVING:
            entry["shelved"] += books
        if note:
            entry["notes"].append(note)
    zone = timezone.get_current_timezone()
    rows = shifts.order_by("day", "slot__starts_at", "pk").values_list(
        "pk",
        "day",
        "slot__weekday",
        "slot__starts_at",
        "slot__ends_at",
        "slot__room__name",
        "member__reader__user__full_name",
        "member__reader__user__username",
        "member__reader__school_class__grade",
        "member__reader__school_class__number",
        "state",
        "checked_in_at",
        "checked_out_at",
        "desk_actions",
    )
    for (
        pk,
        day,
        weekday,
        starts_at,
        ends_at,
        room,
        full_name,
        username,
        grade,
        number,
        state,
        checked_in_at,
        checked_out_at,
        desk_actions,
    ) in rows.iterator(chunk_size=2000):
        entry = work.get(pk)
        yield {
            "day": day,
            "weekday": weekdays.get(weekday, ""),
            "time": f"{starts_at:%H:%M}–{ends_at:%H:%M}",
            "room": room,
            "name": full_name or username,
            "school_class": class_name(grade, number) if grade else "",
            "state": state,
            "state_label": states.get(state, state),
            "checked_in": f"{checked_in_at.astimezone(zone):%H:%M}" if checked_in_at else "",
            "checked_out": f"{checked_out_at.astimezone(zone):%H:%M}" if checked_out_at else "",
            "work": "、".join(entry["kinds"]) if entry else "",
            "shelved": entry["shelved"] if entry else 0,
            "desk_actions": desk_actions,
            "notes": "；".join(entry["notes"]) if entry else "",
        }
