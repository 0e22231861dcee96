"""Reads that pages and other apps use, each in a constant number of queries."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from .models import (
    ClassSession,
    Compensation,
    DeskAction,
    Hold,
    LibraryCard,
    Loan,
    Notice,
    OpeningHours,
    Reader,
    SchoolClass,
    Suspension,
    Visit,
    grade_name,
)
from .querysets import record_light

READER_SEARCH_LIMIT = 20


def reader_for_user(user) -> Reader | None:
    if not user.is_authenticated:
        return None
    return Reader.objects.with_display().filter(user=user).first()


def reader_exists_for_user(user) -> bool:
    cached = getattr(user, "_is_reader", None)
    if cached is None:
        cached = user.is_authenticated and Reader.objects.filter(user=user).exists()
        user._is_reader = cached
    return cached


def my_library_is_separate_page(user) -> bool:
    """A reader whose home is the desk or the overview reaches their own loans from the menu;
    for everyone else, their own loans are the home page itself."""
    if not reader_exists_for_user(user):
        return False
    return user.has_perm(Capability.USE_DESK.permission) or user.has_perm(
        Capability.VIEW_STATISTICS.permission
    )


def reader_search(query: str) -> tuple[list[Reader], LibraryCard | None]:
    """Readers matching a scan or a typed text: an exact card number, an exact student/staff
    number, or part of a name. A blocked card found by its number is returned beside the result
    so that the desk can say plainly that the card no longer works."""
    query = query.strip()
    if not query:
        return [], None
    card = LibraryCard.objects.select_related("reader").filter(number__iexact=query).first()
    if card is not None:
        readers = list(Reader.objects.with_display().filter(pk=card.reader_id))
        return readers, (None if card.is_active else card)
    readers = list(
        Reader.objects.with_display()
        .filter(Q(number__iexact=query) | Q(user__full_name__icontains=query))
        .order_by("school_class__grade", "school_class__number", "number")[:READER_SEARCH_LIMIT]
    )
    return readers, None


def school_overview() -> dict:
    """Counts for the staff and leader home pages: two queries whatever the school's size."""
    readers = Reader.objects.active().aggregate(
        students=Count("pk", filter=Q(kind=Reader.Kind.STUDENT)),
        teachers=Count("pk", filter=Q(kind__in=[Reader.Kind.TEACHER, Reader.Kind.STAFF])),
        with_card=Count("pk", filter=Q(cards__status=LibraryCard.Status.ACTIVE)),
    )
    grades = list(
        SchoolClass.objects.filter(is_active=True)
        .values("grade")
        .annotate(
            classes=Count("pk", distinct=True),
            students=Count("students", filter=Q(students__status=Reader.Status.ACTIVE), distinct=True),
        )
        .order_by("grade")
    )
    return {
        **readers,
        "classes": sum(row["classes"] for row in grades),
        "grades": [{**row, "name": grade_name(row["grade"])} for row in grades],
    }


def classes_of_head_teacher(user):
    return (
        SchoolClass.objects.filter(head_teacher=user, is_active=True)
        .annotate(student_count=Count("students", filter=Q(students__status=Reader.Status.ACTIVE)))
        .order_by("grade", "number")
    )


# --- loans, holds and the desk ----------------------------------------------------------------


# What the desk's answer fragment (_reader_panel.html) shows of each open loan and hold: the
# desk reads only these columns (the rest of a catalogue record is wide).
PANEL_LOAN_FIELDS = (
    "id", "copy_id", "reader_id", "policy_id", "state", "lent_at", "due_on", "renewals",
    "copy__id", "copy__barcode", "copy__record_id", "copy__record__id", "copy__record__title",
    "policy__id", "policy__renewals",
)  # fmt: skip
PANEL_HOLD_FIELDS = (
    "id", "record_id", "reader_id", "copy_id", "state", "placed_at", "collect_by",
    "record__id", "record__title", "copy__id", "copy__barcode",
)  # fmt: skip


