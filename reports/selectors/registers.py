"""The reads behind the registers that the reports app builds itself (A, H, I); the catalogue's
own selectors give registers B–F. Each one reads in a constant number of queries whatever the
number of rows: loans stream from the database with ``values()``, and register I is counted by
the database (GROUP BY reader, GROUP BY class), never by a loop over loans.

And what the registers page shows: the period it opens on, the registers to choose from, a
register file's job as it stands (being made, ready or failed) and the person's recent files.
The jobs themselves are folders of files (``reports.register_files``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from activities.models import PupilWork, ReadingNote
from circulation.models import ClassSetBooking, Hold, IssueReservation, Loan, Reader, SchoolClass, Visit
from library_site.dates import day_bounds
from library_site.school import class_name, school_year_of, school_year_start

from .periods import term_current

STAFF_KINDS = (Reader.Kind.TEACHER, Reader.Kind.STAFF)
CHUNK = 2_000


# --- the registers page ---------------------------------------------------------------------


def register_period_default(today: date | None = None) -> tuple[date, date]:
    """The period the registers page opens on: the term under way, else the school year so far
    (from its first day, ``library_site.school.school_year_start``)."""
    today = today or timezone.localdate()
    term = term_current(today=today)
    if term is not None:
        return term.starts_on, term.ends_on
    return school_year_start(school_year_of(today)), today


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _title(title: str, subtitle: str) -> str:
    return f"{title}：{subtitle}" if subtitle else title


# --- A: staff loans (教职工借阅登记表) ------------------------------------------------------------


def staff_loans(date_from: date, date_to: date, *, reader_kind: str = ""):
    """The loans to teachers and staff lent between two dates (both included), undone ones left
    out. The reader type is the one the loan kept (so a loan whose reader was anonymised still
    counts)."""
    start, end = day_bounds(date_from, date_to)
    kinds = [reader_kind] if reader_kind else list(STAFF_KINDS)
    return Loan.objects.filter(lent_at__gte=start, lent_at__lt=end, reader_kind__in=kinds).exclude(
        state=Loan.State.UNDONE
    )


def staff_loan_count(date_from: date, date_to: date, *, reader_kind: str = "") -> int:
    return staff_loans(date_from, date_to, reader_kind=reader_kind).count()


def staff_loan_register(date_from: date, date_to: date, *, reader_kind: str = "") -> Iterator[dict]:
    """Register A, one row per loan in the order lent, streamed from the database in chunks
    (one query, a server-side cursor on PostgreSQL)."""
    states = {value: str(label) for value, label in Loan.State.choices}
    kinds = {value: str(label) for value, label in Reader.Kind.choices}
    zone = timezone.get_current_timezone()
    rows = (
        staff_loans(date_from, date_to, reader_kind=reader_kind)
        .order_by("lent_at", "pk")
        .values_list(
            "lent_at",
            "reader_kind",
            "reader__user__full_name",
            "reader__user__username",
            "reader__number",
            "reader__department",
            "copy__barcode",
            "copy__record__title",
            "copy__record__subtitle",
            "copy__record__call_number",
            "due_on",
            "returned_at",
            "state",
            "overdue_days",
        )
    )
    for (
        lent_at,
        kind,
        full_name,
        username,
        number,
        department,
        barcode,
        title,
        subtitle,
        call_number,
        due_on,
        returned_at,
        state,
        overdue_days,
    ) in rows.iterator(chunk_size=CHUNK):
        yield {
            "lent_on": lent_at.astimezone(zone).date(),
            "name": full_name or username or "",
            "number": number or "",
            "kind": kinds.get(kind, kind),
            "department": department or "",
            "barcode": barcode,
            "title": _title(title, subtitle),
            "call_number": call_number,
            "due_on": due_on,
            "returned_on": returned_at.astimezone(zone).date() if returned_at else None,
            "state": state,
            "state_label": states.get(state, state),
            "overdue_days": overdue_days,
        }


# --- H: teachers' reservations (教师借阅书刊预约登记表) ----------------------------------------


def teacher_holds(date_from: date, date_to: date):
    start, end = day_bounds(date_from, date_to)
    return Hold.objects.filter(placed_at__gte=start, placed_at__lt=end, reader__kind=Reader.Kind.TEACHER)


def class_set_bookings(date_from: date, date_to: date):
    start, end = day_bounds(date_from, date_to)
    return ClassSetBooking.objects.filter(created_at__gte=start, created_at__lt=end)


def teacher_issue_reservations(date_from: date, date_to: date):
    """The teachers' reservations of newspaper and periodical issues made between two dates."""
    start, end = day_bounds(date_from, date_to)
    return IssueReservation.objects.filter(placed_at__gte=start, placed_at__lt=end)


