"""The collection care forms: a repair opened and closed, a write-off batch, a weeding proposal's
criteria, a stocktake started."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Location, Repair, WriteOffBatch
from catalog.selectors.care import WeedingCriteria
from catalog.services.records import clc_normalise
from library_site.widgets import DayInput


class RepairOpenForm(forms.Form):
    barcode = forms.CharField(label=gettext_lazy("Barcode"), max_length=32)
    damage = forms.CharField(label=gettext_lazy("Damage"), max_length=300)
    source = forms.ChoiceField(
        label=gettext_lazy("Found at"), choices=Repair.Source.choices, initial=Repair.Source.SHELF_CHECK
    )


class RepairCloseForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=Repair.Result.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label=gettext_lazy("Repaired on"), widget=DayInput(), required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=500, required=False)


class BatchForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=WriteOffBatch.Reason.choices)
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=500, required=False)


class WeedingForm(forms.Form):
    criterion = forms.ChoiceField(
        label=gettext_lazy("Propose"),
        choices=WeedingCriteria.Criterion.choices,
        initial=WeedingCriteria.Criterion.NOT_LENT,
    )
    years = forms.IntegerField(label=gettext_lazy("N (years)"), min_value=1, max_value=50, initial=5)
    keep = forms.IntegerField(
        label=gettext_lazy("Copies to keep of each title"),
        min_value=1,
        max_value=100,
        initial=3,
        required=False,
    )
    classes = forms.CharField(
        label=gettext_lazy("CLC classes"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Class numbers separated by spaces, for example TP G8."),
    )
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location"),
        queryset=Location.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("All locations"),
    )
    page = forms.IntegerField(min_value=1, required=False)

    def clean(self):
        data = super().clean()
        codes = [clc_normalise(code) for code in (data.get("classes") or "").split()]
        data["class_list"] = [code for code in codes if code]
        if data.get("criterion") == WeedingCriteria.OLD_IN_CLASSES and not data["class_list"]:
            self.add_error("classes", _("Give at least one class number."))
        return data


class StocktakeForm(forms.Form):
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location"), queryset=Location.objects.filter(is_active=True), empty_label=None
    )
    shelf_from = forms.CharField(label=gettext_lazy("From shelf"), max_length=50, required=False)
    shelf_to = forms.CharField(label=gettext_lazy("To shelf"), max_length=50, required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=500, required=False)
