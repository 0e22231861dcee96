"""The textbook forms: a term, a textbook, an order for classes, a delivery, a handover to a
teacher, recycled textbooks collected."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Textbook, TextbookTerm
from catalog.selectors.textbooks import textbook_teachers
from library_site.school import GRADE_CHOICES
from library_site.widgets import DayInput

CLASS_RANGE = re.compile(r"^\s*(\d{1,2})\s*[-–~至到]\s*(\d{1,2})\s*$")


def class_numbers_parse(text: str) -> list[int]:
    """'1-6', '1,3,5', '1、2 3' → class numbers; [] when not understood."""
    text = (text or "").translate(str.maketrans("０１２３４５６７８９，、－", "0123456789,,-"))
    match = CLASS_RANGE.match(text)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        return list(range(first, last + 1)) if 1 <= first <= last <= 50 else []
    parts = [part for part in re.split(r"[\s,]+", text) if part]
    if not parts or not all(part.isdigit() for part in parts):
        return []
    return [int(part) for part in parts]


class TermForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    season = forms.ChoiceField(label=gettext_lazy("Term"), choices=TextbookTerm.Season.choices)
    starts_on = forms.DateField(label=gettext_lazy("Term starts on"), widget=DayInput())
    ends_on = forms.DateField(label=gettext_lazy("Term ends on"), widget=DayInput())


class TextbookForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    subject = forms.CharField(
        label=gettext_lazy("Subject"), max_length=50, help_text=gettext_lazy("For example 语文, 数学, 英语.")
    )
    grade = forms.TypedChoiceField(label=gettext_lazy("Grade"), choices=GRADE_CHOICES, coerce=int)
    publisher = forms.CharField(label=gettext_lazy("Publisher"), max_length=200, required=False)
    isbn = forms.CharField(label="ISBN", max_length=20, required=False)
    price = forms.DecimalField(
        label=gettext_lazy("Price"), min_value=Decimal("0"), max_digits=8, decimal_places=2, initial=0
    )
    is_recycled = forms.BooleanField(label=gettext_lazy("Recycled textbook (循环教材)"), required=False)


class OrderForm(forms.Form):
    textbook = forms.ModelChoiceField(label=gettext_lazy("Textbook"), queryset=Textbook.objects.all())
    classes = forms.CharField(
        label=gettext_lazy("Classes of its grade"),
        max_length=60,
        help_text=gettext_lazy("For example 1-6, or 1,3,5."),
    )
    quantity = forms.IntegerField(label=gettext_lazy("Copies for each class"), min_value=1, max_value=1000)

    def clean_classes(self):
        numbers = class_numbers_parse(self.cleaned_data["classes"])
        if not numbers:
            raise forms.ValidationError(_("Name the classes, for example 1-6 or 1,3,5."))
        return numbers


class DeliveryForm(forms.Form):
    textbook = forms.ModelChoiceField(label=gettext_lazy("Textbook"), queryset=Textbook.objects.none())
    quantity = forms.IntegerField(label=gettext_lazy("Copies delivered"), min_value=1, max_value=100_000)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class HandoverForm(forms.Form):
    textbook = forms.ModelChoiceField(label=gettext_lazy("Textbook"), queryset=Textbook.objects.none())
    class_number = forms.IntegerField(label=gettext_lazy("Class number"), min_value=1, max_value=50)
    quantity = forms.IntegerField(label=gettext_lazy("Copies handed over"), min_value=1, max_value=1000)
    teacher = forms.ModelChoiceField(
        label=gettext_lazy("Receiving teacher"), queryset=get_user_model().objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = textbook_teachers()


class CollectForm(forms.Form):
    good = forms.IntegerField(label=gettext_lazy("Back in good condition"), min_value=0, initial=0)
    worn = forms.IntegerField(label=gettext_lazy("Back worn"), min_value=0, initial=0)
    damaged = forms.IntegerField(label=gettext_lazy("Back damaged"), min_value=0, initial=0)
    note = forms.CharField(label=gettext_lazy("Condition note"), max_length=200, required=False)
