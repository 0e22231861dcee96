"""The pupil's note form (the same for the autosave and the buttons) and the teacher's grid of
paper notes received."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Record
from circulation.models import Loan

from ..policies import REFLECTION_MAX, SUMMARY_MAX, TITLE_MAX

# The form's fields accept a little more than the services keep, so that a text too long gets
# the services' message (which says how long it is and how long it may be), never a silent cut.
# Far beyond that (a pasted book), the form itself refuses.
FORM_SLACK = 1000


class NoteForm(forms.Form):
    book = forms.CharField(label=pgettext_lazy("reading note", "Book"), required=False)
    title = forms.CharField(
        label=pgettext_lazy("the heading a pupil gives their note", "Title"),
        required=False,
        max_length=TITLE_MAX + FORM_SLACK,
        strip=False,
    )
    summary = forms.CharField(
        label=_("What is the book about?"),
        required=False,
        max_length=SUMMARY_MAX + FORM_SLACK,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reflection = forms.CharField(
        label=_("Reflection (读后感)"),
        required=False,
        max_length=REFLECTION_MAX + FORM_SLACK,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, reader=None, **kwargs):
        self.reader = reader
        super().__init__(*args, **kwargs)

    def clean_book(self):
        """ "loan:12" (one of the pupil's loans), "record:34" (any record) or empty (keep)."""
        value = (self.cleaned_data.get("book") or "").strip()
        if not value:
            return None
        kind, _sep, number = value.partition(":")
        if not number.isdigit():
            raise forms.ValidationError(_("Choose a book from the list."))
        if kind == "loan":
            loan = Loan.objects.filter(pk=int(number), reader=self.reader).first()
            if loan is None:
                raise forms.ValidationError(_("This loan is not yours: choose one of your own books."))
            return loan
        if kind == "record":
            record = Record.objects.filter(pk=int(number)).first()
            if record is None:
                raise forms.ValidationError(_("This book is not in the catalogue."))
            return record
        raise forms.ValidationError(_("Choose a book from the list."))


class PhotoForm(forms.Form):
    """One photo of a pupil's paper page (checked again, and resized, by the service)."""

    photo = forms.FileField(label=_("Photo of the page"), required=False)
