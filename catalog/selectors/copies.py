"""Reads of the copies: a copy by its barcode."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.models import Copy


def copy_get_by_barcode(barcode: str) -> Copy:
    """The copy with this barcode, or a refusal that says the barcode is unknown."""
    barcode = (barcode or "").strip()
    if not barcode:
        raise CatalogError(_("Scan or type a barcode."))
    copy = Copy.objects.select_related("record", "location").filter(barcode=barcode).first()
    if copy is None:
        raise CatalogError(_("No copy has the barcode %(barcode)s.") % {"barcode": barcode})
    return copy
