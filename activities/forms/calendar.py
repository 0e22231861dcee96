"""The activity calendar's forms: an activity, and the year's plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from circulation.models import SchoolClass
from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..models import Activity, ActivityPlan


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "theme",
            "description",
            "starts_on",
            "ends_on",
            "grades",
            "classes",
            "organisers",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "classes": forms.SelectMultiple(attrs={"size": 6}),
            "organisers": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = SchoolClass.objects.filter(is_active=True).order_by(
            "grade", "number"
        )
        self.fields["organisers"].queryset = (
            User.objects.filter(is_active=True)
            .filter(
                groups__permissions__codename__in=[
                    Capability.MANAGE_ACTIVITIES.value,
                    Capability.GRADE_ACTIVITIES.value,
                ]
            )
            .distinct()
            .order_by("username")
        )
        self.fields["organisers"].required = False
        self.fields["classes"].required = False

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day comes on or after the first day."))
        return data


class ActivityPlanForm(forms.ModelForm):
    class Meta:
        model = ActivityPlan
        fields = ["reader_activities", "themed_months"]


class ResultsForm(forms.Form):
    results = forms.CharField(
        label=_("Results"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20_000
    )
