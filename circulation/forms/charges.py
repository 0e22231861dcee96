"""Forms of money at the desk: a damaged book's charge, and a charge waived or cancelled."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Charge
from ..money import money_parse


class DamagedChargeForm(forms.Form):
    barcode = forms.CharField(label=_("Barcode of the damaged copy"), max_length=100)
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=12,
        required=False,
        help_text=_("Empty: the copy's price × the damaged book's share set in the lending settings."),
    )
    note = forms.CharField(label=pgettext_lazy("charge", "What is damaged"), max_length=200, required=False)

    def clean_amount(self):
        text = self.cleaned_data["amount"].strip()
        if not text:
            return None
        value = money_parse(text)
        if value is None:
            raise forms.ValidationError(_("Enter an amount in yuan of more than zero, for example 12.50."))
        return value


class SettleForm(forms.Form):
    to_state = forms.ChoiceField(
        label=pgettext_lazy("charge", "Action"),
        choices=[
            (Charge.State.WAIVED, pgettext_lazy("charge action", "Waive")),
            (Charge.State.CANCELLED, pgettext_lazy("charge action", "Cancel (charged in error)")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
