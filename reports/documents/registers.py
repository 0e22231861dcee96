"""The registers a school library prints and files (S1), as files: what each one holds, its
columns and totals, the query that counts its rows first, and the .xlsx or .csv written from it.

A register is one or more tables (register D: purchases and donations; register I: per pupil and
per class). Each table is a list of columns and an iterator of rows read by a selector; the
writer (``register_write``, below) numbers the rows, sums the columns marked ``total`` and adds
each table's summary line. Register G (the service team's work) is read from the activities'
selectors (activities.selectors.team).

The workbook has one sheet per table of the register: the school's name and the register's
name, the period and filters, a bordered table with a frozen header repeated on every printed
page, dates in the language's own format (2026年9月1日), a totals row and summary lines, and A4
print settings (landscape for the wide registers, fitted to the page's width, page numbers).
Rows stream from the database to the file (library_site.documents.xlsx): memory stays flat
whatever their number. The CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese)
holds the same tables, one after another, without the title lines.

Every text cell goes through ``spreadsheet_safe``: a title or a name that begins with = + - @
is written as text, never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import Shift
from activities.selectors.team import team_register_count, team_register_rows
from catalog.labels import library_name_for_labels
from catalog.models import Delivery, Location, Repair, Serial, Subscription, WriteOffBatch, WriteOffItem
from catalog.selectors.acquisitions import donation_register, purchase_register
from catalog.selectors.care import repair_register, write_off_register
from catalog.selectors.serials import serial_register
from circulation.models import Loan, SchoolClass
from library_site.dates import date_text, day_bounds
from library_site.documents.sheets import FORMULA_TRIGGERS, spreadsheet_safe
from library_site.documents.xlsx import SheetLayout, XlsxStreamWriter

from ..exceptions import RegisterRefused
from ..selectors import registers as selectors

MAX_YEARS = 5
LETTERS = ("A", "B", "C", "D", "E", "F", "G", "H", "I")


@dataclass(frozen=True)
class Column:
    label: Promise | str
    kind: str = "text"  # text, integer, decimal, date
    width: float = 12
    total: bool = False
    key: str = ""  # the row's field, for a table given ``records``


@dataclass
class Table:
    """A sheet of a register. ``summary`` is called once every row has been read (the rows'
    iterator fills what it needs) and returns the lines written below the totals."""

    name: Promise | str
    columns: list[Column]
    rows: Iterable[list] = ()
    summary: Callable[[], list[str]] = list
    totals: Callable[[list], list] | None = None  # the totals row from the summed columns
    # Rows as dicts: each column's ``key`` picks its cell, so a column is named once.
    records: Iterable[dict] | None = None

    def __post_init__(self):
        if self.records is not None:
            keys = [column.key for column in self.columns]
            self.rows = ([record[key] for key in keys] for record in self.records)


@dataclass
class RegisterQuery:
    """What is asked for: a register, a period (both days included) and its filters."""

    letter: str
    date_from: date
    date_to: date
    room: Location | None = None
    grade: int | None = None
    school_class: SchoolClass | None = None
    reader_kind: str = ""

    def to_json(self) -> dict:
        return {
            "letter": self.letter,
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "room": self.room.pk if self.room else None,
            "grade": self.grade,
            "school_class": self.school_class.pk if self.school_class else None,
            "reader_kind": self.reader_kind,
        }

    @classmethod
    def from_json(cls, data: dict) -> RegisterQuery:
        return cls(
            letter=data["letter"],
            date_from=date.fromisoformat(data["date_from"]),
            date_to=date.fromisoformat(data["date_to"]),
            room=Location.objects.filter(pk=data["room"]).first() if data.get("room") else None,
            grade=data.get("grade"),
            school_class=(
                SchoolClass.objects.filter(pk=data["school_class"]).first()
                if data.get("school_class")
                else None
            ),
            reader_kind=data.get("reader_kind") or "",
        )


@dataclass(frozen=True)
class Register:
    letter: str
    name: Promise
    description: Promise
    build: Callable[[RegisterQuery], list[Table]]
    count: Callable[[RegisterQuery], int]
    filters: tuple[str, ...] = ()
    landscape: bool = False


# --- checks ---------------------------------------------------------------------------------


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def register_period_check(date_from: date | None, date_to: date | None) -> None:
    """Refuse a period that is missing, reversed or longer than MAX_YEARS years."""
    if date_from is None or date_to is None:
        raise RegisterRefused(_("Give the first and the last day of the period."))
    if date_to < date_from:
        raise RegisterRefused(
            _("The period ends (%(end)s) before it begins (%(start)s): swap the two dates.")
            % {"start": date_text(date_from), "end": date_text(date_to)}
        )
    if date_to >= years_after(date_from, MAX_YEARS):
        raise RegisterRefused(
            _("A register covers at most %(years)s years: choose a shorter period.") % {"years": MAX_YEARS}
        )


def register_get(letter: str) -> Register:
    register = REGISTERS.get((letter or "").strip().upper())
    if register is None:
        raise RegisterRefused(
            _("There is no register %(letter)s. The registers are %(letters)s.")
            % {"letter": letter, "letters": ", ".join(LETTERS)}
        )
    return register


# --- the tables -----------------------------------------------------------------------------

NUMBER = Column(pgettext_lazy("register", "No."), "integer", 6)


def _state_counts(rows: Iterable[dict], key: str, counts: dict) -> Iterator[dict]:
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
        yield row


def staff_loans_tables(query: RegisterQuery) -> list[Table]:
    counts: dict[str, int] = {}
    rows = _state_counts(
        selectors.staff_loan_register(query.date_from, query.date_to, reader_kind=query.reader_kind),
        "state",
        counts,
    )

    def summary() -> list[str]:
        lent = sum(counts.values())
        return [
            gettext("Lent: %(lent)s. Returned: %(returned)s. Still on loan: %(open)s. Lost: %(lost)s.")
            % {
                "lent": lent,
                "returned": counts.get(Loan.State.RETURNED, 0),
                "open": counts.get(Loan.State.OPEN, 0),
                "lost": counts.get(Loan.State.LOST, 0),
            }
        ]

    return [
        Table(
            name=_("Staff loans"),
            columns=[
                Column(pgettext_lazy("register", "Lent on"), "date", 15),
                Column(pgettext_lazy("register", "Name"), "text", 10),
                Column(pgettext_lazy("register", "Staff number"), "text", 11),
                Column(pgettext_lazy("register", "Reader type"), "text", 8),
                Column(pgettext_lazy("register", "Department"), "text", 11),
                Column(pgettext_lazy("register", "Barcode"), "text", 12),
                Column(pgettext_lazy("register", "Title"), "text", 30),
                Column(pgettext_lazy("register", "Call number"), "text", 13),
                Column(pgettext_lazy("register", "Due on"), "date", 15),
                Column(pgettext_lazy("register", "Returned on"), "date", 15),
                Column(pgettext_lazy("register", "State"), "text", 8),
                Column(pgettext_lazy("register", "Days overdue"), "integer", 8),
            ],
            rows=(
                [
                    row["lent_on"],
                    row["name"],
                    row["number"],
                    row["kind"],
                    row["department"],
                    row["barcode"],
                    row["title"],
                    row["call_number"],
                    row["due_on"],
                    row["returned_on"],
                    row["state_label"],
                    row["overdue_days"] or None,
                ]
                for row in rows
            ),
            summary=summary,
        )
    ]


def _serial_tables(kind: str, name) -> Callable[[RegisterQuery], list[Table]]:
    def build(query: RegisterQuery) -> list[Table]:
        rows = serial_register(
            kind=kind, date_from=query.date_from, date_to=query.date_to, location=query.room
        )
        return [
            Table(
                name=name,
                columns=[
                    Column(pgettext_lazy("register", "Room"), "text", 12, key="room"),
                    Column(pgettext_lazy("register", "Title"), "text", 24, key="title"),
                    Column(pgettext_lazy("register", "ISSN"), "text", 11, key="issn"),
                    Column(pgettext_lazy("register", "CN number"), "text", 12, key="cn_number"),
                    Column(pgettext_lazy("register", "Frequency"), "text", 9, key="frequency"),
                    Column(pgettext_lazy("register", "Year"), "integer", 7, key="year"),
                    Column(pgettext_lazy("register", "Copies"), "integer", 7, total=True, key="copies"),
                    Column(
                        pgettext_lazy("register", "Price for the year"),
                        "decimal",
                        11,
                        total=True,
                        key="price",
                    ),
                    Column(pgettext_lazy("register", "Supplier"), "text", 12, key="supplier"),
                    Column(
                        pgettext_lazy("register", "Issues expected"), "integer", 9, total=True, key="expected"
                    ),
                    Column(
                        pgettext_lazy("register", "Issues received"), "integer", 9, total=True, key="received"
                    ),
                    Column(
                        pgettext_lazy("register", "Issues missing"), "integer", 9, total=True, key="missing"
                    ),
                ],
                records=rows,
            )
        ]

    return build


def _serial_count(kind: str) -> Callable[[RegisterQuery], int]:
    def count(query: RegisterQuery) -> int:
        subscriptions = Subscription.objects.filter(
            serial__kind=kind, year__gte=query.date_from.year, year__lte=query.date_to.year
        )
        if query.room is not None:
            subscriptions = subscriptions.filter(location=query.room)
        return subscriptions.count()

    return count


def purchases_tables(query: RegisterQuery) -> list[Table]:
    value_columns = [
        Column(pgettext_lazy("register", "Titles"), "integer", 8, total=True),
        Column(pgettext_lazy("register", "Volumes"), "integer", 8, total=True),
        Column(pgettext_lazy("register", "Value (yuan)"), "decimal", 12, total=True),
    ]
    purchases = purchase_register(query.date_from, query.date_to)
    donations = donation_register(query.date_from, query.date_to)
    return [
        Table(
            name=_("Purchases"),
            columns=[
                Column(pgettext_lazy("register", "Received on"), "date", 15),
                Column(pgettext_lazy("register", "Supplier"), "text", 20),
                Column(pgettext_lazy("register", "Invoice number"), "text", 14),
                Column(pgettext_lazy("register", "Purchase plan"), "text", 20),
                *value_columns,
            ],
            rows=(
                [
                    row["received_on"],
                    row["supplier"],
                    row["invoice_number"],
                    row["plan_name"] or "",
                    row["titles"],
                    row["volumes"],
                    row["value"],
                ]
                for row in purchases
            ),
        ),
        Table(
            name=_("Donations"),
            columns=[
                Column(pgettext_lazy("register", "Received on"), "date", 15),
                Column(pgettext_lazy("register", "Donor"), "text", 20),
                Column(pgettext_lazy("register", "Donor's class"), "text", 14),
                *value_columns,
            ],
            rows=(
                [
                    row["received_on"],
                    row["donor"],
                    row["donor_class"],
                    row["titles"],
                    row["volumes"],
                    row["value"],
                ]
                for row in donations
            ),
        ),
    ]


def purchases_count(query: RegisterQuery) -> int:
    return Delivery.objects.filter(received_on__gte=query.date_from, received_on__lte=query.date_to).count()


def repairs_tables(query: RegisterQuery) -> list[Table]:
    counts = {"reported": 0, "shelved": 0, "written_off": 0, "open": 0}
    shelved, written_off = str(Repair.Result.SHELVED.label), str(Repair.Result.WRITTEN_OFF.label)

    def rows() -> Iterator[list]:
        for row in repair_register(query.date_from, query.date_to):
            counts["reported"] += 1
            if row["repaired_on"] is None:
                counts["open"] += 1
            elif row["result"] == shelved:
                counts["shelved"] += 1
            elif row["result"] == written_off:
                counts["written_off"] += 1
            yield [
                row["reported_on"],
                row["barcode"],
                row["accession_number"],
                row["title"],
                row["call_number"],
                row["damage"],
                row["source"],
                row["reported_by"],
                row["repaired_on"],
                row["repaired_by"],
                row["result"],
                row["notes"],
            ]

    def summary() -> list[str]:
        return [
            gettext(
                "Reported: %(reported)s. Repaired and shelved: %(shelved)s. To be written off: "
                "%(written_off)s. Still in repair: %(open)s."
            )
            % counts
        ]

    return [
        Table(
            name=_("Repairs"),
            columns=[
                Column(pgettext_lazy("register", "Reported on"), "date", 15),
                Column(pgettext_lazy("register", "Barcode"), "text", 12),
                Column(pgettext_lazy("register", "Accession number"), "text", 11),
                Column(pgettext_lazy("register", "Title"), "text", 26),
                Column(pgettext_lazy("register", "Call number"), "text", 13),
                Column(pgettext_lazy("register", "Damage"), "text", 18),
                Column(pgettext_lazy("register", "Found at"), "text", 10),
                Column(pgettext_lazy("register", "Reported by"), "text", 9),
                Column(pgettext_lazy("register", "Repaired on"), "date", 15),
                Column(pgettext_lazy("register", "Repaired by"), "text", 9),
                Column(pgettext_lazy("register", "Result"), "text", 14),
                Column(pgettext_lazy("register", "Notes"), "text", 14),
            ],
            rows=rows(),
            summary=summary,
        )
    ]


def repairs_count(query: RegisterQuery) -> int:
    start, end = day_bounds(query.date_from, query.date_to)
    return Repair.objects.filter(reported_at__gte=start, reported_at__lt=end).count()


def write_offs_tables(query: RegisterQuery) -> list[Table]:
    rows = write_off_register(query.date_from, query.date_to)
    return [
        Table(
            name=_("Write-offs"),
            columns=[
                Column(pgettext_lazy("register", "Batch"), "integer", 7, key="batch"),
                Column(pgettext_lazy("register", "Approved on"), "date", 15, key="approved_on"),
                Column(pgettext_lazy("register", "Barcode"), "text", 12, key="barcode"),
                Column(pgettext_lazy("register", "Accession number"), "text", 11, key="accession_number"),
                Column(pgettext_lazy("register", "Title"), "text", 26, key="title"),
                Column(pgettext_lazy("register", "Call number"), "text", 13, key="call_number"),
                Column(pgettext_lazy("register", "Publisher"), "text", 16, key="publisher"),
                Column(pgettext_lazy("register", "Year"), "integer", 7, key="year"),
                Column(pgettext_lazy("register", "Acquired on"), "date", 15, key="acquired_on"),
                Column(pgettext_lazy("register", "Value (yuan)"), "decimal", 10, total=True, key="value"),
                Column(pgettext_lazy("register", "Reason"), "text", 12, key="reason"),
                Column(pgettext_lazy("register", "Submitted by"), "text", 9, key="submitted_by"),
                Column(pgettext_lazy("register", "Approved by"), "text", 9, key="approved_by"),
            ],
            records=rows,
        )
    ]


def write_offs_count(query: RegisterQuery) -> int:
    start, end = day_bounds(query.date_from, query.date_to)
    return WriteOffItem.objects.filter(
        batch__status=WriteOffBatch.Status.APPROVED, batch__decided_at__gte=start, batch__decided_at__lt=end
    ).count()


def reservations_tables(query: RegisterQuery) -> list[Table]:
    rows = selectors.teacher_reservation_register(query.date_from, query.date_to)
    return [
        Table(
            name=_("Teacher reservations"),
            columns=[
                Column(pgettext_lazy("register", "Made on"), "date", 15, key="made_on"),
                Column(pgettext_lazy("register", "Teacher"), "text", 10, key="name"),
                Column(pgettext_lazy("register", "Staff number"), "text", 11, key="number"),
                Column(pgettext_lazy("register", "Kind"), "text", 9, key="kind"),
                Column(pgettext_lazy("register", "Title"), "text", 28, key="title"),
                Column(pgettext_lazy("register", "Call number"), "text", 13, key="call_number"),
                Column(pgettext_lazy("register", "Class"), "text", 13, key="school_class"),
                Column(pgettext_lazy("register", "Copies"), "integer", 7, total=True, key="copies"),
                Column(pgettext_lazy("register", "From"), "date", 15, key="starts_on"),
                Column(pgettext_lazy("register", "Until"), "date", 15, key="ends_on"),
                Column(pgettext_lazy("register", "State"), "text", 10, key="state"),
            ],
            records=rows,
            summary=lambda: [
                gettext(
                    "Class sets: the days the class uses the books. Holds and periodical issues: "
                    "the day the book or issue was ready and the last day to collect it."
                )
            ],
        )
    ]


# --- G: the student service team's work (图书馆学生服务队工作情况记录表, issue 18) ----------------


def team_tables(query: RegisterQuery) -> list[Table]:
    counts: dict[str, int] = {}
    totals = {"shelved": 0, "desk_actions": 0}

    def rows():
        for row in team_register_rows(query.date_from, query.date_to):
            counts[row["state"]] = counts.get(row["state"], 0) + 1
            totals["shelved"] += row["shelved"]
            totals["desk_actions"] += row["desk_actions"]
            yield row

    def summary() -> list[str]:
        return [
            gettext(
                "Shifts: %(shifts)s. On time: %(present)s. Late: %(late)s. Missed: %(missed)s. "
                "Books shelved: %(shelved)s. Desk actions: %(actions)s."
            )
            % {
                "shifts": sum(counts.values()),
                "present": counts.get(Shift.State.PRESENT, 0),
                "late": counts.get(Shift.State.LATE, 0),
                "missed": counts.get(Shift.State.MISSED, 0),
                "shelved": totals["shelved"],
                "actions": totals["desk_actions"],
            }
        ]

    return [
        Table(
            name=_("Service team shifts"),
            columns=[
                Column(pgettext_lazy("register", "Day"), "date", 15, key="day"),
                Column(pgettext_lazy("register", "Weekday"), "text", 8, key="weekday"),
                Column(pgettext_lazy("register", "Time"), "text", 12, key="time"),
                Column(pgettext_lazy("register", "Room"), "text", 12, key="room"),
                Column(pgettext_lazy("register", "Member"), "text", 10, key="name"),
                Column(pgettext_lazy("register", "Class"), "text", 13, key="school_class"),
                Column(pgettext_lazy("register", "Attendance"), "text", 8, key="state_label"),
                Column(pgettext_lazy("register", "Checked in"), "text", 8, key="checked_in"),
                Column(pgettext_lazy("register", "Checked out"), "text", 8, key="checked_out"),
                Column(pgettext_lazy("register", "Work done"), "text", 20, key="work"),
                Column(pgettext_lazy("register", "Books shelved"), "integer", 8, total=True, key="shelved"),
                Column(
                    pgettext_lazy("register", "Desk actions"), "integer", 8, total=True, key="desk_actions"
                ),
                Column(pgettext_lazy("register", "Notes"), "text", 24, key="notes"),
            ],
            records=rows(),
            summary=summary,
        )
    ]


def team_count(query: RegisterQuery) -> int:
    return team_register_count(query.date_from, query.date_to)


def reading_tables(query: RegisterQuery) -> list[Table]:
    data = selectors.student_reading_register(
        query.date_from,
        query.date_to,
        grade=query.grade,
        school_class_id=query.school_class.pk if query.school_class else None,
    )

    def class_totals(sums: list) -> list:
        # The loans per pupil of all the classes together, not the sum of the classes' figures.
        students, loans = sums[1], sums[3]
        sums[4] = selectors.per_student(loans or 0, students or 0)
        return sums

    return [
        Table(
            name=_("Per pupil"),
            columns=[
                Column(pgettext_lazy("register", "Class"), "text", 14, key="school_class"),
                Column(pgettext_lazy("register", "Student number"), "text", 13, key="number"),
                Column(pgettext_lazy("register", "Name"), "text", 10, key="name"),
                Column(pgettext_lazy("register", "Gender"), "text", 6, key="gender"),
                Column(pgettext_lazy("register", "Loans"), "integer", 9, total=True, key="loans"),
                Column(
                    pgettext_lazy("register", "Reading-room visits"), "integer", 10, total=True, key="visits"
                ),
                Column(
                    pgettext_lazy("register", "Reading notes handed in"),
                    "integer",
                    10,
                    total=True,
                    key="notes",
                ),
            ],
            records=data["students"],
        ),
        Table(
            name=_("Per class"),
            columns=[
                Column(pgettext_lazy("register", "Class"), "text", 14),
                Column(pgettext_lazy("register", "Pupils"), "integer", 8, total=True),
                Column(pgettext_lazy("register", "Pupils who borrowed"), "integer", 9, total=True),
                Column(pgettext_lazy("register", "Loans"), "integer", 9, total=True),
                Column(pgettext_lazy("register", "Loans per pupil"), "decimal", 9, total=True),
                Column(
                    pgettext_lazy("register", "Pupils who came to the reading room"),
                    "integer",
                    11,
                    total=True,
                ),
                Column(pgettext_lazy("register", "Reading-room visits"), "integer", 10, total=True),
                Column(pgettext_lazy("register", "Reading notes handed in"), "integer", 10, total=True),
            ],
            rows=(
                [
                    row["school_class"],
                    row["students"],
                    row["borrowers"],
                    row["loans"],
                    row["loans_per_student"],
                    row["visitors"],
                    row["visits"],
                    row["notes"],
                ]
                for row in data["classes"]
            ),
            totals=class_totals,
        ),
    ]


def reading_count(query: RegisterQuery) -> int:
    return selectors.student_reading_count(
        query.date_from,
        query.date_to,
        grade=query.grade,
        school_class_id=query.school_class.pk if query.school_class else None,
    )


REGISTERS: dict[str, Register] = {
    register.letter: register
    for register in (
        Register(
            "A",
            _("Staff loan register"),
            _("Every loan to a teacher or member of staff: who, what, when due, when back."),
            build=staff_loans_tables,
            count=lambda query: selectors.staff_loan_count(
                query.date_from, query.date_to, reader_kind=query.reader_kind
            ),
            filters=("reader_kind",),
            landscape=True,
        ),
        Register(
            "B",
            _("Newspaper register"),
            _("Each room's newspapers: copies, price, issues expected, received and missing."),
            build=_serial_tables(Serial.Kind.NEWSPAPER, _("Newspapers")),
            count=_serial_count(Serial.Kind.NEWSPAPER),
            filters=("room",),
            landscape=True,
        ),
        Register(
            "C",
            _("Periodical register"),
            _("Each room's periodicals: copies, price, issues expected, received and missing."),
            build=_serial_tables(Serial.Kind.PERIODICAL, _("Periodicals")),
            count=_serial_count(Serial.Kind.PERIODICAL),
            filters=("room",),
            landscape=True,
        ),
        Register(
            "D",
            _("Purchase register"),
            _(
                "The deliveries received, with their titles, volumes and value; the donations on a second sheet."
            ),
            build=purchases_tables,
            count=purchases_count,
        ),
        Register(
            "E",
            _("Repair register"),
            _("The damaged books reported, and how and when each was repaired."),
            build=repairs_tables,
            count=repairs_count,
            landscape=True,
        ),
        Register(
            "F",
            _("Write-off register"),
            _("The copies of the approved write-off batches, with their value and the reason."),
            build=write_offs_tables,
            count=write_offs_count,
            landscape=True,
        ),
        Register(
            "G",
            _("Student service team register"),
            _(
                "Every shift of the service team: who, when, where, attendance, the work done and the books shelved."
            ),
            build=team_tables,
            count=team_count,
            landscape=True,
        ),
        Register(
            "H",
            _("Teacher reservation register"),
            _("Teachers' class-set bookings and holds, in the order they were made."),
            build=reservations_tables,
            count=lambda query: selectors.teacher_reservation_count(query.date_from, query.date_to),
            landscape=True,
        ),
        Register(
            "I",
            _("Student reading and loan statistics"),
            _("Loans and reading-room visits of every pupil, and of every class."),
            build=reading_tables,
            count=reading_count,
            filters=("grade", "school_class"),
        ),
    )
}

# The reader types register A can be limited to.
STAFF_KIND_CHOICES = [(kind.value, kind.label) for kind in selectors.STAFF_KINDS]


# --- the file -------------------------------------------------------------------------------

FORMATS = ("xlsx", "csv")
PROGRESS_EVERY = 500
# Excel's number format for dates, per interface language.

Progress = Callable[[int], None]


def school_name() -> str:
    """The name that heads every register: the library's name if set, else the school's."""
    return library_name_for_labels()


def day_text(day: date) -> str:
    """A day as the language writes it everywhere (library_site/formats/): 2026-09-01, 1 Sep 2026."""
    return date_text(day)


def register_title(register: Register) -> str:
    school = school_name()
    return f"{school} {register.name}" if school else str(register.name)


def register_subtitle(register: Register, query: RegisterQuery) -> str:
    parts = [
        gettext("Period: %(start)s to %(end)s")
        % {"start": day_text(query.date_from), "end": day_text(query.date_to)}
    ]
    if query.room is not None:
        parts.append(gettext("Room: %(room)s") % {"room": query.room.name})
    if query.school_class is not None:
        parts.append(gettext("Class: %(class)s") % {"class": query.school_class.name})
    elif query.grade:
        from library_site.school import grade_name

        parts.append(gettext("Grade: %(grade)s") % {"grade": grade_name(query.grade)})
    if query.reader_kind:
        from circulation.models import Reader

        parts.append(gettext("Readers: %(kind)s") % {"kind": Reader.Kind(query.reader_kind).label})
    parts.append(gettext("Made on %(day)s") % {"day": day_text(timezone.localdate())})
    return "　".join(parts)


def register_filename(query: RegisterQuery, fmt: str) -> str:
    register = register_get(query.letter)
    return f"{register.letter}-{register.name}-{query.date_from:%Y%m%d}-{query.date_to:%Y%m%d}.{fmt}"


class _Counter:
    """Numbers a table's rows, sums its total columns and reports progress, as the rows pass."""

    def __init__(self, table: Table, progress: Progress | None, done_before: int):
        self.table = table
        self.sums: list = [None] * len(table.columns)
        self.totalled = [index for index, column in enumerate(table.columns) if column.total]
        self.count = 0
        self.progress = progress
        self.done_before = done_before

    def rows(self, cell: Callable | None) -> Iterator[list]:
        """The rows, numbered; ``cell`` turns each value into the file's cell (None: text is
        only made safe, as the .xlsx needs; inlined, since it runs for every cell)."""
        totalled, sums = self.totalled, self.sums
        triggers = FORMULA_TRIGGERS
        for row in self.table.rows:
            self.count += 1
            for index in totalled:
                value = row[index]
                if value is not None:
                    sums[index] = value if sums[index] is None else sums[index] + value
            if cell is None:
                yield [
                    self.count,
                    *(
                        "'" + value if type(value) is str and value.startswith(triggers) else value
                        for value in row
                    ),
                ]
            else:
                yield [self.count, *(cell(value) for value in row)]
            if self.progress is not None and self.count % PROGRESS_EVERY == 0:
                self.progress(self.done_before + self.count)

    def footer(self) -> list[list]:
        lines: list[list] = []
        if self.totalled:
            sums = [
                (self.sums[index] if self.sums[index] is not None else _zero(column.kind))
                if column.total
                else None
                for index, column in enumerate(self.table.columns)
            ]
            if self.table.totals is not None:
                sums = self.table.totals(sums)
            lines.append([gettext("Total"), *sums])
        if not self.count:
            lines.append([gettext("Nothing was recorded in this period.")])
        lines += [[spreadsheet_safe(text)] for text in self.table.summary()]
        return lines


