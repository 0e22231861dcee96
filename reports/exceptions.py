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