def teacher_reservation_count(date_from: date, date_to: date) -> int:
    return (
        teacher_holds(date_from, date_to).count()
        + class_set_bookings(date_from, date_to).count()
        + teacher_issue_reservations(date_from, date_to).count()
    )


def teacher_reservation_register(date_from: date, date_to: date) -> list[dict]:
    """Register H: the class-set bookings (整班借阅), the teachers' holds (预约) and their
    reservations of periodical issues (期刊预约) made between two dates, in the order they were
    made. Three queries."""
    from django.utils.translation import gettext

    booking_states = {value: str(label) for value, label in ClassSetBooking.State.choices}
    hold_states = {value: str(label) for value, label in Hold.State.choices}
    rows = []
    bookings = class_set_bookings(date_from, date_to).values_list(
        "pk",
        "created_at",
        "teacher__user__full_name",
        "teacher__user__username",
        "teacher__number",
        "record__title",
        "record__subtitle",
        "record__call_number",
        "school_class__grade",
        "school_class__number",
        "copies",
        "starts_on",
        "ends_on",
        "state",
    )
    for (
        pk,
        made,
        full_name,
        username,
        number,
        title,
        subtitle,
        call,
        grade,
        class_number,
        copies,
        starts,
        ends,
        state,
    ) in bookings:
        rows.append(
            {
                "sort": (made, 0, pk),
                "made_on": _local_day(made),
                "name": full_name or username,
                "number": number,
                "kind": gettext("Class set"),
                "title": _title(title, subtitle),
                "call_number": call,
                "school_class": class_name(grade, class_number),
                "copies": copies,
                "starts_on": starts,
                "ends_on": ends,
                "state": booking_states.get(state, state),
            }
        )
    holds = teacher_holds(date_from, date_to).values_list(
        "pk",
        "placed_at",
        "reader__user__full_name",
        "reader__user__username",
        "reader__number",
        "record__title",
        "record__subtitle",
        "record__call_number",
        "ready_at",
        "collect_by",
        "state",
    )
    for pk, placed, full_name, username, number, title, subtitle, call, ready_at, collect_by, state in holds:
        rows.append(
            {
                "sort": (placed, 1, pk),
                "made_on": _local_day(placed),
                "name": full_name or username,
                "number": number,
                "kind": gettext("Hold"),
                "title": _title(title, subtitle),
                "call_number": call,
                "school_class": "",
                "copies": 1,
                "starts_on": _local_day(ready_at),
                "ends_on": collect_by,
                "state": hold_states.get(state, state),
            }
        )
    issue_states = {value: str(label) for value, label in IssueReservation.State.choices}
    issues = teacher_issue_reservations(date_from, date_to).values_list(
        "pk",
        "placed_at",
        "reader__user__full_name",
        "reader__user__username",
        "reader__number",
        "issue__subscription__serial__title",
        "issue__subscription__year",
        "issue__number",
        "issue__subscription__location__name",
        "ready_at",
        "collect_by",
        "state",
    )
    for (
        pk,
        placed,
        full_name,
        username,
        number,
        title,
        year,
        issue_number,
        room,
        ready_at,
        collect_by,
        state,
    ) in issues:
        rows.append(
            {
                "sort": (placed, 2, pk),
                "made_on": _local_day(placed),
                "name": full_name or username,
                "number": number,
                "kind": gettext("Periodical issue"),
                "title": gettext("%(title)s, %(year)s, issue %(number)s (%(room)s)")
                % {"title": title, "year": year, "number": issue_number, "room": room},
                "call_number": "",
                "school_class": "",
                "copies": 1,
                "starts_on": _local_day(ready_at),
                "ends_on": collect_by,
                "state": issue_states.get(state, state),
            }
        )
    rows.sort(key=lambda row: row.pop("sort"))
    return rows


def per_student(count: int, students: int) -> Decimal:
    """A count per pupil, to two decimals (0 for a class without pupils)."""
    if not students:
        return Decimal("0.00")
    return (Decimal(count) / students).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- I: students' reading and loans (学生阅览、借书统计表) ----------------------------------------


def _student_filter(*, grade: int | None, school_class_id: int | None) -> Q:
    condition = Q(kind=Reader.Kind.STUDENT)
    if school_class_id:
        condition &= Q(school_class_id=school_class_id)
    elif grade:
        condition &= Q(school_class__grade=grade)
    return condition


