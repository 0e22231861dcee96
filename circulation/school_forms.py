"""Forms of the staff's pages for readers, classes, the roster, promotion and reading rooms."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from library_site.widgets import DayInput

from . import roster
from .models import OpeningHours, Reader, SchoolClass, reading_rooms
from .selectors import teachers_for_choice


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _active_classes(*, keeping: int | None = None):
    """The classes a reader can be put in; ``keeping`` adds the reader's own class when it is
    no longer active (a graduated class), so that their form still shows it and saves."""
    classes = SchoolClass.objects.filter(is_active=True)
    if keeping:
        classes = SchoolClass.objects.filter(Q(is_active=True) | Q(pk=keeping))
    return classes.order_by("grade", "number")


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
        queryset=_active_classes(),
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
        self.fields["school_class"].queryset = _active_classes()


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
        queryset=_active_classes(),
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
        help_text=gettext_lazy("Leave empty to keep the current password."),
    )

    def __init__(self, *args, reader: Reader | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reader = reader
        self.fields["school_class"].queryset = _active_classes(
            keeping=reader.school_class_id if reader else None
        )
        if reader is None:
            del self.fields["status"]
            self.fields["password"].help_text = gettext_lazy(
                "The reader signs in with the number and this password; leave empty to set it later."
            )
        else:
            # The number and the type are the reader's identity: they do not change here.
            del self.fields["number"]
            del self.fields["kind"]

    def clean_number(self):
        value = roster.fold(self.cleaned_data["number"])
        try:
            return roster.identifier_parse(value)
        except roster.CellRefused as error:
            raise forms.ValidationError(str(error)) from error

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or (self.reader.kind if self.reader else "")
        if kind == Reader.Kind.STUDENT and not cleaned.get("school_class"):
            self.add_error("school_class", _("A student belongs to a class."))
        return cleaned


class SchoolClassForm(forms.Form):
    head_teacher = forms.ModelChoiceField(
        label=gettext_lazy("Head teacher"), required=False, queryset=teachers_for_choice(), empty_label="—"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head_teacher"].queryset = teachers_for_choice()
        self.fields["head_teacher"].label_from_instance = lambda user: (
            f"{user.display_name} ({user.username})"
        )


class CardReissueForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the card replaced?"),
        max_length=120,
        help_text=gettext_lazy("For example: lost, damaged, stolen. The old card stops working at once."),
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say why the card is replaced (lost, damaged, …)."))
        return reason


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = Path(upload.name).suffix.lower()
        if extension not in roster.EXTENSIONS:
            raise forms.ValidationError(
                _("Only .xlsx and .csv files can be imported; save an .xls file again as .xlsx.")
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > roster.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB: split it into several files.")
                % {"limit": roster.MAX_BYTES // 2**20}
            )
        upload.extension = extension
        return upload


class RosterConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    deactivate_missing = forms.BooleanField(
        label=gettext_lazy("Mark the readers missing from the roster as having left the school"),
        required=False,
    )
    initial_password = forms.CharField(
        label=gettext_lazy("First password of the new readers"),
        required=False,
        min_length=6,
        max_length=128,
        help_text=gettext_lazy(
            "The new readers sign in with their number and this password, and change it afterwards. "
            "Leave empty to set passwords later."
        ),
    )


class PromotionForm(forms.Form):
    top_grade = forms.IntegerField(
        label=gettext_lazy("Top grade of the school"),
        min_value=1,
        max_value=12,
        help_text=gettext_lazy(
            "6 for a primary school, 9 for a nine-year school, 12 for a complete secondary school."
        ),
    )


class ClassSessionForm(forms.Form):
    school_class = ClassChoiceField(label=pgettext_lazy("school class", "Class"), queryset=_active_classes())
    date = forms.DateField(label=gettext_lazy("Date"), widget=DayInput())
    period = forms.IntegerField(label=gettext_lazy("Period"), min_value=1, max_value=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = _active_classes()


class OpeningHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day"), coerce=int, choices=OpeningHours.Weekday.choices
    )
    opens_at = forms.TimeField(
        label=gettext_lazy("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=gettext_lazy("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("opens_at")
            and cleaned.get("closes_at")
            and cleaned["closes_at"] <= cleaned["opens_at"]
        ):
            self.add_error("closes_at", _("The room must close after it opens."))
        return cleaned


def active_rooms():
    return reading_rooms().filter(is_active=True).order_by("position", "name")
