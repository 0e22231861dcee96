"""The label printing form: which labels, on which sheet, for which copies, from which position;
and what a link from the cataloguing pages fills in."""

from __future__ import annotations

import re

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog import labels as label_printing
from catalog.exceptions import CatalogError
from catalog.models import Copy, LabelSheet, Record

BARCODE_SEPARATORS = re.compile(r"[\s,;，；、]+")


MAX_POSITIONS = 40 * 12  # the largest sheet the LabelSheet model allows


class SheetSelect(forms.Select):
    """The sheet list, each option carrying its kind and size for the preview on the page."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        sheet = getattr(value, "instance", None)
        if sheet is not None:
            option["attrs"].update(
                {
                    "data-kind": sheet.kind,
                    "data-rows": sheet.rows,
                    "data-columns": sheet.columns,
                    "data-size": f"{sheet.label_width_mm} × {sheet.label_height_mm} mm",
                }
            )
        return option


class LabelForm(forms.Form):
    class Selection(models.TextChoices):
        COPIES = "copies", _("These copies")
        RECORD = "record", _("All copies of the record")
        RANGE = "range", _("A range of barcodes")

    kind = forms.ChoiceField(
        label=_("Labels"),
        choices=LabelSheet.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=LabelSheet.Kind.SPINE,
    )
    sheet = forms.ModelChoiceField(
        label=_("Label sheet"), queryset=LabelSheet.objects.all(), empty_label=None, widget=SheetSelect
    )
    selection = forms.ChoiceField(
        label=_("Which copies"),
        choices=Selection.choices,
        widget=forms.RadioSelect,
        initial=Selection.COPIES,
    )
    barcodes = forms.CharField(
        label=_("Barcodes"),
        required=False,
        max_length=80_000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace", "autocomplete": "off"}),
        help_text=_("Scan or type one barcode per line, in the order of the books in front of you."),
    )
    record = forms.ModelChoiceField(
        queryset=Record.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This record is not in the catalogue.")},
    )
    barcode_from = forms.CharField(label=_("From barcode"), max_length=32, required=False)
    barcode_to = forms.CharField(label=_("To barcode"), max_length=32, required=False)
    start_position = forms.IntegerField(
        label=_("Start at label"),
        min_value=1,
        max_value=MAX_POSITIONS,
        initial=1,
        help_text=_("On a half-used sheet: the first free label, counted row by row."),
    )
    outlines = forms.BooleanField(
        label=_("Draw the outline of each label (for a test print on plain paper)"), required=False
    )

    def clean(self):
        data = super().clean()
        selection = data.get("selection")
        if selection == self.Selection.COPIES:
            data["barcode_list"] = [
                barcode for barcode in BARCODE_SEPARATORS.split(data.get("barcodes") or "") if barcode
            ]
            if not data["barcode_list"]:
                self.add_error("barcodes", _("Scan or type the barcodes of the copies to label."))
        elif selection == self.Selection.RECORD:
            if not data.get("record"):
                self.add_error(
                    None,
                    _("No record was chosen: open this page from the record's page, or choose other copies."),
                )
        elif selection == self.Selection.RANGE:
            try:
                data["barcode_range"] = label_printing.barcode_range_parse(
                    data.get("barcode_from", ""), data.get("barcode_to", "")
                )
            except CatalogError as error:
                self.add_error(None, error.message)
        sheet, start = data.get("sheet"), data.get("start_position")
        if sheet and start and start > sheet.rows * sheet.columns:
            self.add_error(
                "start_position",
                _("The sheet %(sheet)s has %(count)s labels: start at a position from 1 to %(count)s.")
                % {"sheet": sheet.name, "count": sheet.rows * sheet.columns},
            )
        return data

    def selection_arguments(self) -> dict:
        data = self.cleaned_data
        if data["selection"] == self.Selection.COPIES:
            return {"barcodes": data["barcode_list"]}
        if data["selection"] == self.Selection.RECORD:
            return {"record": data["record"]}
        return {"barcode_range": data["barcode_range"]}


def _copy_ids(text: str) -> list[int]:
    return [int(part) for part in re.split(r"[\s,]+", text or "") if part.isdigit()][
        : label_printing.MAX_LABELS
    ]


def label_form_initial(query) -> dict:
    """What a link from the cataloguing pages fills in: ``record=<pk>``, ``copies=1,2,3``, ``kind``."""
    initial: dict = {"start_position": 1}
    kind = query.get("kind")
    if kind not in LabelSheet.Kind.values:
        kind = LabelSheet.Kind.SPINE
    initial["kind"] = kind
    initial["sheet"] = LabelSheet.objects.filter(kind=kind).first() or LabelSheet.objects.first()
    record_id = query.get("record", "")
    if record_id.isdigit() and Record.objects.filter(pk=int(record_id)).exists():
        initial["record"] = record_id
        initial["selection"] = LabelForm.Selection.RECORD
    ids = _copy_ids(query.get("copies", ""))
    if ids:
        by_id = Copy.objects.exclude(status=Copy.Status.WITHDRAWN).in_bulk(ids)
        initial["barcodes"] = "\n".join(by_id[pk].barcode for pk in ids if pk in by_id)
        initial["selection"] = LabelForm.Selection.COPIES
    return initial
