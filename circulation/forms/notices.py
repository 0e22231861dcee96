"""The administrator's form for the wording of one kind of notice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..policies import template_check


class NoticeTemplateForm(forms.Form):
    """The wording of one kind of notice; a placeholder its kind does not have is refused."""

    subject = forms.CharField(label=pgettext_lazy("message", "Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _checked(self, field: str) -> str:
        value = self.cleaned_data[field]
        template_check(self.kind, value)
        return value

    def clean_subject(self):
        return self._checked("subject")

    def clean_body(self):
        return self._checked("body")
