"""The student service team (issue 18): every write. Members are pupils with the volunteer role
(given when they join, taken back when they leave); a member checks in and out of a shift by
scanning their card at the desk (circulation's desk-mode registry, filled in apps.py); the
librarian logs shifts, records meetings and trainings, and rates the month."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Location
from circulation.models import DeskAction, LibraryCard, Reader
from circulation.scans import scan_normalise
from library_site.accounts.models import User
from library_site.accounts.roles import Capability, Role
from library_site.accounts.services import user_set_roles

from ..exceptions import RatingRefused, ShiftRefused, TeamRefused
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

# A member may check in this long before the shift begins, and is late after this long.
EARLY_MINUTES = 15
LATE_MINUTES = 5
MAX_BOOKS = 10_000


def _require_manager(user: User | None) -> None:
    if user is None or not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise TeamRefused(_("Only the library's staff manage the service team."))


def month_first(day: date) -> date:
    return day.replace(day=1)


# --- members and training -------------------------------------------------------------------


@transaction.atomic
def team_member_add(*, reader: Reader, user: User, joined_on: date | None = None) -> TeamMember:
    """A pupil joins the team, and gets the volunteer role (the desk's right)."""
    _require_manager(user)
    if reader.kind != Reader.Kind.STUDENT or not reader.is_active:
        raise TeamRefused(_("Only a pupil at the school can join the service team."))
    if TeamMember.objects.filter(reader=reader, left_on__isnull=True).exists():
        raise TeamRefused(_("%(name)s is already on the team.") % {"name": reader.name})
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(
                reader=reader, joined_on=joined_on or timezone.localdate(), added_by=user
            )
    except IntegrityError as error:
        raise TeamRefused(_("%(name)s is already on the team.") % {"name": reader.name}) from error
    account = reader.user
    if not account.has_role(Role.VOLUNTEER):
        user_set_roles(
            user=account,
            roles=[*(Role(name) for name in account.role_names if name in Role.values), Role.VOLUNTEER],
        )
    return member


@transaction.atomic
def team_member_leave(*, member: TeamMember, user: User, left_on: date | None = None) -> TeamMember:
    """A member leaves (kept, with the day): the volunteer role is taken back."""
    _require_manager(user)
    member = TeamMember.objects.select_for_update().select_related("reader__user").get(pk=member.pk)
    if member.left_on is not None:
        raise TeamRefused(_("This member has already left the team."))
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on:
        raise TeamRefused(_("A member cannot leave before they joined."))
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    account = member.reader.user
    if account.has_role(Role.VOLUNTEER):
        user_set_roles(
            user=account,
            roles=[
                Role(name) for name in account.role_names if name in Role.values and name != Role.VOLUNTEER
            ],
        )
    for slot in member.slots.all():
        slot.members.remove(member)
    return member


@transaction.atomic
def training_record(
    *, held_on: date, topic: str, trainer: str, attendees: Sequence[TeamMember], user: User
) -> TrainingSession:
    _require_manager(user)
    topic, trainer = (topic or "").strip(), (trainer or "").strip()
    if not topic or not trainer or held_on is None:
        raise TeamRefused(_("Give the training's date, topic and trainer."))
    session = TrainingSession.objects.create(
        held_on=held_on, topic=topic[:200], trainer=trainer[:100], recorded_by=user
    )
    session.attendees.set(attendees)
    return session


# --- the rota -------------------------------------------------------------------------------


@transaction.atomic
def rota_slot_save(
    *,
    slot: RotaSlot | None = None,
    weekday: int,
    starts_at,
    ends_at,
    room,
    members: Sequence[TeamMember],
    user: User,
) -> RotaSlot:
    _require_manager(user)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise TeamRefused(_("A shift ends after it begins."))
    if any(member.left_on is not None for member in members):
        raise TeamRefused(_("Only current members can be put on the rota."))
    slot = slot or RotaSlot()
    slot.weekday, slot.starts_at, slot.ends_at, slot.room = weekday, starts_at, ends_at, room
    slot.save()
    slot.members.set(members)
    return slot


def _slot_window(slot: RotaSlot, day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, slot.starts_at), zone)
    end = timezone.make_aware(datetime.combine(day, slot.ends_at), zone)
    return start, end


def _desk_actions_between(user_id: int, start: datetime, end: datetime) -> int:
    """The member's own desk actions (lends, returns, renewals …), not their shift scans."""
    return (
        DeskAction.objects.filter(user_id=user_id, at__gte=start, at__lt=end, outcome=DeskAction.Outcome.DONE)
        .exclude(action=DeskAction.Action.SCAN)
        .count()
    )


