"""The registers page's form: a register's period, its filters and the file's format."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Location
from circulation.models import SchoolClass
from library_site.school import GRADE_CHOICES
from library_site.widgets import DayInput

from ..documents.registers import STAFF_KIND_CHOICES, Register, register_period_check
from ..exceptions import RegisterRefused
from ..selectors.registers import register_period_default


class RegisterForm(forms.Form):
    """A register's period, its filters and the file's format. ``token`` is new with every
    page, so that a second press of the button finds the first one's file."""

    date_from = forms.DateField(label=pgettext_lazy("first day", "From"), widget=DayInput())
    date_to = forms.DateField(label=_("To (included)"), widget=DayInput())
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Location.objects.filter(subscriptions__isnull=False).distinct().order_by("position", "name"),
        required=False,
        empty_label=_("All rooms"),
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=[("", _("All grades")), *GRADE_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    school_class = forms.ModelChoiceField(
        label=pgettext_lazy("school class", "Class"),
        queryset=SchoolClass.objects.filter(is_active=True).order_by("grade", "number"),
        required=False,
        empty_label=_("All classes"),
    )
    reader_kind = forms.ChoiceField(
        label=_("Readers"), choices=[("", _("Teachers and staff")), *STAFF_KIND_CHOICES], required=False
    )
    format = forms.ChoiceField(
        label=_("File"),
        choices=[("xlsx", _("Excel workbook (.xlsx)")), ("csv", _("CSV, UTF-8 (.csv)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    FILTERS = ("room", "grade", "school_class", "reader_kind")

    def __init__(self, *args, register: Register, **kwargs):
        super().__init__(*args, **kwargs)
        self.register = register
        for name in self.FILTERS:
            if name not in register.filters:
                del self.fields[name]
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(16))
            date_from, date_to = register_period_default()
            self.initial.setdefault("date_from", date_from)
            self.initial.setdefault("date_to", date_to)

    @property
    def filter_fields(self) -> list:
        return [self[name] for name in self.FILTERS if name in self.fields]

    def clean(self):
        data = super().clean()
        if "date_from" in data and "date_to" in data:
            try:
                register_period_check(data["date_from"], data["date_to"])
            except RegisterRefused as error:
                raise forms.ValidationError(error.message) from None
        school_class, grade = data.get("school_class"), data.get("grade")
        if school_class is not None and grade and school_class.grade != grade:
            self.add_error("school_class", _("This class is not in the grade chosen."))
        return data
