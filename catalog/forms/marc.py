"""The MARC upload form: the file, and the choices for the copies of its records."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from catalog.marc import EXISTING_CHOICES, SKIP, import_max_bytes, import_max_records, too_large_message
from catalog.marc_export import (
    CNMARC,
    ENCODINGS,
    FORMATS,
    ISO2709,
    SYNTAXES,
    UTF8,
    MarcExportChoice,
    MarcExportRefused,
    ids_parse,
)
from catalog.models import Location
from catalog.services.copies import MAX_COPIES_AT_ONCE


class MarcUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("MARC file"),
        help_text=gettext_lazy(
            "ISO 2709 (.mrc, .iso) or MARCXML (.xml); MARC21 or CNMARC; UTF-8 or GB18030. Up to %(size)s MB "
            "and %(records)s records; a larger file is imported on the server with “python manage.py "
            "import_marc FILE”."
        ),
    )
    copies = forms.IntegerField(
        label=gettext_lazy("Copies per record"),
        min_value=0,
        max_value=MAX_COPIES_AT_ONCE,
        initial=1,
        help_text=gettext_lazy(
            "For records that carry no barcodes of their own; 0 imports the records only. A record with "
            "barcodes (CNMARC 905 $b, MARC21 852 $p or 949 $b) gets one copy for each barcode."
        ),
    )
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location of the copies"), queryset=Location.objects.filter(is_active=True)
    )
    existing = forms.ChoiceField(
        label=gettext_lazy("Records the catalogue already has (same ISBN)"),
        choices=EXISTING_CHOICES,
        initial=SKIP,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "size": import_max_bytes() // (1024 * 1024),
            "records": f"{import_max_records():,}",
        }
        self.fields["file"].widget.attrs["accept"] = ".mrc,.iso,.marc,.xml,.dat,.bin"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_max_bytes():
            raise forms.ValidationError(too_large_message(import_max_bytes()))
        return upload


class MarcExportForm(forms.Form):
    """What to export (everything, a class, chosen records) and how to write it."""

    SCOPES = [
        ("all", gettext_lazy("The whole catalogue")),
        ("class", gettext_lazy("A class and the classes below it")),
        ("selection", gettext_lazy("The records chosen by number")),
    ]
    scope = forms.ChoiceField(label=pgettext_lazy("MARC export", "Records"), choices=SCOPES, initial="all")
    clc = forms.CharField(
        label=gettext_lazy("CLC class number"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("For a class: I7 exports I7, I712, I712.45 and so on."),
    )
    ids = forms.CharField(
        label=pgettext_lazy("MARC export", "Record numbers"),
        required=False,
        max_length=20000,
        help_text=gettext_lazy("For chosen records: their numbers, separated by commas or spaces."),
    )
    format = forms.ChoiceField(
        label=pgettext_lazy("MARC export", "Format"), choices=list(FORMATS.items()), initial=CNMARC
    )
    syntax = forms.ChoiceField(
        label=pgettext_lazy("MARC export", "File"), choices=list(SYNTAXES.items()), initial=ISO2709
    )
    encoding = forms.ChoiceField(
        label=pgettext_lazy("MARC export", "Encoding"),
        choices=list(ENCODINGS.items()),
        initial=UTF8,
        help_text=gettext_lazy("GB18030 only for CNMARC, for systems that cannot read UTF-8."),
    )

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == "class" and not data.get("clc"):
            self.add_error("clc", _("Give the class number to export."))
        ids: tuple[int, ...] = ()
        if scope == "selection":
            try:
                ids = ids_parse([data.get("ids", "")])
            except MarcExportRefused as error:
                self.add_error("ids", error.message)
            else:
                if not ids:
                    self.add_error("ids", _("Give the numbers of the records to export."))
        if self.errors:
            return data
        choice = MarcExportChoice(
            format=data["format"],
            syntax=data["syntax"],
            encoding=data["encoding"],
            clc=data.get("clc", "") if scope == "class" else "",
            ids=ids,
        )
        try:
            choice.check()
        except MarcExportRefused as error:
            raise forms.ValidationError(error.message) from error
        data["choice"] = choice
        return data
