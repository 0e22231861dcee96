"""What the administrator's settings page shows: the cataloguing settings and every label sheet."""

from __future__ import annotations

from catalog.models import CatalogSettings, LabelSheet


def settings_page() -> dict:
    return {
        "catalog_settings": CatalogSettings.current(),
        "sheets": list(LabelSheet.objects.order_by("kind", "name")),
    }
