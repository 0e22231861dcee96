"""The reports app's one base error and its children: each refusal says what is wrong and what
to do, in the reader's language."""

from django.utils.translation import gettext_lazy as _


class ReportsError(Exception):
    """A refusal a librarian can read: the message says what is wrong and what to do."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class BadPeriod(ReportsError):
    default_message = _("Choose a month, a term or a year.")


class FutureMonth(ReportsError):
    default_message = _("This month has not begun yet: there is nothing to count.")


class NoteConflict(ReportsError):
    default_message = _(
        "Someone else saved this note while you were writing: your text was not saved. "
        "Read theirs, then change it again."
    )


class RegisterRefused(ReportsError):
    """A register asked for with a period or filters it cannot have; the message says why."""

    default_message = _("The request could not be carried out.")


class RegisterJobRefused(ReportsError):
    """A register file's job asked to move to a state its table does not allow."""

    default_message = _("The request could not be carried out.")


# --- The library's management (issue 20) ---


class PlanRefused(ReportsError):
    """A work plan asked to do what its state or the person's rights do not allow."""

    default_message = _("The plan could not be changed.")


class TargetRefused(ReportsError):
    """A target without a measure, an unknown measure or a figure out of range."""

    default_message = _("The target could not be saved.")


class ComplianceRefused(ReportsError):
    """A proportion table whose shares do not add up, a standard out of range."""

    default_message = _("The compliance settings could not be saved.")


class ManagementRefused(ReportsError):
    """A register entry (equipment, safety, staff) with bad dates, a bad file or no right."""

    default_message = _("The entry could not be saved.")
