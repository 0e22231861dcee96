"""Circulation's one base error and its children: every refusal the app makes, each with a
message a librarian understands. No exception class is defined anywhere else in the app."""

from django.utils.translation import gettext_lazy as _


class CirculationError(Exception):
    """A refusal a librarian can read: the message says what is wrong and what to do."""

    default_message = _("The request could not be carried out.")
    # A block a librarian with the right may lend despite, giving a reason (loan_checkout's
    # ``override_reason``): the quota, a suspension, overdue books, another app's check.
    overridable = False

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class DuplicateIdentifier(CirculationError):
    default_message = _("This number is already used by another reader, card or account.")


# --- the desk's refusals: one line each, said the way a librarian would ---------------------------


class UnknownBarcode(CirculationError):
    default_message = _("No copy and no library card has this barcode.")


class NoReaderChosen(CirculationError):
    default_message = _("Scan the reader's card first, then the books.")


class CardBlocked(CirculationError):
    default_message = _("This card is blocked: ask the reader for their current card.")


class ReaderNotActive(CirculationError):
    default_message = _("This reader has graduated or left the school and may not borrow.")


class NotAvailable(CirculationError):
    default_message = _("This copy is not available for loan.")


class OnLoanToOther(NotAvailable):
    """Scanned to lend while on loan to somebody else: the desk offers to take it back first."""

    default_message = _("On loan to another reader: return it first.")


class ReferenceOnly(CirculationError):
    default_message = _("Reference only: this book is read in the library and never lent.")


class NoPolicy(CirculationError):
    default_message = _("No loan policy covers this reader and this kind of material: ask the administrator.")


class LimitReached(CirculationError):
    default_message = _("Limit reached: this reader may not borrow more books of this kind.")
    overridable = True


class ReservedForOther(CirculationError):
    default_message = _("Reserved for another reader: put it on the hold shelf.")


class OverdueBlock(CirculationError):
    default_message = _("Overdue books block borrowing: return them first.")
    overridable = True


class Suspended(CirculationError):
    default_message = _("Borrowing is suspended for late returns.")
    overridable = True


class LendingClosed(CirculationError):
    default_message = _("Lending is closed until the next term.")


class LendingFrozen(CirculationError):
    default_message = _("Lending is frozen for the graduating classes before their exams.")


class NotOnLoan(CirculationError):
    default_message = _("This copy is not on loan.")


class RenewalRefused(CirculationError):
    default_message = _("This loan cannot be renewed.")


class UndoRefused(CirculationError):
    default_message = _("Only the person who did it can undo it, within a minute.")


class NoPrice(CirculationError):
    default_message = _("No price is recorded for this book: enter the price to charge.")


class HoldRefused(CirculationError):
    default_message = _("A hold cannot be placed on this title.")


class BookingRefused(CirculationError):
    default_message = _("This class set cannot be booked.")


class RosterRefused(CirculationError):
    default_message = _("The roster cannot be imported.")


class CellRefused(CirculationError, ValueError):
    """A cell of a roster that cannot be read; the message says why in the reader's language.
    (Still a ValueError, as it was when circulation/roster.py defined it.)"""

    default_message = _("The roster cannot be imported.")


class PromotionRefused(CirculationError):
    default_message = _("The classes cannot be moved up a grade.")


class ReasonRequired(CirculationError):
    default_message = _("Say why the card is replaced (lost, damaged, …).")


class CardAlreadyReissued(CirculationError):
    default_message = _("The card was reissued a moment ago: look at the reader's current card.")


class CardNotValid(CirculationError):
    default_message = _("This card is not valid.")


class RoomNotAvailable(CirculationError):
    default_message = _("This reading room is not available.")


class ClearanceRefused(CirculationError):
    default_message = _("This reader still has books out or debts unpaid: no clearance certificate.")


class StateRefused(CirculationError):
    """A change of state that the model's transitions table (circulation/states.py) does not
    allow; a service may name a more precise refusal for its callers (UndoRefused …)."""

    default_message = _("The request could not be carried out.")


class BorrowingBlocked(CirculationError):
    """A check another app registered (circulation/registries.py) says this reader may not
    borrow now; the message is that check's one-line reason."""

    default_message = _("The request could not be carried out.")
    overridable = True


class OverrideRefused(CirculationError):
    default_message = _("Only a librarian with the right may lend despite a block, and only with a reason.")


class SuspensionChangeRefused(CirculationError):
    default_message = _("This suspension cannot be changed.")


# --- reservations of periodical issues and the reading-room timetable (issue 14) -----------
class IssueReservationRefused(CirculationError):
    default_message = _("This issue cannot be reserved.")


class TimetableRefused(CirculationError):
    default_message = _("The timetable cannot be changed like this.")


# --- money (issue 14 point 10) -------------------------------------------------------------------


class ChargeRefused(CirculationError):
    default_message = _("This charge cannot be recorded.")


class PaymentRefused(CirculationError):
    default_message = _("No payment was taken: nothing chosen is still owed.")


class WaiveRefused(CirculationError):
    default_message = _("Only a librarian or the administrator may waive or cancel a charge.")


class MoneyOwed(CirculationError):
    default_message = _("Money is owed to the library: pay it at the desk first.")
    overridable = True
