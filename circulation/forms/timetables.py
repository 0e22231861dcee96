"""Forms of the reading rooms' class timetables: making a term's draft for a room."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from ..models import RoomTimetable, Term
from ..selectors.rooms import active_rooms


class TimetableForm(forms.Form):
    room = forms.ModelChoiceField(label=pgettext_lazy("library room", "Room"), queryset=active_rooms())
    term = forms.ModelChoiceField(label=pgettext_lazy("school term", "Term"), queryset=Term.objects.none())
    every = forms.TypedChoiceField(
        label=gettext_lazy("Each class comes"), coerce=int, choices=RoomTimetable.Every.choices
    )
    period_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes a period"), min_value=20, max_value=120, initial=40
    )
    break_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes between periods"), min_value=0, max_value=60, initial=10
    )
    seats = forms.IntegerField(
        label=gettext_lazy("Seats in the room"), min_value=1, max_value=500, initial=50
    )
    grades = forms.CharField(
        label=pgettext_lazy("school grades", "Grades"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("For example 3,4,5,6 or 3-6; empty: every grade."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = active_rooms()
        self.fields["term"].queryset = Term.objects.filter(ends_on__gte=timezone.localdate()).order_by(
            "starts_on"
        )
