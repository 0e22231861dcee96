"""Forms of the reading rooms' pages: a class session booked in the timetable, and opening hours."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from library_site.widgets import DayInput

from ..models import OpeningHours
from .school import ClassChoiceField, active_classes


class ClassSessionForm(forms.Form):
    school_class = ClassChoiceField(label=pgettext_lazy("school class", "Class"), queryset=active_classes())
    date = forms.DateField(label=gettext_lazy("Date"), widget=DayInput())
    period = forms.IntegerField(label=gettext_lazy("Period"), min_value=1, max_value=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = active_classes()


class OpeningHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day"), coerce=int, choices=OpeningHours.Weekday.choices
    )
    opens_at = forms.TimeField(
        label=pgettext_lazy("room", "Opens at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=pgettext_lazy("room", "Closes at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("opens_at")
            and cleaned.get("closes_at")
            and cleaned["closes_at"] <= cleaned["opens_at"]
        ):
            self.add_error("closes_at", _("The room must close after it opens."))
        return cleaned
