"""Reads of the label printing page: the record a link chose, and the chosen sheet as a grid of
small boxes for the preview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.models import LabelSheet, Record

if TYPE_CHECKING:
    from catalog.forms.labels import LabelForm


def label_record_chosen(form: LabelForm) -> Record | None:
    """The record of ``?record=`` (or of the form sent), with its number of copies to label."""
    value = form["record"].value()
    if isinstance(value, Record):
        value = value.pk
    if not str(value or "").isdigit():
        return None
    return Record.objects.with_display().filter(pk=int(value)).first()


def label_sheet_preview(form: LabelForm) -> dict | None:
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