@transaction.atomic
def shift_scan(
    *, reader: Reader | None, user: User | None, at: datetime | None = None, room: Location | None = None
) -> tuple[Shift, str]:
    """A member's card scanned at the desk or the room's door: checks them in to the shift
    under way (late after LATE_MINUTES), or out of the shift they are in, counting the desk
    actions they did meanwhile. Returns the shift and "in" or "out". At a room's door
    (``room``) only that room's shifts count: a member due in another room is told where."""
    now = at or timezone.now()
    if reader is None:
        raise ShiftRefused(_("This card is not a service-team member's."))
    member = (
        TeamMember.objects.filter(reader=reader, left_on__isnull=True).select_related("reader__user").first()
    )
    if member is None:
        raise ShiftRefused(_("%(name)s is not a member of the service team.") % {"name": reader.name})
    local = timezone.localtime(now)
    day = local.date()
    open_shift = (
        Shift.objects.select_for_update()
        .filter(member=member, day=day, checked_in_at__isnull=False, checked_out_at__isnull=True)
        .select_related("slot__room")
        .first()
    )
    if open_shift is not None:
        if room is not None and open_shift.slot.room_id != room.pk:
            raise ShiftRefused(
                _("%(name)s is on a shift in %(room)s: check out at that room's door or at the desk.")
                % {"name": reader.name, "room": open_shift.slot.room.name}
            )
        open_shift.checked_out_at = now
        open_shift.desk_actions = _desk_actions_between(member.reader.user_id, open_shift.checked_in_at, now)
        open_shift.save(update_fields=["checked_out_at", "desk_actions"])
        return open_shift, "out"
    slots = [
        slot
        for slot in member.slots.filter(is_active=True, weekday=day.weekday()).select_related("room")
        if _slot_window(slot, day)[0] - timedelta(minutes=EARLY_MINUTES) <= now < _slot_window(slot, day)[1]
    ]
    if room is not None:
        elsewhere = [slot for slot in slots if slot.room_id != room.pk]
        slots = [slot for slot in slots if slot.room_id == room.pk]
        if not slots and elsewhere:
            raise ShiftRefused(
                _("%(name)s's shift at this time is in %(room)s, not here.")
                % {"name": reader.name, "room": elsewhere[0].room.name}
            )
    if not slots:
        raise ShiftRefused(_("%(name)s has no shift at this time.") % {"name": reader.name})
    slot = slots[0]
    done = Shift.objects.filter(slot=slot, member=member, day=day).first()
    if done is not None:
        if done.state == Shift.State.MISSED:
            raise ShiftRefused(_("This shift was already marked missed: ask the librarian."))
        raise ShiftRefused(
            _("%(name)s has already checked in and out of this shift.") % {"name": reader.name}
        )
    start, _end = _slot_window(slot, day)
    state = Shift.State.LATE if now > start + timedelta(minutes=LATE_MINUTES) else Shift.State.PRESENT
    try:
        with transaction.atomic():
            shift = Shift.objects.create(slot=slot, member=member, day=day, state=state, checked_in_at=now)
    except IntegrityError as error:
        raise ShiftRefused(
            _("%(name)s has already checked in to this shift.") % {"name": reader.name}
        ) from error
    return shift, "in"


def shift_door_scan(
    *, room: Location, scan: str, user: User | None, at: datetime | None = None
) -> tuple[Shift, str]:
    """A card scanned into the room's door page (the kiosk the librarian opened for the room):
    the card is read as the desk reads it, then ``shift_scan`` at this room."""
    code = scan_normalise(scan)[:64]
    if not code:
        raise ShiftRefused(_("Scan your library card."))
    card = LibraryCard.objects.filter(number=code).select_related("reader__user").first()
    if card is None:
        raise ShiftRefused(_("%(number)s is not a library card.") % {"number": code})
    if not card.is_active:
        raise ShiftRefused(_("Card %(number)s is blocked: ask the librarian.") % {"number": card.number})
    return shift_scan(reader=card.reader, user=user, at=at, room=room)


def _missed_shifts_mark(day: date, now: datetime) -> int:
    """Marks missed the shifts of ``day`` whose slot was over by ``now`` and nobody checked in
    to; returns how many were marked. Safe to run twice, and beside a second run: a shift is
    unique per slot, member and day (a constraint), and a check-in closes when the slot ends."""
    missed = []
    slots = RotaSlot.objects.filter(is_active=True, weekday=day.weekday()).prefetch_related("members")
    existing = set(Shift.objects.filter(day=day).values_list("slot_id", "member_id"))
    for slot in slots:
        if _slot_window(slot, day)[1] > now:
            continue
        for member in slot.members.all():
            if member.joined_on > day or (member.left_on and member.left_on < day):
                continue
            if (slot.pk, member.pk) not in existing:
                missed.append(Shift(slot=slot, member=member, day=day, state=Shift.State.MISSED))
    if not missed:
        return 0
    before = Shift.objects.filter(day=day, state=Shift.State.MISSED).count()
    Shift.objects.bulk_create(missed, ignore_conflicts=True)
    return Shift.objects.filter(day=day, state=Shift.State.MISSED).count() - before


@transaction.atomic
def shifts_mark_missed(*, day: date, user: User) -> int:
    """The librarian's "mark missed" for a day (the scheduled job's "run now" for one day):
    the shifts of a past day (or of today's slots already over) that nobody checked in to are
    marked missed. Safe to run twice. Returns how many were marked."""
    _require_manager(user)
    return _missed_shifts_mark(day, timezone.now())


