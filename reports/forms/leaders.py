"""The form of the report to school leaders: the librarian's note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.leaders import NOTE_MAX_LENGTH


class LeadersNoteForm(forms.Form):
    text = forms.CharField(
        label=_("The librarian's note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences for the school leaders: what went well, what needs their help."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
