"""Every write to readers, classes and cards goes through here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Copy, CopyStatusChange
from library_site.accounts.models import User
from library_site.accounts.roles import Role
from library_site.accounts.services import user_create, user_set_roles

from .desk import scan_clean
from .exceptions import (
    CardNotValid,
    ClearanceRefused,
    DuplicateIdentifier,
    PromotionRefused,
    ReasonRequired,
    RoomNotAvailable,
    RosterRefused,
)
from .models import (
    CirculationSettings,
    ClassSession,
    ClearanceCertificate,
    Compensation,
    DeskAction,
    LibraryCard,
    Loan,
    OpeningHours,
    Reader,
    RosterChange,
    SchoolClass,
    Suspension,
    Visit,
    reading_rooms,
)
from .selectors import readers_with_open_items

ROLE_FOR_KIND = {
    Reader.Kind.STUDENT: Role.STUDENT,
    Reader.Kind.TEACHER: Role.TEACHER,
    # Staff other than teachers borrow like teachers do (register A counts them together).
    Reader.Kind.STAFF: Role.TEACHER,
}


def identifier_in_use(value: str, *, except_user: User | None = None) -> bool:
    """Whether a user name, reader number or card number already names somebody else.

    One box on the login page takes all three, so one value must not name two people."""
    users = User.objects.filter(username__iexact=value)
    readers = Reader.objects.filter(number__iexact=value)
    cards = LibraryCard.objects.filter(number__iexact=value)
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
        readers = readers.exclude(user=except_user)
        cards = cards.exclude(reader__user=except_user)
    return users.exists() or readers.exists() or cards.exists()


@transaction.atomic
def school_class_create(*, grade: int, number: int, head_teacher: User | None = None) -> SchoolClass:
    school_class = SchoolClass(grade=grade, number=number, head_teacher=head_teacher)
    school_class.full_clean()
    school_class.save()
    return school_class


@transaction.atomic
def reader_create(
    *,
    kind: Reader.Kind,
    number: str,
    full_name: str,
    password: str | None = None,
    school_class: SchoolClass | None = None,
    gender: str = "",
    department: str = "",
    guardian_contact: str = "",
    email: str = "",
    extra_roles: tuple[Role, ...] = (),
    card_number: str | None = None,
    issued_by: User | None = None,
) -> Reader:
    """A reader with an account (signing in with the student or staff number) and an active
    library card."""
    number = number.strip()
    if identifier_in_use(number):
        raise DuplicateIdentifier()
    user = user_create(
        username=number,
        password=password,
        full_name=full_name,
        email=email,
        roles=(ROLE_FOR_KIND[Reader.Kind(kind)], *extra_roles),
    )
    reader = Reader(
        user=user,
        kind=kind,
        number=number,
        school_class=school_class,
        gender=gender,
        department=department,
        guardian_contact=guardian_contact,
    )
    reader.full_clean(exclude=["user"])
    reader.save()
    card_issue(reader=reader, number=card_number or card_number_next(), issued_by=issued_by)
    return reader


BULK_BATCH = 2_000


@dataclass
class NewReader:
    kind: str
    number: str
    full_name: str
    school_class: SchoolClass | None = None
    gender: str = ""
    department: str = ""
    guardian_contact: str = ""


@transaction.atomic
def readers_create_bulk(
    *, rows: list[NewReader], password_hash: str | None = None, issued_by: User | None = None
) -> list[Reader]:
    """Many readers at once, as ``reader_create`` makes one: an account signing in with the
    number (its role by kind), the reader and an active card with the next numbers. A few
    queries per two thousand readers. The caller has checked the rows (the roster import's
    resource does, in bulk); the database's unique constraints stay the last guard."""
    if not rows:
        return []
    password_hash = password_hash or make_password(None)
    users = [User(username=row.number, full_name=row.full_name, password=password_hash) for row in rows]
    User.objects.bulk_create(users, batch_size=BULK_BATCH)
    user_ids = {}
    numbers = [row.number for row in rows]
    for start in range(0, len(numbers), BULK_BATCH):
        user_ids.update(
            User.objects.filter(username__in=numbers[start : start + BULK_BATCH]).values_list(
                "username", "pk"
            )
        )
    groups = dict(Group.objects.values_list("name", "pk"))
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=user_ids[row.number], group_id=groups[ROLE_FOR_KIND[row.kind].value])
            for row in rows
        ],
        batch_size=BULK_BATCH,
    )
    readers = [
        Reader(
            user_id=user_ids[row.number],
            kind=row.kind,
            number=row.number,
            gender=row.gender,
            school_class=row.school_class if row.kind == Reader.Kind.STUDENT else None,
            department=row.department,
            guardian_contact=row.guardian_contact,
        )
        for row in rows
    ]
    Reader.objects.bulk_create(readers, batch_size=BULK_BATCH)
    reader_ids = {}
    for start in range(0, len(numbers), BULK_BATCH):
        reader_ids.update(
            Reader.objects.filter(number__in=numbers[start : start + BULK_BATCH]).values_list("number", "pk")
        )
    for reader in readers:
        reader.pk = reader_ids[reader.number]
    first = int(card_number_next()[1:])
    LibraryCard.objects.bulk_create(
        [
            LibraryCard(reader_id=reader.pk, number=f"R{first + index:07d}", issued_by=issued_by)
            for index, reader in enumerate(readers)
        ],
        batch_size=BULK_BATCH,
    )
    return readers


