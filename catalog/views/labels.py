"""Printing labels (C5): spine labels with the call number and barcode labels, as a PDF for an
A4 label sheet. The cataloguing pages link here with ``?record=<pk>`` or ``?copies=1,2,3``."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from catalog import labels as label_printing
from catalog.exceptions import CatalogError
from catalog.forms.labels import LabelForm, label_form_initial
from catalog.models import LabelSheet, Record
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability


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
        form = LabelForm(initial=label_form_initial(request.GET))
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
