"""Moving a school from its old library system in an afternoon, in three steps, each checked
first (``dry_run``) and saved all or nothing, each safe to run again with the same file:

1. the records with their copies: ``catalog.old_system.records_migrate`` (a holdings profile);
2. the readers: the roster import (``circulation.services.school.roster_import``), which finds
   the readers it already has by their student or staff number;
3. the open loans (``loans_migrate``): a spreadsheet of reader number (student or staff number,
   or card number), barcode, lent on and due on. Each becomes an open loan of that copy to that
   reader with the old system's dates, so that overdue notices work from the first day. A
   copy already lent to the same reader is matched; to anyone else, refused.

Each step returns a ``catalog.old_system.StepReport``: created, matched, and the refused rows
with their numbers (a record's number in the MARC file, a spreadsheet's row number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from catalog.models import Copy
from catalog.old_system import MigrationRefused, StepReport, records_migrate
from catalog.services.copies import copies_set_status_bulk
from library_site.accounts.models import User
from library_site.documents.exceptions import FileRefused
from library_site.documents.sheets import HEADER_SEARCH_ROWS, cell_text, cells_blank, max_rows, sheets_open

from ..exceptions import RosterRefused
from ..models import LibraryCard, Loan, Reader
from ..policies import policy_for
from .school import roster_import

QUERY_BLOCK = 500

# The loans file's headers as old systems and librarians write them.
LOAN_HEADERS = {
    "reader": (
        "读者证号",
        "借书证号",
        "证号",
        "读者号",
        "读者编号",
        "学号",
        "工号",
        "reader",
        "reader number",
        "card",
    ),
    "barcode": ("条码", "条形码", "图书条码", "条码号", "册条码", "barcode"),
    "lent_on": ("借出日期", "借书日期", "借阅日期", "借出时间", "lent on", "loan date"),
    "due_on": ("应还日期", "到期日期", "应还时间", "还书期限", "due on", "due date"),
}
HEADER_KEYS = {"".join(word.lower().split()): key for key, words in LOAN_HEADERS.items() for word in words}


# --- the readers step -----------------------------------------------------------------------------


def readers_migrate(
    *, path: Path, extension: str, name: str = "", dry_run: bool, user: User | None = None
) -> StepReport:
    """The roster import as a migration step: new readers created, known ones matched."""
    report = StepReport(step="readers")
    try:
        plan = roster_import(path=path, extension=extension, name=name, dry_run=dry_run, user=user)
    except RosterRefused as error:
        report.problems = [str(error.message)]
        return report
    counts = plan.counts
    report.created = {"readers": counts["new"], "classes": counts["new_classes"]}
    report.matched = {"readers": counts["moved"] + counts["changed"] + counts["unchanged"]}
    report.refused = [(number, "", str(message)) for number, message in plan.errors]
    report.saved = bool(plan.saved)
    return report


# --- the loans step -------------------------------------------------------------------------------


@dataclass
class LoanRow:
    row_number: int
    reader: str
    barcode: str
    lent_on: date | None
    due_on: date | None


def loans_read(path: Path, *, extension: str) -> tuple[list[LoanRow], list[tuple[int, str, str]]]:
    """The loans of a spreadsheet (.xlsx or .csv) and the rows refused while reading.
    Raises FileRefused when there is no readable table with the four columns."""
    with sheets_open(Path(path), extension) as sheets:
        for _sheet_name, rows in sheets:
            found = _loans_sheet(rows())
            if found is not None:
                return found
    raise FileRefused(
        _(
            "No header row with the reader number, barcode, lent on and due on (读者证号, 条码, 借出日期, 应还日期) was found."
        )
    )


def _loans_sheet(rows):
    columns: dict[str, int] = {}
    header = None
    for number, cells in islice(rows, HEADER_SEARCH_ROWS):
        found = {}
        for index, value in enumerate(cells or ()):
            key = HEADER_KEYS.get("".join(cell_text(value)[0].lower().split()))
            if key and key not in found:
                found[key] = index
        if len(found) == len(LOAN_HEADERS):
            header, columns = number, found
            break
    if header is None:
        return None
    loans, refused = [], []
    for number, cells in rows:
        if number <= header or cells_blank(cells or ()):
            continue
        if len(loans) + len(refused) >= max_rows():
            raise FileRefused(
                _("The file has more than %(limit)s rows: split it into several files.")
                % {"limit": max_rows()}
            )
        cells = list(cells)
        values = {key: cells[index] if index < len(cells) else None for key, index in columns.items()}
        text = {key: cell_text(value)[0] for key, value in values.items()}
        problems = []
        dates = {}
        for key in ("lent_on", "due_on"):
            dates[key] = _date(values[key])
            if dates[key] is None:
                problems.append(
                    _("“%(value)s” in %(column)s is not a date such as 2024-09-01.")
                    % {"value": text[key], "column": _column_label(key)}
                )
        for key in ("reader", "barcode"):
            if not text[key]:
                problems.append(_("%(column)s is empty.") % {"column": _column_label(key)})
        if problems:
            refused.append((number, text["barcode"], " ".join(problems)))
            continue
        loans.append(
            LoanRow(
                row_number=number,
                reader=text["reader"],
                barcode=text["barcode"],
                lent_on=dates["lent_on"],
                due_on=dates["due_on"],
            )
        )
    return loans, refused


def _column_label(key: str) -> str:
    return {
        "reader": pgettext("loans file column", "the reader number"),
        "barcode": pgettext("loans file column", "the barcode"),
        "lent_on": pgettext("loans file column", "lent on"),
        "due_on": pgettext("loans file column", "due on"),
    }[key]


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)[0].replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    text = text.removesuffix("日").split(" ")[0]
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def loans_migrate(
    *,
    path: Path,
    extension: str,
    dry_run: bool,
    user: User | None = None,
    today: date | None = None,
    progress=None,
) -> StepReport:
    """Check or save the open loans of the old system: all or nothing."""
    report = StepReport(step="loans")
    try:
        rows, refused = loans_read(path, extension=extension)
    except FileRefused as error:
        report.problems = [str(error)]
        return report
    report.refused = list(refused)
    if not rows and not refused:
        report.problems = [_("The file has no loans to import.")]
        return report
    if dry_run:
        _loans_check(rows, report, today or timezone.localdate())
        return report
    try:
        with transaction.atomic():
            planned = _loans_check(rows, report, today or timezone.localdate(), lock=True)
            if report.ok:
                _loans_save(planned, user, progress)
                report.saved = True
    except IntegrityError:
        # A copy lent at the desk between the check and the save: all of it rolled back.
        report.saved = False
        report.problems = [
            _(
                "A copy was lent at the desk while the loans were being saved; nothing was saved. Run the step again."
            )
        ]
    return report


def _loans_check(rows: list[LoanRow], report: StepReport, today: date, *, lock: bool = False):
    barcodes = list(dict.fromkeys(row.barcode for row in rows))
    numbers = list(dict.fromkeys(row.reader.upper() for row in rows))
    readers: dict[str, Reader] = {}
    for start in range(0, len(numbers), QUERY_BLOCK):
        block = numbers[start : start + QUERY_BLOCK]
        for reader in Reader.objects.select_related("school_class").filter(number__in=block):
            readers[reader.number.upper()] = reader
        for card in LibraryCard.objects.select_related("reader__school_class").filter(number__in=block):
            readers.setdefault(card.number.upper(), card.reader)
    copies: dict[str, Copy] = {}
    for start in range(0, len(barcodes), QUERY_BLOCK):
        query = Copy.objects.select_related("record").filter(
            barcode__in=barcodes[start : start + QUERY_BLOCK]
        )
        if lock:
            query = query.select_for_update(of=("self",)).order_by("pk")
        for copy in query:
            copies[copy.barcode] = copy
    open_loans = {}
    copy_ids = [copy.pk for copy in copies.values()]
    for start in range(0, len(copy_ids), QUERY_BLOCK):
        for loan in Loan.objects.filter(
            copy_id__in=copy_ids[start : start + QUERY_BLOCK], state=Loan.State.OPEN
        ):
            open_loans[loan.copy_id] = loan
    seen: dict[str, int] = {}
    planned = []
    matched = 0
    for row in rows:
        problems = []
        reader = readers.get(row.reader.upper())
        copy = copies.get(row.barcode)
        if reader is None:
            problems.append(_("No reader has the number or card %(number)s.") % {"number": row.reader})
        elif reader.status != Reader.Status.ACTIVE:
            problems.append(
                _("Reader %(number)s is “%(status)s”, not at school.")
                % {"number": row.reader, "status": reader.get_status_display()}
            )
        if copy is None:
            problems.append(_("No copy has the barcode %(barcode)s.") % {"barcode": row.barcode})
        if row.barcode in seen:
            problems.append(_("The barcode is also lent in row %(row)s.") % {"row": seen[row.barcode]})
        if row.lent_on > today:
            problems.append(_("The loan date is in the future."))
        if row.due_on < row.lent_on:
            problems.append(_("The due date is before the loan date."))
        seen.setdefault(row.barcode, row.row_number)
        if not problems and copy is not None:
            loan = open_loans.get(copy.pk)
            if loan is not None and loan.reader_id == reader.pk:
                matched += 1
                continue
            if loan is not None:
                problems.append(_("This copy is already on loan to another reader."))
            elif copy.status != Copy.Status.AVAILABLE:
                problems.append(
                    _("This copy is “%(status)s” and cannot be on loan.")
                    % {"status": copy.get_status_display()}
                )
        if problems:
            report.refused.append((row.row_number, row.barcode, " ".join(problems)))
            continue
        planned.append((row, reader, copy))
    report.refused.sort()
    report.created = {"loans": len(planned)}
    report.matched = {"loans": matched}
    overdue = sum(1 for row, _reader, _copy in planned if row.due_on < today)
    if overdue:
        report.notes.append(
            _("%(count)s of these loans are overdue: the overdue notices will remind their readers.")
            % {"count": overdue}
        )
    return planned


def _loans_save(planned, user, progress) -> None:
    if not planned:
        return
    copies_set_status_bulk(
        copies=[copy for _row, _reader, copy in planned],
        to_status=Copy.Status.ON_LOAN,
        user=user,
        reason=_("On loan in the old library system"),
    )
    zone = timezone.get_current_timezone()
    loans = []
    for row, reader, copy in planned:
        loan = Loan(
            copy=copy,
            reader=reader,
            policy=policy_for(reader, copy.record.material_type),
            lent_by=user,
            desk=pgettext("desk of a loan", "old system")[:50],
            lent_at=datetime.combine(row.lent_on, time(12, 0), tzinfo=zone),
            due_on=row.due_on,
        )
        loan.snapshot_reader(reader)
        loans.append(loan)
    for start in range(0, len(loans), QUERY_BLOCK):
        Loan.objects.bulk_create(loans[start : start + QUERY_BLOCK])
        if progress is not None:
            progress(min(start + QUERY_BLOCK, len(loans)), len(loans))


# --- one step, as the page's worker and the command run it ------------------------------------------

STEPS = ("records", "readers", "loans")


def step_run(
    *,
    step: str,
    path: Path,
    extension: str,
    dry_run: bool,
    user: User | None = None,
    profile=None,
    location=None,
    name: str = "",
    progress=None,
) -> StepReport:
    """Check or save one step from its file. ``profile`` and ``location`` for the records."""
    if step == "records":
        try:
            return records_migrate(
                data=Path(path).read_bytes(),
                profile=profile,
                location=location,
                dry_run=dry_run,
                user=user,
                progress=progress,
            )
        except MigrationRefused as error:
            return StepReport(step="records", problems=[str(error.message)])
    if step == "readers":
        return readers_migrate(path=path, extension=extension, name=name, dry_run=dry_run, user=user)
    if step == "loans":
        return loans_migrate(path=path, extension=extension, dry_run=dry_run, user=user, progress=progress)
    raise ValueError(f"step must be one of {STEPS}")
