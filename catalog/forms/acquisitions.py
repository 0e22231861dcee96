"""The acquisitions' forms: a purchase plan with its lines (a formset), a leader's decision, a
spreadsheet of lines, a delivery received, a donation, and the registers' dates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.forms.records import clc_field_clean, isbn_field_clean
from catalog.models import Location, PurchasePlan
from library_site.widgets import DayInput


class PurchasePlanForm(forms.ModelForm):
    class Meta:
        model = PurchasePlan
        fields = ["name", "year", "term", "budget", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class TitleLineForm(forms.Form):
    """A title in a purchase plan or a donation: typed in a row of a formset."""

    title = forms.CharField(label=_("Title"), max_length=300)
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=10, decimal_places=2, min_value=0)
    clc_code = forms.CharField(label=_("CLC class number"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered as the cells of a table row: small inputs, the label in the table's header.
        for name, field in self.fields.items():
            if name != "DELETE":
                field.widget.attrs.setdefault("class", "form-control form-control-sm")
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean_isbn(self):
        return isbn_field_clean(self.cleaned_data.get("isbn", ""))

    def clean_clc_code(self):
        return clc_field_clean(self.cleaned_data.get("clc_code", ""))


class PurchasePlanLineForm(TitleLineForm):
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject or major"), max_length=100, required=False)


class DonationLineForm(TitleLineForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].required = False
        self.fields["unit_price"].label = _("Value per copy")


PurchasePlanLineFormSet = forms.formset_factory(
    PurchasePlanLineForm, extra=3, can_delete=True, max_num=2000, validate_max=True
)


DonationLineFormSet = forms.formset_factory(DonationLineForm, extra=3, can_delete=True, max_num=500)


def formset_lines(formset) -> list[dict]:
    """The filled rows of a valid formset, with their row numbers; empty and deleted rows left out."""
    lines = []
    for number, form in enumerate(formset.forms, start=1):
        if not form.has_changed() or (formset.can_delete and form.cleaned_data.get("DELETE")):
            continue
        lines.append(
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"} | {"row": number}
        )
    return lines


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the plan is rejected: what should change."),
    )


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class DeliveryForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DayInput())
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()


class DonationForm(forms.Form):
    donor = forms.CharField(label=_("Donor"), max_length=100)
    donor_class = forms.CharField(
        label=_("Donor's class"), max_length=50, required=False, help_text=_("When the donor is a pupil.")
    )
    received_on = forms.DateField(label=_("Received on"), widget=DayInput())
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()


class RegisterFilterForm(forms.Form):
    date_from = forms.DateField(
        label=pgettext_lazy("first day", "From"),
        required=False,
        widget=DayInput(attrs={"class": "form-control form-control-sm"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("last day", "To"),
        required=False,
        widget=DayInput(attrs={"class": "form-control form-control-sm"}),
    )