def card_number_next() -> str:
    """The next card number: the prefix R and a seven-digit sequence (R0000001)."""
    last = (
        LibraryCard.objects.filter(number__regex=r"^R[0-9]{7}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[1:]) + 1 if last else 1
    # Skip a number a copy's label already carries (labels typed in by hand may use R…).
    while Copy.objects.filter(barcode__iexact=f"R{sequence:07d}").exists():
        sequence += 1
    return f"R{sequence:07d}"


@transaction.atomic
def card_issue(
    *, reader: Reader, number: str, issued_by: User | None = None, reason: str = ""
) -> LibraryCard:
    """Give the reader a new active card. Any card they held is blocked at once, with the
    reason given (补证: lost, damaged …) beside the number of the card that replaces it."""
    number = number.strip()
    reason = " ".join(reason.split())
    taken_by_other = identifier_in_use(number, except_user=reader.user)
    if taken_by_other or LibraryCard.objects.filter(number__iexact=number).exists():
        raise DuplicateIdentifier()
    # The desk tells a card from a copy by looking the barcode up, so one barcode must not be
    # both. Catalog cannot look at cards (it imports nothing above it): this side checks.
    if Copy.objects.filter(barcode__iexact=number).exists():
        raise DuplicateIdentifier(
            gettext("This number is already the barcode of a copy: choose another card number.")
        )
    Reader.objects.select_for_update().get(pk=reader.pk)
    LibraryCard.objects.filter(reader=reader, status=LibraryCard.Status.ACTIVE).update(
        status=LibraryCard.Status.BLOCKED,
        blocked_at=timezone.now(),
        block_reason=(
            gettext("%(reason)s; replaced by card %(number)s") % {"reason": reason, "number": number}
            if reason
            else gettext("Replaced by card %(number)s") % {"number": number}
        )[:200],
    )
    return LibraryCard.objects.create(reader=reader, number=number, issued_by=issued_by)


def reader_grant_volunteer(*, reader: Reader) -> None:
    """A student joins the service team (图书服务队)."""
    roles = {Role(name) for name in reader.user.role_names} | {Role.VOLUNTEER}
    user_set_roles(user=reader.user, roles=roles)


@transaction.atomic
def card_reissue(*, reader: Reader, reason: str, issued_by: User | None = None) -> LibraryCard:
    """补证: a new card with the next number; the old one stops working at once and keeps the
    reason. A reason is required."""
    if not " ".join((reason or "").split()):
        raise ReasonRequired()
    return card_issue(reader=reader, number=card_number_next(), issued_by=issued_by, reason=reason)


@transaction.atomic
def school_class_update(*, school_class: SchoolClass, head_teacher: User | None) -> SchoolClass:
    school_class.head_teacher = head_teacher
    school_class.save(update_fields=["head_teacher"])
    return school_class


@transaction.atomic
def reader_update(
    *,
    reader: Reader,
    full_name: str,
    school_class: SchoolClass | None = None,
    gender: str = "",
    department: str = "",
    guardian_contact: str = "",
    status: str | None = None,
    password: str = "",
) -> Reader:
    """Change a reader's details; a new password when one is given."""
    reader = Reader.objects.select_for_update().select_related("user").get(pk=reader.pk)
    reader.school_class = school_class if reader.kind == Reader.Kind.STUDENT else None
    reader.gender = gender
    reader.department = department
    reader.guardian_contact = guardian_contact
    if status is not None:
        if status != reader.status:
            # The day they left starts the period after which their loans are anonymised.
            reader.left_on = None if status == Reader.Status.ACTIVE else timezone.localdate()
        reader.status = status
    reader.full_clean(exclude=["user"])
    reader.save()
    user = reader.user
    user.full_name = " ".join(full_name.split())
    fields = ["full_name"]
    if password:
        user.set_password(password)
        fields.append("password")
    user.save(update_fields=fields)
    return reader


# --- the roster -------------------------------------------------------------------------------


def roster_import(
    *,
    path,
    extension: str,
    name: str = "",
    dry_run: bool,
    user: User | None = None,
    deactivate_missing: bool = False,
    initial_password: str = "",
):
    """Check a roster file and, unless ``dry_run``, save it: all its rows or none. Returns the
    RosterPlan (its ``errors`` list the refused rows by spreadsheet row number). Raises
    RosterRefused when the file cannot be read at all."""
    from . import roster
    from .resources import RosterPlan, RosterResource

    parsed = roster.roster_read(path, extension=extension, name=name)
    plan = RosterPlan(
        file_name=parsed.name,
        row_numbers=parsed.row_numbers,
        deactivate_missing=deactivate_missing,
        user=user,
        initial_password=initial_password,
    )
    resource = RosterResource(plan=plan)
    result = resource.import_data(
        parsed.dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    if result.has_errors():
        # Not a refused row but a failure while saving: django-import-export rolled it all back.
        error = result.row_errors()[0][1][0].error if result.row_errors() else result.base_errors[0].error
        if isinstance(error, IntegrityError):
            raise RosterRefused(
                gettext(
                    "The roster could not be saved because the school's records changed meanwhile "
                    "(%(error)s). Nothing was saved: check the file again."
                )
                % {"error": error}
            ) from error
        raise error
    if not plan.rows and not plan.errors:
        raise RosterRefused(gettext("The file has no rows to import."))
    return plan


def roster_apply(*, plan, classes: dict) -> dict:
    """Save a checked roster (called by RosterResource inside its transaction): the new
    classes, the new readers with their accounts and cards, the moves and changes, and, when
    asked, the missing readers marked as having left."""
    created_classes = {}
    for grade, number in plan.new_classes:
        created_classes[(grade, number)] = classes[(grade, number)] = school_class_create(
            grade=grade, number=number
        )
    # One hash for the whole file: hashing is slow on purpose, once is enough.
    password_hash = make_password(plan.initial_password) if plan.initial_password else None
    readers_create_bulk(
        rows=[
            NewReader(
                kind=row.kind,
                number=row.identifier,
                full_name=row.name,
                school_class=classes[row.class_key] if row.class_key else None,
                gender=row.gender,
                department=row.department,
                guardian_contact=row.guardian,
            )
            for row in plan.of("new")
        ],
        password_hash=password_hash,
        issued_by=plan.user,
    )
    updated, renamed = [], []
    for row in plan.of("moved") + plan.of("changed"):
        reader = row.existing
        reader.school_class = classes[row.class_key] if row.class_key else reader.school_class
        reader.gender = row.gender or reader.gender
        reader.guardian_contact = row.guardian or reader.guardian_contact
        reader.department = row.department or reader.department
        reader.status = Reader.Status.ACTIVE
        reader.left_on = None
        updated.append(reader)
        if reader.user.full_name != row.name:
            reader.user.full_name = row.name
            renamed.append(reader.user)
    Reader.objects.bulk_update(
        updated,
        ["school_class", "gender", "guardian_contact", "department", "status", "left_on"],
        batch_size=BULK_BATCH,
    )
    User.objects.bulk_update(renamed, ["full_name"], batch_size=BULK_BATCH)
    left = 0
    if plan.deactivate_missing and plan.missing:
        left = Reader.objects.filter(pk__in=[reader.pk for reader in plan.missing]).update(
            status=Reader.Status.LEFT, left_on=timezone.localdate()
        )
    counts = plan.counts
    summary = {
        "new": counts["new"],
        "moved": counts["moved"],
        "changed": counts["changed"],
        "new_classes": len(created_classes),
        "missing": counts["missing"],
        "left": left,
    }
    RosterChange.objects.create(
        kind=RosterChange.Kind.IMPORT, file_name=plan.file_name[:200], summary=summary, done_by=plan.user
    )
    return summary


# --- promotion at year end -----------------------------------------------------------------------


def top_grade_default() -> int:
    return int(getattr(settings, "SCHOOL_TOP_GRADE", 6))


def promotion_plan(*, top_grade: int | None = None) -> dict:
    """What promotion would do: each active class and its next name, the classes of the top
    grade that graduate with their students, and the graduates who still have items out."""
    top_grade = top_grade or top_grade_default()
    if not 1 <= top_grade <= 12:
        raise PromotionRefused(gettext("The top grade must be from 1 to 12."))
    classes = list(
        SchoolClass.objects.filter(is_active=True).select_related("head_teacher").order_by("grade", "number")
    )
    if not classes:
        raise PromotionRefused(gettext("There are no active classes to move up a grade."))
    graduating = [school_class for school_class in classes if school_class.grade >= top_grade]
    moving = [school_class for school_class in classes if school_class.grade < top_grade]
    graduates = list(
        Reader.objects.active()
        .filter(kind=Reader.Kind.STUDENT, school_class__in=graduating)
        .select_related("user", "school_class")
        .order_by("school_class__grade", "school_class__number", "number")
    )
    open_items = readers_with_open_items([reader.pk for reader in graduates])
    return {
        "top_grade": top_grade,
        "moving": [
            {
                "school_class": school_class,
                "next_name": SchoolClass(grade=school_class.grade + 1, number=school_class.number).name,
            }
            for school_class in moving
        ],
        "graduating": graduating,
        "graduates": graduates,
        "graduates_with_items": [
            {"reader": reader, "items": open_items[reader.pk]}
            for reader in graduates
            if open_items.get(reader.pk)
        ],
    }


@transaction.atomic
def grades_promote(*, top_grade: int | None = None, user: User | None = None) -> dict:
    """Move every active class up a grade; the top grade's classes become inactive and their
    students graduated. The classes are locked first (by primary key), so two promotions at once
    cannot both run."""
    top_grade = top_grade or top_grade_default()
    list(
        SchoolClass.objects.select_for_update()
        .filter(is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    plan = promotion_plan(top_grade=top_grade)
    graduating_ids = [school_class.pk for school_class in plan["graduating"]]
    graduated = Reader.objects.filter(
        kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE, school_class_id__in=graduating_ids
    ).update(status=Reader.Status.GRADUATED, left_on=timezone.localdate())
    SchoolClass.objects.filter(pk__in=graduating_ids).update(is_active=False)
    # From the top down, so that a grade moves into places the grade above has just left.
    grades = sorted({item["school_class"].grade for item in plan["moving"]}, reverse=True)
    for grade in grades:
        SchoolClass.objects.filter(is_active=True, grade=grade).update(grade=F("grade") + 1)
    summary = {
        "top_grade": top_grade,
        "moved": len(plan["moving"]),
        "graduated_classes": len(graduating_ids),
        "graduates": graduated,
        "graduates_with_items": len(plan["graduates_with_items"]),
    }
    RosterChange.objects.create(kind=RosterChange.Kind.PROMOTION, summary=summary, done_by=user)
    return summary


# --- reading rooms ----------------------------------------------------------------------------

VISIT_REPEAT_SECONDS = 120


def _room_check(room) -> None:
    if not reading_rooms().filter(pk=room.pk, is_active=True).exists():
        raise RoomNotAvailable()


@transaction.atomic
def visit_record(*, room, scan: str, recorded_by: User | None = None) -> tuple[Visit, bool]:
    """A reader enters a reading room: their card was scanned at the door. Returns the visit and
    whether it is new (a second scan within two minutes is the same visit)."""
    _room_check(room)
    number = scan_clean(scan)
    if not number:
        raise CardNotValid(gettext("Scan a library card."))
    card = (
        LibraryCard.objects.select_related("reader__user", "reader__school_class")
        .filter(number__iexact=number)
        .first()
    )
    if card is None:
        raise CardNotValid(gettext("%(number)s is not a library card.") % {"number": number})
    if not card.is_active:
        raise CardNotValid(
            gettext("Card %(number)s is blocked (%(reason)s).")
            % {"number": card.number, "reason": card.block_reason or gettext("blocked")}
        )
    reader = card.reader
    if reader.status != Reader.Status.ACTIVE:
        raise CardNotValid(
            gettext("%(name)s is no longer a reader (%(status)s).")
            % {"name": reader.name, "status": reader.get_status_display()}
        )
    Reader.objects.select_for_update().filter(pk=reader.pk).first()
    since = timezone.now() - datetime.timedelta(seconds=VISIT_REPEAT_SECONDS)
    recent = Visit.objects.filter(reader=reader, room=room, entered_at__gte=since).first()
    if recent is not None:
        return recent, False
    visit = Visit.objects.create(room=room, reader=reader, card=card, recorded_by=recorded_by)
    return visit, True


@transaction.atomic
def class_session_book(
    *, room, school_class: SchoolClass, date: datetime.date, period: int, booked_by: User | None = None
) -> ClassSession:
    """Book a class into a reading room's timetable for one period of one day."""
    _room_check(room)
    if not school_class.is_active:
        raise RoomNotAvailable(gettext("This class is no longer active."))
    session = ClassSession(
        room=room, school_class=school_class, date=date, period=period, booked_by=booked_by
    )
    session.full_clean(validate_unique=False, validate_constraints=False)
    clash = (
        ClassSession.objects.filter(date=date, period=period)
        .filter(Q(room=room) | Q(school_class=school_class))
        .select_related("school_class", "room")
        .first()
    )
    if clash is not None:
        raise RoomNotAvailable(
            gettext("Period %(period)s of %(date)s is taken: %(class)s in %(room)s.")
            % {
                "period": period,
                "date": date.isoformat(),
                "class": clash.school_class.name,
                "room": clash.room.name,
            }
        )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as error:  # booked by someone else at the same moment
        raise RoomNotAvailable(gettext("This period was booked a moment ago: choose another.")) from error
    return session


@transaction.atomic
def class_session_cancel(*, session: ClassSession) -> None:
    """A booking of the timetable is not a record the library accounts for: it is removed."""
    ClassSession.objects.filter(pk=session.pk).delete()


@transaction.atomic
def opening_hours_add(
    *, room, weekday: int, opens_at: datetime.time, closes_at: datetime.time
) -> OpeningHours:
    _room_check(room)
    hours = OpeningHours(room=room, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
    hours.full_clean(validate_constraints=False)
    if closes_at <= opens_at:
        raise RoomNotAvailable(gettext("The room must close after it opens."))
    overlap = OpeningHours.objects.filter(
        room=room, weekday=weekday, opens_at__lt=closes_at, closes_at__gt=opens_at
    ).exists()
    if overlap:
        raise RoomNotAvailable(gettext("These hours overlap hours already recorded for that day."))
    hours.save()
    return hours


@transaction.atomic
def opening_hours_remove(*, hours: OpeningHours) -> None:
    OpeningHours.objects.filter(pk=hours.pk).delete()


# --- leavers: debts settled and loan history anonymised ------------------------------------------


@transaction.atomic
def compensation_mark_paid(*, compensation, user: User) -> bool:
    """Record that a lost book's compensation is paid (whoever took the money). Idempotent:
    a second submit changes nothing and returns False."""
    compensation = Compensation.objects.select_for_update().get(pk=compensation.pk)
    if compensation.paid_at is not None:
        return False
    compensation.paid_at = timezone.now()
    compensation.paid_by = user
    compensation.save(update_fields=["paid_at", "paid_by"])
    return True


def anonymise_cutoff(today: datetime.date, years: int) -> datetime.date | None:
    """The last leaving day whose readers are anonymised on ``today``; None when ``years`` is 0
    (never). 29 February falls back to the 28th."""
    if years <= 0:
        return None
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass
class AnonymiseResult:
    cutoff: datetime.date | None
    readers: int = 0
    loans: int = 0
    dry_run: bool = False


@transaction.atomic
def loans_anonymise(*, today: datetime.date | None = None, dry_run: bool = False) -> AnonymiseResult:
    """Detach the closed loans of readers who graduated or left before the cutoff (the settings'
    years before ``today``) from them. A loan is never deleted: it keeps its copy, dates and the
    reader's type, grade and class number at the time, so the statistics still add up; only who
    it was is gone. Open loans and loans with an unpaid compensation stay with the reader, and
    so do the desk's records of them (their reader link is cleared too)."""
    today = today or timezone.localdate()
    cutoff = anonymise_cutoff(today, CirculationSettings.current().anonymise_after_years)
    result = AnonymiseResult(cutoff=cutoff, dry_run=dry_run)
    if cutoff is None:
        return result
    leavers = Reader.objects.exclude(status=Reader.Status.ACTIVE).filter(left_on__lte=cutoff)
    unpaid = Compensation.objects.filter(paid_at__isnull=True).values("loan_id")
    loans = (
        Loan.objects.filter(reader__in=leavers, anonymised_at__isnull=True)
        .exclude(state=Loan.State.OPEN)
        .exclude(pk__in=unpaid)
    )
    rows = list(
        loans.order_by("pk").select_for_update(of=("self",)).values_list("pk", "reader_id", "copy_id")
    )
    result.loans = len(rows)
    result.readers = len({reader_id for _pk, reader_id, _copy in rows})
    if dry_run or not rows:
        return result
    now = timezone.now()
    loan_ids = [pk for pk, _reader, _copy in rows]
    for start in range(0, len(loan_ids), BULK_BATCH):
        chunk = loan_ids[start : start + BULK_BATCH]
        DeskAction.objects.filter(loan_id__in=chunk).update(reader=None)
        Suspension.objects.filter(loan_id__in=chunk).update(loan=None)
        Loan.objects.filter(pk__in=chunk).update(reader=None, anonymised_at=now)
    # The copies' status log says "Lent to <number>": blank the number out there too.
    copies_by_reader: dict[int, set[int]] = {}
    for _pk, reader_id, copy_id in rows:
        copies_by_reader.setdefault(reader_id, set()).add(copy_id)
    numbers = dict(Reader.objects.filter(pk__in=copies_by_reader).values_list("pk", "number"))
    for reader_id, copy_ids in copies_by_reader.items():
        number = numbers[reader_id]
        copy_ids = sorted(copy_ids)
        for start in range(0, len(copy_ids), BULK_BATCH):
            CopyStatusChange.objects.filter(
                copy_id__in=copy_ids[start : start + BULK_BATCH], reason__contains=number
            ).update(reason=Replace("reason", Value(number), Value("—")))
    return result


@transaction.atomic
def clearance_certificate_issue(*, reader: Reader, user: User, today: datetime.date | None = None):
    """Record a clearance certificate for a reader with nothing out and nothing owed, or raise
    ClearanceRefused naming what is still outstanding. The reader's row is locked first, so a
    book lent at the same moment cannot slip past the check."""
    today = today or timezone.localdate()
    Reader.objects.select_for_update().filter(pk=reader.pk).values_list("pk", flat=True).first()
    items = readers_with_open_items([reader.pk], today=today).get(reader.pk)
    if items:
        raise ClearanceRefused(
            gettext("No certificate for %(name)s: still outstanding: %(items)s.")
            % {"name": reader.name, "items": "；".join(items)}
        )
    return ClearanceCertificate.objects.create(reader=reader, issued_on=today, issued_by=user)
