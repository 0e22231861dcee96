"""The forms of newspapers and periodicals: a title, a subscription for a room, a run of issues
to bind."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy

from catalog.models import Location, Serial
from catalog.selectors.serials import serial_rooms


class SerialForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Serial.Kind.choices)
    frequency = forms.ChoiceField(label=gettext_lazy("Frequency"), choices=Serial.Frequency.choices)
    weekdays_only = forms.BooleanField(
        label=gettext_lazy("A daily not published at weekends"), required=False
    )
    issn = forms.CharField(label="ISSN", max_length=20, required=False, help_text="0317-8471")
    cn_number = forms.CharField(
        label=gettext_lazy("CN number"), max_length=30, required=False, help_text="CN11-1234/G4"
    )
    publisher = forms.CharField(label=gettext_lazy("Publisher"), max_length=200, required=False)


class SubscriptionForm(forms.Form):
    serial = forms.ModelChoiceField(
        label=gettext_lazy("Newspaper or periodical"), queryset=Serial.objects.filter(is_active=True)
    )
    location = forms.ModelChoiceField(label=gettext_lazy("Room"), queryset=Location.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    copies = forms.IntegerField(
        label=gettext_lazy("Copies of each issue"), min_value=1, max_value=100, initial=1
    )
    price = forms.DecimalField(
        label=gettext_lazy("Price for the year (yuan)"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
    )
    supplier = forms.CharField(label=gettext_lazy("Supplier"), max_length=100, required=False, initial="邮局")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = serial_rooms()


class BindingForm(forms.Form):
    first = forms.IntegerField(label=gettext_lazy("From issue"), min_value=1, max_value=400)
    last = forms.IntegerField(label=gettext_lazy("To issue"), min_value=1, max_value=400)
    shelf = forms.CharField(label=gettext_lazy("Shelf"), max_length=50, required=False)