def _student_loans_and_visits(date_from: date, date_to: date, *, grade, school_class_id):
    start, end = day_bounds(date_from, date_to)
    students = Reader.objects.filter(_student_filter(grade=grade, school_class_id=school_class_id))
    in_period = Loan.objects.filter(lent_at__gte=start, lent_at__lt=end).exclude(state=Loan.State.UNDONE)
    visits_in_period = Visit.objects.filter(entered_at__gte=start, entered_at__lt=end)
    # Every pupil still at school, and those who have left but borrowed or came in the period.
    listed = students.filter(
        Q(status=Reader.Status.ACTIVE)
        | Exists(in_period.filter(reader=OuterRef("pk")))
        | Exists(visits_in_period.filter(reader=OuterRef("pk")))
    )
    loans = in_period.filter(reader__in=students.values("pk"))
    visits = visits_in_period.filter(reader__in=students.values("pk"))
    return listed, loans, visits


def _student_notes(date_from: date, date_to: date, listed):
    """The reading notes the listed pupils handed in between two dates: typed notes submitted
    (and those reviewed or selected since) and paper notes recorded as received, by the day
    handed in; a draft, or a note returned for revision and not handed in again, does not count."""
    start, end = day_bounds(date_from, date_to)
    return ReadingNote.objects.filter(
        state__in=PupilWork.HANDED_IN,
        submitted_at__gte=start,
        submitted_at__lt=end,
        reader__in=listed.values("pk"),
    )


def student_reading_count(date_from: date, date_to: date, *, grade=None, school_class_id=None) -> int:
    listed, _loans, _visits = _student_loans_and_visits(
        date_from, date_to, grade=grade, school_class_id=school_class_id
    )
    return listed.count()


def student_reading_register(
    date_from: date, date_to: date, *, grade: int | None = None, school_class_id: int | None = None
) -> dict:
    """Register I: for every pupil (those at school, and those who have left but borrowed or
    came in the period), the loans lent, the reading-room visits and the reading notes handed
    in between two dates; and the same per class. Counted by the database, grouped by reader
    and by class: eight queries whatever the number of loans and notes. A pupil is counted in
    their present class."""
    listed, loans, visits = _student_loans_and_visits(
        date_from, date_to, grade=grade, school_class_id=school_class_id
    )
    notes = _student_notes(date_from, date_to, listed)
    notes_by_reader = dict(
        notes.order_by().values("reader_id").annotate(n=Count("pk")).values_list("reader_id", "n")
    )
    loans_by_reader = dict(
        loans.order_by().values("reader_id").annotate(n=Count("pk")).values_list("reader_id", "n")
    )
    visits_by_reader = dict(
        visits.order_by().values("reader_id").annotate(n=Count("pk")).values_list("reader_id", "n")
    )
    genders = {value: str(label) for value, label in Reader.Gender.choices}
    students = []
    for pk, number, full_name, username, gender, class_grade, class_number in listed.order_by(
        "school_class__grade", "school_class__number", "school_class_id", "number"
    ).values_list(
        "pk",
        "number",
        "user__full_name",
        "user__username",
        "gender",
        "school_class__grade",
        "school_class__number",
    ):
        students.append(
            {
                "school_class": class_name(class_grade, class_number),
                "number": number,
                "name": full_name or username,
                "gender": genders.get(gender, ""),
                "loans": loans_by_reader.get(pk, 0),
                "visits": visits_by_reader.get(pk, 0),
                "notes": notes_by_reader.get(pk, 0),
            }
        )

    per_class_students = dict(
        listed.order_by()
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    per_class_loans = {
        row["reader__school_class_id"]: row
        for row in loans.order_by()
        .values("reader__school_class_id")
        .annotate(loans=Count("pk"), borrowers=Count("reader_id", distinct=True))
    }
    per_class_visits = {
        row["reader__school_class_id"]: row
        for row in visits.order_by()
        .values("reader__school_class_id")
        .annotate(visits=Count("pk"), visitors=Count("reader_id", distinct=True))
    }
    per_class_notes = dict(
        notes.order_by()
        .values("reader__school_class_id")
        .annotate(n=Count("pk"))
        .values_list("reader__school_class_id", "n")
    )
    classes = []
    for school_class in SchoolClass.objects.filter(pk__in=list(per_class_students)).order_by(
        "grade", "number", "pk"
    ):
        loaned = per_class_loans.get(school_class.pk, {})
        visited = per_class_visits.get(school_class.pk, {})
        students_count = per_class_students[school_class.pk]
        loans_count = loaned.get("loans", 0)
        classes.append(
            {
                "school_class": school_class.name,
                "students": students_count,
                "borrowers": loaned.get("borrowers", 0),
                "loans": loans_count,
                "loans_per_student": per_student(loans_count, students_count),
                "visitors": visited.get("visitors", 0),
                "visits": visited.get("visits", 0),
                "notes": per_class_notes.get(school_class.pk, 0),
            }
        )
    return {"students": students, "classes": classes}
