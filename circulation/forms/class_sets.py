"""The teacher's form for booking a class set."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from library_site.widgets import DayInput

from ..models import SchoolClass


class ClassSetForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=pgettext_lazy("school class", "Class"),
        queryset=SchoolClass.objects.filter(is_active=True).order_by("grade", "number"),
    )
    copies = forms.IntegerField(label=pgettext_lazy("number of copies", "Copies"), min_value=1, max_value=80)
    starts_on = forms.DateField(label=pgettext_lazy("first day", "From"), widget=DayInput())
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=DayInput())
