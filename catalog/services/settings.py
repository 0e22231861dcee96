"""The administrator's writes to the library's cataloguing settings and label sheets."""

from __future__ import annotations

from django.db import transaction

from catalog.models import CatalogSettings, LabelSheet
from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..exceptions import CatalogError


def _require(user: User) -> None:
    if not user.has_perm(Capability.MANAGE_POLICIES.permission):
        raise CatalogError(Capability.MANAGE_POLICIES.label)


@transaction.atomic
def catalog_settings_update(*, fields: dict, user: User) -> CatalogSettings:
    """Save the library's name, barcode prefix and digits, call numbers and the OPAC's openness
    (the one row, locked while it changes)."""
    _require(user)
    current = CatalogSettings.current()
    settings = CatalogSettings.objects.select_for_update().get(pk=current.pk)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(fields))
    return settings


@transaction.atomic
def label_sheet_save(*, sheet: LabelSheet | None, fields: dict, user: User) -> LabelSheet:
    """Create a label sheet (``sheet`` None) or change one; sheets are never deleted, since
    printing chooses among them."""
    _require(user)
    if sheet is None:
        return LabelSheet.objects.create(**fields)
    sheet = LabelSheet.objects.select_for_update().get(pk=sheet.pk)
    for name, value in fields.items():
        setattr(sheet, name, value)
    sheet.save(update_fields=list(fields))
    return sheet
