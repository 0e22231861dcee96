"""The administrator's settings page for the catalogue (capability MANAGE_POLICIES): the
library's name (printed on the labels and cards), the barcode prefix and digits, call numbers,
the OPAC's openness, and the label sheets. In the product's pages, not the back office."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog.forms.settings import CatalogSettingsForm, LabelSheetForm
from catalog.models import CatalogSettings, LabelSheet
from catalog.selectors.settings import settings_page
from catalog.services.settings import catalog_settings_update, label_sheet_save
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

manage_settings = capability_required(Capability.MANAGE_POLICIES)


@manage_settings
def catalog_settings(request):
    form = CatalogSettingsForm(request.POST or None, instance=CatalogSettings.current())
    if request.method == "POST" and form.is_valid():
        catalog_settings_update(fields=form.cleaned_data, user=request.user)
        messages.success(request, _("The library's settings are saved."))
        return redirect("catalog:settings")
    return render(request, "catalog/settings.html", {"form": form, **settings_page()})


def _sheet_edit(request, sheet: LabelSheet | None):
    form = LabelSheetForm(request.POST or None, instance=sheet)
    if request.method == "POST" and form.is_valid():
        label_sheet_save(sheet=sheet, fields=form.cleaned_data, user=request.user)
        messages.success(request, _("The label sheet is saved."))
        return redirect("catalog:settings")
    return render(request, "catalog/label_sheet_form.html", {"form": form, "sheet": sheet})


@manage_settings
def label_sheet_create(request):
    return _sheet_edit(request, None)


@manage_settings
def label_sheet_edit(request, pk: int):
    return _sheet_edit(request, get_object_or_404(LabelSheet, pk=pk))
