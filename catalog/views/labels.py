"""Printing labels (C5): spine labels with the call number and barcode labels, as a PDF for an
A4 label sheet. The cataloguing pages link here with ``?record=<pk>`` or ``?copies=1,2,3``."""

from __future__ import annotations

import re

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog import labels as label_printing
from catalog.exceptions import CatalogError
from catalog.models import Copy, LabelSheet, Record
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

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
    class Selection:
        COPIES = "copies"
        RECORD = "record"
        RANGE = "range"

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
        choices=[
            (Selection.COPIES, _("These copies")),
            (Selection.RECORD, _("All copies of the record")),
            (Selection.RANGE, _("A range of barcodes")),
        ],
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


def _ids(text: str) -> list[int]:
    return [int(part) for part in re.split(r"[\s,]+", text or "") if part.isdigit()][
        : label_printing.MAX_LABELS
    ]


def _initial(query) -> dict:
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
    ids = _ids(query.get("copies", ""))
    if ids:
        by_id = Copy.objects.exclude(status=Copy.Status.WITHDRAWN).in_bulk(ids)
        initial["barcodes"] = "\n".join(by_id[pk].barcode for pk in ids if pk in by_id)
        initial["selection"] = LabelForm.Selection.COPIES
    return initial


def _chosen_record(form: LabelForm) -> Record | None:
    """The record of ``?record=`` (or of the form sent), with its number of copies to label."""
    value = form["record"].value()
    if isinstance(value, Record):
        value = value.pk
    if not str(value or "").isdigit():
        return None
    return Record.objects.with_display().filter(pk=int(value)).first()


def _preview(form: LabelForm) -> dict | None:
    """The chosen sheet as a grid of small boxes, the used ones before the start shaded; the
    page's script redraws it when the sheet or the start position changes."""
    sheet = form["sheet"].value()
    if not isinstance(sheet, LabelSheet):
        sheet = LabelSheet.objects.filter(pk=sheet).first() if str(sheet or "").isdigit() else None
    if sheet is None:
        return None
    try:
        start = int(form["start_position"].value() or 1)
    except (TypeError, ValueError):
        start = 1
    cells = list(range(1, sheet.rows * sheet.columns + 1))
    return {"sheet": sheet, "start": start, "cells": cells}


@capability_required(Capability.MANAGE_CATALOGUE)
def labels(request):
    if request.method == "POST":
        form = LabelForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                selection = label_printing.labels_select(**form.selection_arguments())
                pdf = label_printing.labels_pdf(
                    copies=selection.copies,
                    sheet=data["sheet"],
                    kind=data["kind"],
                    start_position=data["start_position"],
                    library_name=label_printing.library_name_for_labels(),
                    outlines=data["outlines"],
                )
            except CatalogError as error:
                form.add_error(None, error.message)
            else:
                response = HttpResponse(pdf, content_type="application/pdf")
                filename = f"labels-{timezone.localdate():%Y%m%d}.pdf"
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
    else:
        form = LabelForm(initial=_initial(request.GET))
    return render(
        request,
        "catalog/labels.html",
        {
            "form": form,
            "record": _chosen_record(form),
            "preview": _preview(form),
            "max_labels": label_printing.MAX_LABELS,
        },
    )
