"""The MARC upload form: the file, and the choices for the copies of its records."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.marc import EXISTING_CHOICES, SKIP, import_max_bytes, import_max_records
from catalog.models import Location
from catalog.services.copies import MAX_COPIES_AT_ONCE


class MarcUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("MARC file"),
        help_text=gettext_lazy(
            "ISO 2709 (.mrc, .iso) or MARCXML (.xml); MARC21 or CNMARC; UTF-8 or GB18030. Up to %(size)s MB "
            "and %(records)s records."
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
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": import_max_bytes() // (1024 * 1024)}
            )
        return upload
