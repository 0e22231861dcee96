from django.utils.translation import gettext_lazy as _


class CatalogError(Exception):
    """A refusal a librarian can read: the message says what is wrong and what to do."""

    default_message = _("The catalogue could not carry this out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidISBN(CatalogError):
    default_message = _("This is not a valid ISBN: check the digits (ISBN-10 or ISBN-13).")


class UnknownClass(CatalogError):
    default_message = _("This class number is not in the Chinese Library Classification.")


class DuplicateBarcode(CatalogError):
    default_message = _("This barcode is already used by another copy or card.")


class StatusChangeRefused(CatalogError):
    default_message = _("This copy cannot change to that status.")


class ImportFailed(CatalogError):
    """Saving a spreadsheet import stopped on a row; nothing was kept."""


class CellError(CatalogError):
    """A cell of the catalogue spreadsheet cannot be read: the message says how to write it."""


class SerialError(CatalogError):
    """A refusal about newspapers and periodicals: subscriptions, check-in, binding."""

    default_message = _("This cannot be done to the newspaper or periodical.")


# --- collection care: repairs, write-offs, stocktaking ---


class RepairRefused(CatalogError):
    default_message = _("This repair cannot be recorded.")


class WriteOffRefused(CatalogError):
    default_message = _("This write-off cannot be carried out.")


class StocktakeRefused(CatalogError):
    default_message = _("This stocktake cannot be changed.")


class TextbookError(CatalogError):
    """A refusal about textbook orders, deliveries and handovers."""

    default_message = _("This cannot be done to the textbooks.")


# --- acquisitions ---


class AcquisitionRefused(CatalogError):
    """A purchase plan or a delivery refused: the message says why and what to do."""

    default_message = _("This purchase plan or delivery cannot be changed this way.")

    def __init__(self, message=None, *, row: int | None = None):
        super().__init__(message)
        self.row = row
