from django.utils.translation import gettext_lazy as _


class CirculationError(Exception):
    """A refusal a librarian can read: the message says what is wrong and what to do."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class DuplicateIdentifier(CirculationError):
    default_message = _("This number is already used by another reader, card or account.")
