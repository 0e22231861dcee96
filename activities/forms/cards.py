"""The pupil's excerpt card form (the same for the autosave and the buttons)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Record

from ..policies import PASSAGE_MAX, THOUGHTS_MAX
from .notes import FORM_SLACK


class CardForm(forms.Form):
    book = forms.CharField(label=pgettext_lazy("reading note", "Book"), required=False)
    page = forms.CharField(label=_("Page"), required=False, max_length=20 + FORM_SLACK)
    passage = forms.CharField(
        label=_("A fine passage (优美句段)"),
        required=False,
        max_length=PASSAGE_MAX + FORM_SLACK,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    thoughts = forms.CharField(
        label=_("My thoughts"),
        required=False,
        max_length=THOUGHTS_MAX + FORM_SLACK,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_book(self):
        """ "record:34" (any record) or empty (keep the book)."""
        value = (self.cleaned_data.get("book") or "").strip()
        if not value:
            return None
        kind, _sep, number = value.partition(":")
        if kind not in ("record", "loan") or not number.isdigit():
            raise forms.ValidationError(_("Choose a book from the list."))
        if kind == "loan":
            record = Record.objects.filter(
                copies__loans__pk=int(number), copies__loans__reader=self.reader
            ).first()
        else:
            record = Record.objects.filter(pk=int(number)).first()
        if record is None:
            raise forms.ValidationError(_("This book is not in the catalogue."))
        return record

    def __init__(self, *args, reader=None, **kwargs):
        self.reader = reader
        super().__init__(*args, **kwargs)
