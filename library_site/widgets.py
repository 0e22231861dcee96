"""Form widgets every app's forms share."""

from django import forms


class DayInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (2026-09-01) whatever the language: a
    localised date (2026年9月1日) would leave the picker empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
