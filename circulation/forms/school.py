"""Forms of the staff's pages for the school's structure: a class's head teacher, the roster
upload and its confirmation, and the promotion at year end; and the class choice the other
forms share."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import roster
from ..models import SchoolClass
from ..selectors.school import teachers_for_choice


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def active_classes(*, keeping: int | None = None):
    """The classes a reader can be put in; ``keeping`` adds the reader's own class when it is
    no longer active (a graduated class), so that their form still shows it and saves."""
    classes = SchoolClass.objects.filter(is_active=True)
    if keeping:
        classes = SchoolClass.objects.filter(Q(is_active=True) | Q(pk=keeping))
    return classes.order_by("grade", "number")


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


class PromotionForm(forms.Form):
    top_grade = forms.IntegerField(
        label=gettext_lazy("Top grade of the school"),
        min_value=1,
        max_value=12,
        help_text=gettext_lazy(
            "6 for a primary school, 9 for a nine-year school, 12 for a complete secondary school."
        ),
    )
