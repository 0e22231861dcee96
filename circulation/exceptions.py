from django.utils.translation import gettext_lazy as _


class CirculationError(Exception):
    """A refusal a librarian can read: the message says what is wrong and what to do."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class DuplicateIdentifier(CirculationError):
    default_message = _("This number is already used by another reader, card or account.")


class RosterRefused(CirculationError):
    default_message = _("The roster cannot be imported.")


class PromotionRefused(CirculationError):
    default_message = _("The classes cannot be moved up a grade.")


class ReasonRequired(CirculationError):
    default_message = _("Say why the card is replaced (lost, damaged, …).")


class CardNotValid(CirculationError):
    default_message = _("This card is not valid.")


class RoomNotAvailable(CirculationError):
    default_message = _("This reading room is not available.")
