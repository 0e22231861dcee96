"""The form of the public page's settings."""

from __future__ import annotations

from django import forms

from ..models import TransparencySettings

SETTINGS_FIELDS = (
    "enabled",
    "show_month_loans",
    "show_month_visits",
    "show_top_class",
    "show_top_titles",
    "show_term_loans",
    "show_top_readers",
    "show_reader_names",
    "headline",
    "refresh_minutes",
)


class TransparencySettingsForm(forms.ModelForm):
    class Meta:
        model = TransparencySettings
        fields = SETTINGS_FIELDS
