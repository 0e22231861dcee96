"""Printing labels (C5): spine labels with the call number and barcode labels, as a PDF for an
A4 label sheet. The cataloguing pages link here with ``?record=<pk>`` or ``?copies=1,2,3``."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from catalog import labels as label_printing
from catalog.exceptions import CatalogError
from catalog.forms.labels import LabelForm, label_form_initial
from catalog.selectors.labels import label_record_chosen, label_sheet_preview
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability


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
            "record": label_record_chosen(form),
            "preview": label_sheet_preview(form),
            "max_labels": label_printing.MAX_LABELS,
            "Selection": LabelForm.Selection,
        },
    )