def shifts_mark_missed_scheduled(*, day: date | None = None, now: datetime | None = None) -> dict:
    """The scheduled job (``mark_missed_shifts``, beat every 30 minutes): the shifts of today's
    slots already over, and of yesterday's (those that ended after yesterday's last run), that
    nobody checked in to are marked missed; with ``day``, that day only. Late check-ins are
    marked when they happen (``shift_scan``). Each day in its own short transaction."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    days = [day] if day is not None else [today - timedelta(days=1), today]
    missed = 0
    for each in days:
        with transaction.atomic():
            missed += _missed_shifts_mark(each, now)
    return {"days": len(days), "missed": missed}


def shift_may_log(user: User, shift: Shift) -> bool:
    return user.has_perm(Capability.MANAGE_ACTIVITIES.permission) or shift.member.reader.user_id == user.pk


@transaction.atomic
def shift_work_log(*, shift: Shift, kind: str, books: int = 0, note: str = "", user: User) -> ShiftWork:
    """A line of the shift's work log, by the member or the librarian."""
    if not shift_may_log(user, shift):
        raise ShiftRefused(_("Only the member or the librarian writes this shift's log."))
    if shift.state == Shift.State.MISSED:
        raise ShiftRefused(_("Nothing was done in a missed shift."))
    if kind not in ShiftWork.Kind.values:
        raise ShiftRefused(_("Choose what was done."))
    if books is None or not 0 <= int(books) <= MAX_BOOKS:
        raise ShiftRefused(_("The number of books is between 0 and %(limit)s.") % {"limit": MAX_BOOKS})
    return ShiftWork.objects.create(
        shift=shift, kind=kind, books=int(books), note=(note or "").strip()[:300], written_by=user
    )


# --- the month: meeting and rating ----------------------------------------------------------


@transaction.atomic
def meeting_record(
    *, held_on: date, minutes: str, attendees: Sequence[TeamMember], user: User
) -> TeamMeeting:
    _require_manager(user)
    minutes = (minutes or "").strip()
    if held_on is None or not minutes:
        raise TeamRefused(_("Give the meeting's date and minutes."))
    meeting = TeamMeeting.objects.create(held_on=held_on, minutes=minutes[:5000], recorded_by=user)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def rating_criterion_save(*, criterion: RatingCriterion, user: User) -> RatingCriterion:
    if not user.has_perm(Capability.MANAGE_POLICIES.permission):
        raise RatingRefused(_("Only the administrator sets the rating's criteria."))
    criterion.save()
    return criterion


@transaction.atomic
def month_rate(*, member: TeamMember, month: date, scores: Mapping[int, int | None], user: User) -> int:
    """The librarian's scores of a member for a month, one per criterion in use (0 to its
    highest score). A score outside the scale refuses them all. Returns the member's total."""
    _require_manager(user)
    month = month_first(month)
    if member.joined_on > month.replace(day=28) + timedelta(days=4) or (
        member.left_on and member.left_on < month
    ):
        raise RatingRefused(_("This pupil was not on the team that month."))
    criteria = {criterion.pk: criterion for criterion in RatingCriterion.objects.filter(is_active=True)}
    if not criteria:
        raise RatingRefused(_("The administrator has set no rating criteria yet."))
    clean: dict[int, int] = {}
    for pk, criterion in criteria.items():
        value = scores.get(pk)
        if value in (None, ""):
            raise RatingRefused(_("Give a score for “%(criterion)s”.") % {"criterion": criterion.name})
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise RatingRefused(_("A score is a whole number.")) from None
        if not 0 <= value <= criterion.max_score:
            raise RatingRefused(
                _("The score for “%(criterion)s” is between 0 and %(max)s.")
                % {"criterion": criterion.name, "max": criterion.max_score}
            )
        clean[pk] = value
    for pk, value in clean.items():
        MonthlyRating.objects.update_or_create(
            member=member, month=month, criterion_id=pk, defaults={"score": value, "rated_by": user}
        )
    return sum(clean.values())


@transaction.atomic
def best_member_record(*, month: date, user: User, member: TeamMember | None = None) -> BestMember:
    """Record the month's best member: the one named, or the highest total of the ratings."""
    _require_manager(user)
    month = month_first(month)
    totals = dict(
        MonthlyRating.objects.filter(month=month)
        .values("member_id")
        .annotate(total=Sum("score"))
        .values_list("member_id", "total")
    )
    if member is None:
        if not totals:
            raise RatingRefused(_("Nobody has been rated for this month yet."))
        best = max(totals.values())
        member = (
            TeamMember.objects.filter(pk__in=[pk for pk, total in totals.items() if total == best])
            .order_by("pk")
            .first()
        )
    elif member.pk not in totals:
        raise RatingRefused(_("Rate this member for the month first."))
    best_member, _created = BestMember.objects.update_or_create(
        month=month, defaults={"member": member, "total": totals.get(member.pk, 0), "chosen_by": user}
    )
    return best_member
