"""The service team's forms (issue 18)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Location
from circulation.models import Reader
from library_site.widgets import DayInput

from ..models import RatingCriterion, RotaSlot, ShiftWork, TeamMember


def _members():
    return TeamMember.objects.filter(left_on__isnull=True).select_related("reader__user")


class MemberAddForm(forms.Form):
    number = forms.CharField(label=_("Student number or card"), max_length=32)
    joined_on = forms.DateField(label=_("Joined on"), widget=DayInput, required=False)

    def clean_number(self):
        from circulation.models import LibraryCard

        code = self.cleaned_data["number"].strip().upper()
        reader = Reader.objects.filter(number=code).select_related("user").first()
        if reader is None:
            card = LibraryCard.objects.filter(number=code).select_related("reader__user").first()
            reader = card.reader if card else None
        if reader is None:
            raise forms.ValidationError(_("No pupil has this number or card."))
        return reader


class TrainingForm(forms.Form):
    held_on = forms.DateField(label=pgettext_lazy("day", "Date"), widget=DayInput)
    topic = forms.CharField(label=pgettext_lazy("training", "Topic"), max_length=200)
    trainer = forms.CharField(label=pgettext_lazy("training", "Trainer"), max_length=100)
    attendees = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("service team", "Attendance"),
        queryset=TeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _members()


class MeetingForm(TrainingForm):
    topic = None
    trainer = None
    minutes = forms.CharField(
        label=pgettext_lazy("meeting", "Minutes"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class RotaSlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=pgettext_lazy("rota", "Weekday"), choices=RotaSlot.Weekday.choices, coerce=int
    )
    starts_at = forms.TimeField(
        label=pgettext_lazy("time", "From"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label=pgettext_lazy("time", "Until"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    room = forms.ModelChoiceField(
        label=pgettext_lazy("rota", "Room"),
        queryset=Location.objects.filter(is_active=True).exclude(kind=Location.Kind.CLASS_CORNER),
    )
    members = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("service team", "Members"),
        queryset=TeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _members()


class ShiftWorkForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("shift", "Work done"), choices=ShiftWork.Kind.choices)
    books = forms.IntegerField(
        label=pgettext_lazy("count", "Books"), min_value=0, max_value=10_000, initial=0, required=False
    )
    note = forms.CharField(label=pgettext_lazy("log", "Note"), max_length=300, required=False)


class CriterionForm(forms.ModelForm):
    class Meta:
        model = RatingCriterion
        fields = ["name", "max_score", "position", "is_active"]
