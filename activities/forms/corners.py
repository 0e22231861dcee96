"""The class book corners' forms: a scan list, a rotation plan, a donation, the review, the
light register (issue 18)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from circulation.models import Reader, SchoolClass
from library_site.widgets import DayInput

from ..models import CornerDonation


class ScanListForm(forms.Form):
    barcodes = forms.CharField(
        label=_("Copies scanned"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace", "autocomplete": "off"}),
        required=False,
        max_length=20_000,
        help_text=_("Scan each copy's barcode: one a line."),
    )


class RotationPlanForm(forms.Form):
    classes = forms.ModelMultipleChoiceField(
        label=_("Parallel classes"),
        queryset=SchoolClass.objects.filter(is_active=True).order_by("grade", "number"),
        widget=forms.CheckboxSelectMultiple,
    )
    every_weeks = forms.IntegerField(label=_("Rotate every (weeks)"), min_value=1, max_value=52, initial=4)
    starts_on = forms.DateField(label=_("First rotation on"), widget=DayInput)


class RotationCarryOutForm(forms.Form):
    missing = forms.CharField(
        label=_("Copies missing when the books were gathered"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
        required=False,
        max_length=20_000,
        help_text=_("They stay with the class that lost them. Leave empty if every book was found."),
    )


class DonationForm(forms.Form):
    donor = forms.ModelChoiceField(label=pgettext_lazy("donation", "Donor"), queryset=Reader.objects.none())
    title = forms.CharField(label=pgettext_lazy("book", "Title"), max_length=300)
    author = forms.CharField(label=_("Author"), max_length=100, required=False)
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    quantity = forms.IntegerField(
        label=pgettext_lazy("copies", "Quantity"), min_value=1, max_value=50, initial=1
    )

    def __init__(self, *args, school_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = (
            Reader.objects.filter(school_class=school_class, status=Reader.Status.ACTIVE).select_related(
                "user"
            )
            if school_class
            else Reader.objects.none()
        )
        self.fields["donor"].label_from_instance = lambda reader: f"{reader.name} · {reader.number}"

    def lines(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "title": data["title"],
                "author": data["author"],
                "isbn": data["isbn"],
                "publisher": data["publisher"],
                "clc_code": "",
                "quantity": data["quantity"],
            }
        ]


class DonationReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("review", "Decision"),
        choices=[
            (CornerDonation.State.IN_CORNER, _("Passed: place in the class corner")),
            (CornerDonation.State.IN_LIBRARY, _("Passed: place in the library")),
            (CornerDonation.State.REFUSED, _("Refused")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Review note"), max_length=300, required=False)


class LendingForm(forms.Form):
    barcode = forms.CharField(label=pgettext_lazy("book", "Copy"), max_length=100)
    reader = forms.ModelChoiceField(label=pgettext_lazy("person", "Pupil"), queryset=Reader.objects.none())

    def __init__(self, *args, school_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reader"].queryset = (
            Reader.objects.filter(school_class=school_class, status=Reader.Status.ACTIVE).select_related(
                "user"
            )
            if school_class
            else Reader.objects.none()
        )
        self.fields["reader"].label_from_instance = lambda reader: f"{reader.name} · {reader.number}"
