"""Forms of the staff's pages for readers and their cards: the search of the list, a reader's
details, and a card's reissue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from library_site.widgets import DayInput

from .. import roster
from ..exceptions import CellRefused
from ..models import Reader
from .school import ClassChoiceField, active_classes


class ReaderSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name, number or card"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Reader type"),
        required=False,
        choices=[("", gettext_lazy("All")), *Reader.Kind.choices],
    )
    school_class = ClassChoiceField(
        label=pgettext_lazy("school class", "Class"),
        required=False,
        queryset=active_classes(),
        empty_label=gettext_lazy("All"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *Reader.Status.choices],
        initial=Reader.Status.ACTIVE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = active_classes()


class ReaderForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Reader type"), choices=Reader.Kind.choices)
    number = forms.CharField(
        label=gettext_lazy("Student or staff number"),
        max_length=32,
        help_text=gettext_lazy("学号 for students, 工号 for teachers and staff. It is also the user name."),
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"), required=False, choices=[("", "—"), *Reader.Gender.choices]
    )
    school_class = ClassChoiceField(
        label=pgettext_lazy("school class", "Class"),
        required=False,
        queryset=active_classes(),
        empty_label="—",
    )
    department = forms.CharField(label=gettext_lazy("Department"), max_length=100, required=False)
    guardian_contact = forms.CharField(label=gettext_lazy("Guardian contact"), max_length=100, required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Reader.Status.choices, required=False)
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        min_length=6,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Leave empty to keep the current password. A password set here must be changed by the reader "
            "at the next sign-in."
        ),
    )

    def __init__(self, *args, reader: Reader | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reader = reader
        self.fields["school_class"].queryset = active_classes(
            keeping=reader.school_class_id if reader else None
        )
        if reader is None:
            del self.fields["status"]
            # A new reader's first password is drawn for them and printed on a slip.
            del self.fields["password"]
        else:
            # The number and the type are the reader's identity: they do not change here.
            del self.fields["number"]
            del self.fields["kind"]

    def clean_number(self):
        value = roster.fold(self.cleaned_data["number"])
        try:
            return roster.identifier_parse(value)
        except CellRefused as error:
            raise forms.ValidationError(str(error)) from error

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or (self.reader.kind if self.reader else "")
        if kind == Reader.Kind.STUDENT and not cleaned.get("school_class"):
            self.add_error("school_class", _("A student belongs to a class."))
        return cleaned


class CardReissueForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the card replaced?"),
        max_length=120,
        help_text=gettext_lazy("For example: lost, damaged, stolen. The old card stops working at once."),
    )
    # The card the librarian saw as active: a second reissue sent meanwhile is refused.
    replacing = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    new_password = forms.BooleanField(
        label=gettext_lazy("Also give a new first password (printed on a slip)"),
        required=False,
        help_text=gettext_lazy("For a reader who lost the card and the password with it."),
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say why the card is replaced (lost, damaged, …)."))
        return reason


class SuspensionChangeForm(forms.Form):
    """Lift a suspension (no date) or shorten it to a day; the reason is required."""

    ends_on = forms.DateField(
        label=gettext_lazy("New end"),
        required=False,
        widget=DayInput,
        help_text=gettext_lazy("Leave empty to lift the suspension now."),
    )
    reason = forms.CharField(
        label=pgettext_lazy("override", "Reason"),
        max_length=200,
        help_text=gettext_lazy("Recorded with your name in the desk's audit."),
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Type the reason for the change."))
        return reason
