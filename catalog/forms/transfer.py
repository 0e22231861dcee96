"""The forms of the spreadsheet import and export: the file to import, the export's format and
location."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Location
from library_site.documents import sheets


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = Path(upload.name).suffix.lower()
        if extension not in sheets.EXTENSIONS:
            raise forms.ValidationError(
                gettext_lazy("Only .xlsx and .csv files can be imported; save an .xls file again as .xlsx.")
            )
        if upload.size == 0:
            raise forms.ValidationError(gettext_lazy("The file is empty."))
        if upload.size > sheets.max_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB: split it into several files.")
                % {"limit": sheets.max_megabytes()}
            )
        upload.extension = extension
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("xlsx", gettext_lazy("Excel workbook (.xlsx)")),
            ("csv", gettext_lazy("CSV, UTF-8 (.csv)")),
        ],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location"),
        queryset=Location.objects.all(),
        required=False,
        empty_label=gettext_lazy("All locations"),
    )
