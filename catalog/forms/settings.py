"""The administrator's forms for the library's cataloguing settings and its label sheets."""

from __future__ import annotations

from django import forms

from catalog.models import CatalogSettings, LabelSheet


class CatalogSettingsForm(forms.ModelForm):
    class Meta:
        model = CatalogSettings
        fields = [
            "library_name",
            "barcode_prefix",
            "barcode_digits",
            "accession_digits",
            "call_number_mode",
            "opac_public",
        ]


class LabelSheetForm(forms.ModelForm):
    class Meta:
        model = LabelSheet
        fields = [
            "name",
            "kind",
            "rows",
            "columns",
            "margin_top_mm",
            "margin_left_mm",
            "label_width_mm",
            "label_height_mm",
            "gap_horizontal_mm",
            "gap_vertical_mm",
        ]