def reader_notice_annotations() -> dict:
    """What the desk's panel says of a reader's notices, read with the reader in the same query:
    how many they have not read, and the subject of the latest."""
    notices = Notice.objects.filter(recipient_id=OuterRef("user_id"))
    unread = (
        notices.filter(read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return {
        "unread_notices": Subquery(unread, output_field=IntegerField()),
        "last_notice": Subquery(notices.order_by("-created_at", "-pk").values("subject")[:1]),
    }


def reader_desk_annotations(today, *, card: bool = True) -> dict:
    """What lending checks and the desk's panel shows of a reader, read with the reader in the
    same query: their active card's number (``card_number``, None without one; left out when
    ``card`` is False), until when they are suspended (``suspended_until``) and their notices."""
    suspensions = Suspension.objects.filter(
        reader_id=OuterRef("pk"), cancelled_at__isnull=True, ends_on__gte=today
    ).order_by("-ends_on")
    annotations = {}
    if card:
        cards = LibraryCard.objects.filter(reader_id=OuterRef("pk"), status=LibraryCard.Status.ACTIVE)
        annotations["card_number"] = Subquery(cards.values("number")[:1])
    annotations["suspended_until"] = Subquery(suspensions.values("ends_on")[:1])
    return {**annotations, **reader_notice_annotations()}


def reader_panel(
    reader_id: int,
    *,
    today=None,
    reader: Reader | None = None,
    card: LibraryCard | None = None,
    desk_fragment: bool = False,
) -> dict | None:
    """Everything the desk shows about a reader, in three queries whatever their history: the
    reader (with account, class, card and suspension), open loans, and active holds (with
    their place in the queue, read in a fourth query when some are waiting). ``reader`` is one
    already read that way in this request (the lend just locked it, with ``card_number`` and
    ``suspended_until``): two queries then. ``card`` is the reader's active card just scanned,
    read with its reader, their account and class: only the suspension is read then.
    ``desk_fragment`` reads only the loans' and holds' columns that the desk's answer shows."""
    today = today or timezone.localdate()
    scanned_card = card is not None and card.reader_id == reader_id and card.is_active
    if (reader is None or reader.pk != reader_id) and scanned_card:
        reader = card.reader
        reader.card_number = card.number
        # What the card's row does not hold, in one query: the suspension and the notices.
        extra = (
            Reader.objects.filter(pk=reader_id)
            .annotate(**reader_desk_annotations(today, card=False))
            .values("suspended_until", "unread_notices", "last_notice")
            .first()
        )
        for name, value in (extra or {}).items():
            setattr(reader, name, value)
    if reader is None or reader.pk != reader_id:
        reader = (
            Reader.objects.select_related("user", "school_class")
            .annotate(**reader_desk_annotations(today))
            .filter(pk=reader_id)
            .first()
        )
    if reader is None:
        return None
    loans = Loan.objects.filter(reader_id=reader_id, state=Loan.State.OPEN).select_related(
        "copy__record", "policy"
    )
    loans = loans.only(*PANEL_LOAN_FIELDS) if desk_fragment else loans.defer(*record_light("copy__record"))
    loans = list(loans.order_by("due_on", "pk"))
    for loan in loans:
        loan.days_overdue = loan.overdue_days_on(today)
        loan.renewals_left = max(0, loan.policy.renewals - loan.renewals) if loan.policy else 0
    holds = Hold.objects.filter(
        reader_id=reader_id, state__in=[Hold.State.WAITING, Hold.State.READY]
    ).select_related("record", "copy")
    holds = holds.only(*PANEL_HOLD_FIELDS) if desk_fragment else holds.defer(*record_light("record"))
    holds = list(holds.order_by("placed_at"))
    waiting = [hold for hold in holds if hold.state == Hold.State.WAITING]
    ahead = {}
    if waiting:  # most readers wait for nothing: the queue is read only for those who do
        ahead_of = (
            Hold.objects.filter(
                record_id=OuterRef("record_id"), state=Hold.State.WAITING, placed_at__lt=OuterRef("placed_at")
            )
            .values("record_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        ahead = dict(
            Hold.objects.filter(pk__in=[hold.pk for hold in waiting])
            .annotate(ahead=Subquery(ahead_of))
            .values_list("pk", "ahead")
        )
    for hold in holds:
        hold.position = (ahead.get(hold.pk) or 0) + 1 if hold.state == Hold.State.WAITING else 0
    suspended_until = reader.suspended_until
    overdue = [loan for loan in loans if loan.days_overdue]
    blocks = []
    if reader.status != Reader.Status.ACTIVE:
        blocks.append(reader.get_status_display())
    if not reader.card_number:
        blocks.append(_("No active card"))
    if suspended_until:
        blocks.append(_("Suspended until %(date)s") % {"date": suspended_until.isoformat()})
    if overdue:
        blocks.append(_("%(count)s overdue") % {"count": len(overdue)})
    return {
        "reader": reader,
        "loans": loans,
        "holds": holds,
        "ready_holds": [hold for hold in holds if hold.state == Hold.State.READY],
        "overdue": overdue,
        "suspended_until": suspended_until,
        "blocks": blocks,
        "today": today,
    }


def reader_open_loans_count(reader_id: int) -> int:
    return Loan.objects.filter(reader_id=reader_id, state=Loan.State.OPEN).count()


def class_open_loans(school_class_id: int, *, today=None):
    """The books a class still has out (the class pile and the head teacher's page)."""
    today = today or timezone.localdate()
    loans = list(
        Loan.objects.filter(reader__school_class_id=school_class_id, state=Loan.State.OPEN)
        .select_related("copy__record", "reader__user")
        .defer(*record_light("copy__record"))
        .order_by("reader__number", "due_on")
    )
    for loan in loans:
        loan.days_overdue = loan.overdue_days_on(today)
    return loans


def reader_history(reader_id: int, *, limit: int = 50):
    return list(
        Loan.objects.filter(reader_id=reader_id, state__in=[Loan.State.RETURNED, Loan.State.LOST])
        .select_related("copy__record")
        .order_by("-returned_at")[:limit]
    )


def copy_loan_history(copy_id: int, *, limit: int = 100):
    return list(
        Loan.objects.filter(copy_id=copy_id)
        .select_related("reader__user", "lent_by", "returned_by")
        .order_by("-lent_at")[:limit]
    )


def desk_actions_recent(*, desk: str | None = None, limit: int = 20):
    actions = DeskAction.objects.select_related("user", "copy__record", "reader__user")
    if desk:
        actions = actions.filter(desk=desk)
    return list(actions[:limit])


def readers_with_open_items(reader_ids, *, today=None) -> dict[int, list[str]]:
    """The readers among ``reader_ids`` who still have something of the library's: each id
    mapped to a line per item (a book on loan, a compensation unpaid). Promotion lists these
    graduates instead of closing them silently. Two queries, whatever the number of readers."""
    items: dict[int, list[str]] = {}
    for reader_id, lines in _open_items(list(reader_ids), today=today).items():
        items[reader_id] = [item["line"] for item in lines["loans"] + lines["compensations"]]
    return {reader_id: lines for reader_id, lines in items.items() if lines}


def _open_items(reader_ids: list[int], *, today=None) -> dict[int, dict]:
    """Per reader: the open loans (with days overdue) and the unpaid compensations."""
    today = today or timezone.localdate()
    found: dict[int, dict] = {}
    if not reader_ids:
        return found
    loans = (
        Loan.objects.filter(reader_id__in=reader_ids, state=Loan.State.OPEN)
        .select_related("copy__record")
        .defer(*record_light("copy__record"))
        .order_by("due_on", "pk")
    )
    for loan in loans:
        loan.days_overdue = loan.overdue_days_on(today)
        line = _("《%(title)s》 %(barcode)s, due %(date)s") % {
            "title": loan.copy.record.title,
            "barcode": loan.copy.barcode,
            "date": loan.due_on.isoformat(),
        }
        if loan.days_overdue:
            line += _(", %(days)s days overdue") % {"days": loan.days_overdue}
        found.setdefault(loan.reader_id, {"loans": [], "compensations": []})["loans"].append(
            {"loan": loan, "line": line}
        )
    compensations = (
        Compensation.objects.filter(loan__reader_id__in=reader_ids, paid_at__isnull=True)
        .select_related("loan__copy__record")
        .defer(*record_light("loan__copy__record"))
        .order_by("recorded_at", "pk")
    )
    for compensation in compensations:
        line = _("Compensation of %(amount)s yuan for 《%(title)s》 unpaid") % {
            "amount": compensation.amount,
            "title": compensation.loan.copy.record.title,
        }
        found.setdefault(compensation.loan.reader_id, {"loans": [], "compensations": []})[
            "compensations"
        ].append({"compensation": compensation, "line": line})
    return found


def class_clearance(school_class: SchoolClass, *, today=None) -> dict:
    """The clearance list (离校清书) of a class: every pupil of the class (whatever their status,
    so a graduated class is listed whole) with the books they still have out and the
    compensations they owe. Three queries, whatever the class's size and history."""
    today = today or timezone.localdate()
    readers = list(
        Reader.objects.with_display()
        .filter(school_class=school_class, kind=Reader.Kind.STUDENT)
        .order_by("number")
    )
    items = _open_items([reader.pk for reader in readers], today=today)
    rows = []
    for reader in readers:
        found = items.get(reader.pk, {"loans": [], "compensations": []})
        rows.append(
            {
                "reader": reader,
                "loans": [item["loan"] for item in found["loans"]],
                "compensations": [item["compensation"] for item in found["compensations"]],
                "clear": not found["loans"] and not found["compensations"],
                "span": len(found["loans"]) + len(found["compensations"]),
            }
        )
    return {
        "school_class": school_class,
        "rows": rows,
        "today": today,
        "clear_count": sum(row["clear"] for row in rows),
        "owing_count": sum(not row["clear"] for row in rows),
        "loan_count": sum(len(row["loans"]) for row in rows),
        "overdue_count": sum(1 for row in rows for loan in row["loans"] if loan.days_overdue),
        "compensation_total": sum(
            (compensation.amount for row in rows for compensation in row["compensations"]), 0
        ),
    }


def reader_clearance(reader: Reader, *, today=None) -> dict:
    """One reader's clearance: what they still have out and owe (empty lists when clear)."""
    today = today or timezone.localdate()
    found = _open_items([reader.pk], today=today).get(reader.pk, {"loans": [], "compensations": []})
    loans = [item["loan"] for item in found["loans"]]
    compensations = [item["compensation"] for item in found["compensations"]]
    return {
        "reader": reader,
        "loans": loans,
        "compensations": compensations,
        "clear": not loans and not compensations,
        "today": today,
    }


def classes_by_grade(*, active: bool = True) -> list[dict]:
    """The school's classes grouped by grade, each grade's parallel classes (同轨班) together,
    with the head teacher and the number of active students: one query."""
    classes = (
        SchoolClass.objects.filter(is_active=active)
        .select_related("head_teacher")
        .annotate(student_count=Count("students", filter=Q(students__status=Reader.Status.ACTIVE)))
        .order_by("grade", "number")
    )
    grades: list[dict] = []
    for school_class in classes:
        if not grades or grades[-1]["grade"] != school_class.grade:
            grades.append(
                {"grade": school_class.grade, "name": grade_name(school_class.grade), "classes": []}
            )
        grades[-1]["classes"].append(school_class)
    for grade in grades:
        grade["student_count"] = sum(item.student_count for item in grade["classes"])
    return grades


def reader_list(*, query: str = "", kind: str = "", school_class: int | None = None, status: str = ""):
    """Readers for the staff's list, filtered; display data in a constant number of queries."""
    readers = Reader.objects.with_display()
    query = " ".join(query.split())
    if query:
        readers = readers.filter(
            Q(number__iexact=query) | Q(user__full_name__icontains=query) | Q(cards__number__iexact=query)
        ).distinct()
    if kind:
        readers = readers.filter(kind=kind)
    if school_class:
        readers = readers.filter(school_class_id=school_class)
    if status:
        readers = readers.filter(status=status)
    return readers.order_by("kind", "school_class__grade", "school_class__number", "number")


def class_readers(school_class: SchoolClass):
    return (
        Reader.objects.with_display()
        .filter(school_class=school_class, status=Reader.Status.ACTIVE)
        .order_by("number")
    )


def teachers_for_choice():
    return User.objects.filter(reader__kind__in=[Reader.Kind.TEACHER, Reader.Kind.STAFF]).order_by(
        "full_name"
    )


def room_week(room, *, week_start) -> dict:
    """A reading room's week: its opening hours by day with the weekly total (against the target
    of 40 hours), the class sessions of the week by day and period, and the visits counted."""
    hours = list(OpeningHours.objects.filter(room=room).order_by("weekday", "opens_at"))
    days = [week_start + datetime.timedelta(days=offset) for offset in range(7)]
    sessions = list(
        ClassSession.objects.filter(room=room, date__in=days)
        .select_related("school_class")
        .order_by("date", "period")
    )
    visits = Visit.objects.filter(
        room=room, entered_at__date__gte=days[0], entered_at__date__lte=days[-1]
    ).count()
    return {
        "days": [
            {
                "date": day,
                "weekday": day.isoweekday(),
                "hours": [span for span in hours if span.weekday == day.isoweekday()],
                "sessions": [session for session in sessions if session.date == day],
            }
            for day in days
        ],
        "weekly_hours": sum(span.hours for span in hours),
        "visits": visits,
    }


# --- notices ------------------------------------------------------------------------------------

INBOX_PAGE = 50


def notices_for_user(user, *, limit: int = INBOX_PAGE) -> dict:
    """The user's inbox: their latest notices and how many are unread, in two queries."""
    notices = Notice.objects.filter(recipient=user)
    return {
        "notices": list(notices.order_by("-created_at", "-pk")[:limit]),
        "unread": notices.filter(read_at__isnull=True).count(),
    }


def class_overdue_slips(school_class: SchoolClass, *, today=None) -> list[dict]:
    """The pupils of a class with overdue books, each with those books (one slip per pupil):
    one query, whatever the class's size."""
    today = today or timezone.localdate()
    loans = [
        loan
        for loan in class_open_loans(school_class.pk, today=today)
        if loan.days_overdue and loan.reader.kind == Reader.Kind.STUDENT
    ]
    slips: list[dict] = []
    for loan in loans:  # ordered by the reader's number
        if not slips or slips[-1]["reader"].pk != loan.reader_id:
            slips.append({"reader": loan.reader, "loans": []})
        slips[-1]["loans"].append(loan)
    return slips


def user_may_see_class_lists(user, school_class: SchoolClass) -> bool:
    """A class's overdue list is its head teacher's, and the library staff's."""
    return school_class.head_teacher_id == user.pk or user.has_perm(Capability.MANAGE_READERS.permission)
