"""MARC import at /catalog/import/marc/: upload a file with the choices for copies, look at the
preview of every record (what will be saved, what is wrong), then confirm or cancel.

Between the preview and the confirmation the file waits in a private folder,
``var/imports/<random token>/``, named by a token that only the session holds: nothing the
browser sends ever becomes a path. Confirming reads and checks the file again and saves all the
valid records in one transaction; the folder is taken by a rename first, so that a double click
cannot import the file twice. Cancelling removes the folder.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.marc import (
    EXISTING_CHOICES,
    SKIP,
    MarcImportRefused,
    import_max_bytes,
    import_max_records,
    marc_import,
    marc_preview,
)
from catalog.models import Location
from catalog.services import MAX_COPIES_AT_ONCE
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

SESSION_KEY = "catalog-marc-import"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
UPLOAD_NAME = "upload.marc"
STALE_AFTER_SECONDS = 24 * 60 * 60
PREVIEW_ROWS = 200
PROBLEM_ROWS = 1000


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


# --- the waiting file -----------------------------------------------------------------------------


def _imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _folder(token: str) -> Path | None:
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    return _imports_dir() / token


def _store(data: bytes) -> str:
    _remove_stale()
    token = secrets.token_urlsafe(24)
    folder = _imports_dir() / token
    folder.mkdir(mode=0o700, parents=True)
    target = folder / UPLOAD_NAME
    with target.open("xb") as handle:
        handle.write(data)
    target.chmod(0o600)
    return token


def _load(token: str) -> bytes | None:
    folder = _folder(token)
    if folder is None:
        return None
    try:
        return (folder / UPLOAD_NAME).read_bytes()
    except OSError:
        return None


def _discard(token: str | None, *, suffix: str = "") -> None:
    folder = _folder(token or "")
    if folder is not None:
        shutil.rmtree(folder.with_name(folder.name + suffix), ignore_errors=True)


def _remove_stale() -> None:
    """Files of previews that were never confirmed nor cancelled, after a day."""
    root = _imports_dir()
    if not root.is_dir():
        return
    limit = time.time() - STALE_AFTER_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or _folder(pending.get("token", "")) is None:
        return None
    return pending


# --- the page ----------------------------------------------------------------------------------------


@capability_required(Capability.MANAGE_CATALOGUE)
def marc_import_page(request):
    if request.method == "POST":
        action = request.POST.get("action", "upload")
        if action == "cancel":
            return _cancel(request)
        if action == "confirm":
            return _confirm(request)
        return _upload(request)
    pending = _pending(request)
    if pending is not None:
        data = _load(pending["token"])
        if data is not None:
            return _preview_page(request, pending, data)
        request.session.pop(SESSION_KEY, None)
        messages.warning(request, _("The uploaded file is no longer there; upload it again."))
    return render(request, "catalog/marc_import.html", {"form": MarcUploadForm()})


def _upload(request):
    form = MarcUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "catalog/marc_import.html", {"form": form}, status=400)
    data = form.cleaned_data["file"].read()
    report = marc_preview(data, existing=form.cleaned_data["existing"])
    if report.refused:
        for problem in report.problems:
            form.add_error("file", problem)
        return render(request, "catalog/marc_import.html", {"form": form}, status=400)
    previous = _pending(request)
    if previous is not None:
        _discard(previous["token"])
    token = _store(data)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": (form.cleaned_data["file"].name or "")[-120:],
        "size": len(data),
        "copies": form.cleaned_data["copies"],
        "location": form.cleaned_data["location"].pk,
        "existing": form.cleaned_data["existing"],
        "valid": report.valid_numbers,
    }
    return redirect("catalog:marc-import")


def _preview_page(request, pending: dict, data: bytes, *, status: int = 200, report=None):
    if report is None:
        report = marc_preview(data, existing=pending["existing"])
    if report.refused:  # the file was readable at upload; a changed setting (record limit) may refuse it now
        _discard(pending["token"])
        request.session.pop(SESSION_KEY, None)
        form = MarcUploadForm()
        return render(
            request, "catalog/marc_import.html", {"form": form, "refusals": report.problems}, status=400
        )
    location = Location.objects.filter(pk=pending["location"]).first()
    importable = [entry for entry in report.entries if entry.valid]
    context = {
        "pending": pending,
        "report": report,
        "location": location,
        "copies": pending["copies"],
        "existing_label": dict(EXISTING_CHOICES).get(pending["existing"], ""),
        "problem_entries": report.invalid_entries[:PROBLEM_ROWS],
        "problem_total": len(report.invalid_entries),
        "importable": importable[:PREVIEW_ROWS],
        "importable_total": len(importable),
        "importable_hidden": max(0, len(importable) - PREVIEW_ROWS),
        "new_total": len(report.new_entries),
        "existing_total": len(report.existing_entries),
        "copies_total": report.copies_total(pending["copies"]),
        "saves_total": sum(1 for entry in report.entries if entry.is_new or entry.adds_copies_to_existing),
    }
    return render(request, "catalog/marc_import.html", context, status=status)


def _cancel(request):
    pending = _pending(request)
    if pending is not None:
        _discard(pending["token"])
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("The import was cancelled; nothing was saved."))
    return redirect("catalog:marc-import")


def _confirm(request):
    pending = _pending(request)
    if pending is None or request.POST.get("token") != pending["token"]:
        messages.warning(
            request,
            _(
                "This preview is no longer current (the import was saved, cancelled or replaced); nothing was saved."
            ),
        )
        return redirect("catalog:marc-import")
    folder = _folder(pending["token"])
    claimed = folder.with_name(folder.name + ".saving")
    try:
        folder.rename(claimed)  # atomic: a second click finds no folder and saves nothing
    except OSError:
        if claimed.exists():
            messages.warning(request, _("This import is already being saved; it was not saved twice."))
        else:
            request.session.pop(SESSION_KEY, None)
            messages.warning(request, _("The uploaded file is no longer there; upload it again."))
        return redirect("catalog:marc-import")
    location = Location.objects.filter(pk=pending["location"], is_active=True).first()
    data = (claimed / UPLOAD_NAME).read_bytes()
    try:
        if location is None:
            raise MarcImportRefused(
                _("The location chosen for the copies is no longer in use; upload the file again.")
            )
        result = marc_import(
            data=data,
            copies_per_record=pending["copies"],
            location=location,
            existing=pending["existing"],
            skip_invalid=True,
            expected=pending["valid"],
            user=request.user,
        )
    except MarcImportRefused as error:
        claimed.rename(folder)
        report = marc_preview(data, existing=pending["existing"])
        pending["valid"] = report.valid_numbers
        request.session[SESSION_KEY] = pending
        messages.error(request, error.message)
        return _preview_page(request, pending, data, status=409, report=report)
    shutil.rmtree(claimed, ignore_errors=True)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _(
            "Imported %(records)s new records with %(copies)s copies. Records already in the catalogue: "
            "%(given)s given copies, %(skipped)s skipped."
        )
        % {
            "records": len(result.records_created),
            "copies": result.copies_created,
            "given": len(result.records_given_copies),
            "skipped": result.skipped,
        },
    )
    return redirect("catalog:cataloguing")
