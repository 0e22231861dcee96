"""The question bank: the list by theme and kind, the .xlsx import (all or nothing, each error
with its row and column) and the export in the same template."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import BankRefused
from ..forms.quiz import BankImportForm
from ..models import Question
from ..selectors.quiz import bank_themes, question_bank
from ..services.bank import bank_export, bank_import

manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_MAX = 5 * 1024 * 1024


@manage_activities
def bank(request):
    form = BankImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > UPLOAD_MAX:
            errors = [_("The file is larger than 5 MB.")]
        elif not upload.name.lower().endswith(".xlsx"):
            errors = [_("Only .xlsx files can be imported: use the template.")]
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "bank.xlsx"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    imported = bank_import(path=path, by=request.user)
                except BankRefused as refusal:
                    errors = [str(refusal.message), *getattr(refusal, "errors", [])]
                else:
                    messages.success(request, _("%(count)s question(s) imported.") % {"count": len(imported)})
                    return redirect("activities:bank")
        status = 400
    theme = request.GET.get("theme", "")
    kind = request.GET.get("kind", "")
    return render(
        request,
        "activities/bank.html",
        {
            "form": form,
            "errors": errors,
            "questions": question_bank(theme=theme, kind=kind),
            "themes": bank_themes(),
            "kinds": Question.Kind.choices,
            "theme": theme,
            "kind": kind,
        },
        status=status,
    )


def _xlsx(filename: str, write) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@manage_activities
def bank_export_view(request):
    return _xlsx("question-bank.xlsx", lambda target: bank_export(target))


@manage_activities
def bank_template(request):
    return _xlsx("question-bank-template.xlsx", lambda target: bank_export(target, questions=[]))
