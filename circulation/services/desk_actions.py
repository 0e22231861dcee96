"""The desk's record (DeskAction): every lend, return, renewal, loss and undo, and every
refusal, with who, when and where; and the one-line answer a desk service gives (DeskResult)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from library_site.accounts.models import User
from library_site.dates import date_text
from library_site.system.templatetags.punctuation import bracketed

from ..models import DeskAction, Hold, Loan, Reader


def short_date(value: date) -> str:
    return date_text(value)


def reader_label(reader: Reader) -> str:
    """张三（三年级(2)班）, as the desk names a reader aloud."""
    where = reader.school_class.name if reader.school_class_id else reader.department
    return bracketed(reader.name, where) if where else reader.name


@dataclass
class DeskResult:
    """What a desk action did, for the desk to say in one line."""

    action: DeskAction
    message: str
    loan: Loan | None = None
    hold: Hold | None = None
    changed: bool = True
    warnings: list[str] = field(default_factory=list)
    # A lend counts the reader's books on loan anyway: how many they have now, and the latest
    # due date among the others (the desk adds the new loan to its list without reading it all).
    open_loans: int | None = None
    latest_due_before: date | None = None


def desk_action_record(*, user: User | None, desk: str, action: str, message: str, **links) -> DeskAction:
    return DeskAction.objects.create(
        user=user, desk=desk[:50], action=action, message=str(message)[:300], **links
    )


def desk_action_refused(
    *, user: User | None, desk: str, action: str, scanned: str, message: str, reader=None, copy=None
):
    """A refusal is recorded too, outside the refused transaction, so the audit shows it."""
    return DeskAction.objects.create(
        user=user,
        desk=desk[:50],
        action=action,
        outcome=DeskAction.Outcome.REFUSED,
        scanned=scanned[:100],
        message=str(message)[:300],
        reader=reader,
        copy=copy,
    )