def _zero(kind: str):
    return Decimal("0.00") if kind == "decimal" else 0


def _csv_cell_maker() -> Callable:
    """A CSV cell from a value; dates as the language writes them (each day formatted once: a
    year's register has a few hundred days and a hundred thousand dates)."""
    days: dict[date, str] = {}

    def cell(value):
        if value is None:
            return ""
        kind = type(value)
        if kind is str:
            return spreadsheet_safe(value)
        if kind is date:
            text = days.get(value)
            if text is None:
                text = days[value] = day_text(value)
            return text
        return value

    return cell


def register_write(
    query: RegisterQuery, target, *, fmt: str = "xlsx", progress: Progress | None = None
) -> int:
    """Write the register into ``target`` (a path or a binary file); returns its number of rows
    (of all its tables). ``progress`` is called with the rows written so far."""
    register = register_get(query.letter)
    tables = register.build(query)
    if fmt == "csv":
        return _write_csv(tables, target, progress)
    return _write_xlsx(register, query, tables, target, progress)


def _write_xlsx(register: Register, query: RegisterQuery, tables: list[Table], target, progress) -> int:
    title = spreadsheet_safe(register_title(register))
    subtitle = spreadsheet_safe(register_subtitle(register, query))
    footer_text = "&L" + str(register.name).replace("&", "&&") + "&C" + gettext("Page &P of &N")
    written = 0
    with XlsxStreamWriter(target) as writer:
        for table in tables:
            counter = _Counter(table, progress, written)
            columns = [NUMBER, *table.columns]
            titles = [title, subtitle]
            if len(tables) > 1:
                titles.append(str(table.name))
            writer.add_sheet(
                str(table.name),
                _with_header(columns, counter.rows(None)),
                widths=[column.width for column in columns],
                header_rows=1,
                layout=SheetLayout(
                    formats=[column.kind for column in columns],
                    title_rows=titles,
                    footer=counter.footer,
                    landscape=register.landscape,
                    footer_text=footer_text,
                ),
            )
            written += counter.count
    return written


def _with_header(columns, rows: Iterator[list]) -> Iterator[list]:
    yield [str(column.label) for column in columns]
    yield from rows


def _write_csv(tables: list[Table], target, progress) -> int:
    if isinstance(target, (str, Path)):
        handle = open(target, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    else:
        handle = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(handle)
    cell = _csv_cell_maker()
    written = 0
    try:
        for number, table in enumerate(tables):
            if number:
                writer.writerow([])
            if len(tables) > 1:
                writer.writerow([str(table.name)])
            counter = _Counter(table, progress, written)
            writer.writerow([str(column.label) for column in [NUMBER, *table.columns]])
            writer.writerows(counter.rows(cell))
            writer.writerows([cell(value) for value in line] for line in counter.footer())
            written += counter.count
    finally:
        handle.flush()
        if isinstance(target, (str, Path)):
            handle.close()
        else:
            handle.detach()
    return written
