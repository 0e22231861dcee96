"""Forms of the migration page (views/old_system.py): each step's file, and for the records the
old system's profile, the changes to its mapping and the location for copies that name none."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Location
from catalog.old_system import ITEM_FIELDS, ITEM_LABELS, PROFILES, MigrationRefused, profile_with

SPREADSHEETS = (".xlsx", ".csv")
MARC_FILES = (".mrc", ".iso", ".marc", ".dat", ".xml")


class StepFileForm(forms.Form):
    extensions = SPREADSHEETS
    file = forms.FileField(label=gettext_lazy("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = Path(upload.name or "").suffix.lower()
        if extension not in self.extensions:
            raise forms.ValidationError(
                _("Choose a file ending in %(extensions)s.") % {"extensions": ", ".join(self.extensions)}
            )
        self.extension = extension
        return upload


class RecordsStepForm(StepFileForm):
    """The MARC file, the profile and, for a school whose export differs, the fields changed."""

    extensions = MARC_FILES
    profile = forms.ChoiceField(label=gettext_lazy("The old system's export"), choices=())
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location for copies whose location is not one of the library's"),
        queryset=Location.objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(name, profile.label) for name, profile in PROFILES.items()]
        self.fields["location"].queryset = Location.objects.filter(is_active=True).order_by(
            "position", "name"
        )
        self.fields["location"].initial = self.fields["location"].queryset.first()
        for name in ITEM_FIELDS:
            self.fields[f"map_{name}"] = forms.CharField(
                label=ITEM_LABELS[name],
                required=False,
                max_length=8,
                help_text=_("Empty: as the profile says; “-”: not read."),
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        changes = {}
        for name in ITEM_FIELDS:
            value = (cleaned.get(f"map_{name}") or "").strip()
            if value == "-":
                changes[name] = ""
            elif value:
                changes[name] = value
        try:
            cleaned["profile_object"] = profile_with(cleaned["profile"], changes)
        except MigrationRefused as error:
            raise forms.ValidationError(error.message) from error
        cleaned["changes"] = changes
        return cleaned
