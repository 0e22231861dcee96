"""Cataloguing at the desk, built for a scanner: scan an ISBN; a known one adds copies in one
step, a new one opens the record form; likely duplicates are shown before anything is saved."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.copy_cataloguing import CopyResult, copy_lookup, copy_servers
from catalog.exceptions import CatalogError, InvalidISBN
from catalog.forms.records import CopiesForm, RecordForm
from catalog.isbn import isbn_normalise
from catalog.models import Copy, Record
from catalog.selectors.records import record_detail, record_likely_duplicates
from catalog.services.copies import copies_add as copies_add_service
from catalog.services.records import record_create as record_create_service
from catalog.services.records import record_update
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.system.exceptions import AlreadySubmitted
from library_site.system.submissions import (
    submission_already,
    submission_find,
    submission_spend,
    submission_token,
)

COPY_RESULTS = "catalog-copy-results"
RECENT = 8
# The forms' names in the one double-submit guard (library_site.system.submissions).
RECORD_FORM = "catalog.record_create"
COPIES_FORM = "catalog.copies_add"


def _token() -> str:
    return submission_token()


def _already_submitted(request, token: str, form: str) -> str | None:
    """What a form with this token already made (a double click, a reloaded POST)."""
    done = submission_find(token=token, form=form, user=request.user)
    return done.object_id if done else None


@capability_required(Capability.MANAGE_CATALOGUE)
def desk(request):
    scanned = request.GET.get("isbn", "").strip()
    context = {
        "scanned": scanned,
        "recent": Record.objects.with_display().order_by("-created_at", "-pk")[:RECENT],
    }
    if scanned:
        try:
            isbn = isbn_normalise(scanned)
        except InvalidISBN as error:
            context["refusal"] = error.message
        else:
            found = record_likely_duplicates(isbn=isbn)
            if not found:
                return redirect(f"{reverse('catalog:record-create')}?isbn={isbn}")
            context["found"] = found
            context["copies_form"] = CopiesForm(initial={"token": _token()})
    return render(request, "catalog/cataloguing_desk.html", context)


@capability_required(Capability.MANAGE_CATALOGUE)
def record_create(request):
    if request.method == "POST":
        token = request.POST.get("token", "")
        done = _already_submitted(request, token, RECORD_FORM)
        if done:
            messages.info(request, _("This record was already saved; it was not saved twice."))
            return redirect("catalog:record-manage", done)
        form = RecordForm(request.POST)
        copies_form = CopiesForm(request.POST, prefix="copies")
        wants_copies = request.POST.get("copies-count") not in (None, "", "0")
        copies_ok = copies_form.is_valid() if wants_copies else True
        if form.is_valid() and copies_ok:
            duplicates = record_likely_duplicates(
                isbn=form.cleaned_data["isbn"],
                title=form.cleaned_data["title"],
                authors=[name for name, _role in form.cleaned_data["contributors"]],
            )
            if duplicates and not request.POST.get("confirm_duplicates"):
                return render(
                    request,
                    "catalog/record_form.html",
                    {"form": form, "copies_form": copies_form, "duplicates": duplicates, "token": token},
                )
            try:
                with transaction.atomic():
                    record = record_create_service(
                        fields=form.record_fields(),
                        contributors=form.cleaned_data["contributors"],
                        author_number=form.cleaned_data["author_number"],
                        user=request.user,
                    )
                    added = []
                    if wants_copies:
                        added = _add_copies(record, copies_form.cleaned_data, request.user)
                    submission_spend(token=token, form=RECORD_FORM, user=request.user, object_id=record.pk)
            except CatalogError as error:
                form.add_error(None, error.message)
            except AlreadySubmitted as error:
                first = submission_already(error, token=token, form=RECORD_FORM, user=request.user)
                messages.info(request, _("This record was already saved; it was not saved twice."))
                if first.object_id:
                    return redirect("catalog:record-manage", first.object_id)
                return redirect("catalog:cataloguing")
            else:
                if added:
                    messages.success(request, _copies_message(added))
                else:
                    messages.success(request, _("The record was saved."))
                return redirect("catalog:record-manage", record.pk)
    else:
        token = _token()
        initial, copy = _copy_cataloguing(request)
        form = RecordForm(initial=initial)
        copies_form = CopiesForm(prefix="copies", initial={"token": token, "count": 1})
        return render(
            request,
            "catalog/record_form.html",
            {"form": form, "copies_form": copies_form, "token": token, "copy": copy},
        )
    return render(
        request, "catalog/record_form.html", {"form": form, "copies_form": copies_form, "token": token}
    )


def _copy_cataloguing(request) -> tuple[dict, dict]:
    """The new record's form filled from a server's record the librarian chose, or the servers'
    answers for the scanned ISBN to choose from. The answers wait in the session, so that
    choosing one does not ask the servers again."""
    given = request.GET.get("isbn", "")[:20]
    initial = {"isbn": given}
    try:
        isbn = isbn_normalise(given) if given else ""
    except InvalidISBN:
        isbn = ""
    if not isbn or not copy_servers():
        return initial, {}
    stored = request.session.get(COPY_RESULTS) or {}
    pick = request.GET.get("pick", "")
    if pick and stored.get("isbn") == isbn:
        server_number, _dash, result_number = pick.partition("-")
        try:
            answer = stored["answers"][int(server_number)]
            chosen = CopyResult.from_session(answer["results"][int(result_number)])
        except (ValueError, IndexError, KeyError):
            chosen = None
        if chosen is not None:
            initial.update(chosen.form_initial())
            initial["isbn"] = isbn
            return initial, {"copied_from": answer["server"], "isbn": isbn}
    if request.GET.get("by_hand"):
        return initial, {"by_hand": True, "isbn": isbn}
    answers = copy_lookup(isbn)
    request.session[COPY_RESULTS] = {
        "isbn": isbn,
        "answers": [
            {
                "server": answer.server.name,
                "results": [result.as_session() for result in answer.results],
                "problem": answer.problem,
            }
            for answer in answers
        ],
    }
    shown = [
        {
            "server": answer.server.name,
            "problem": answer.problem,
            "results": [
                {"pick": f"{server_number}-{result_number}", "result": result}
                for result_number, result in enumerate(answer.results)
            ],
        }
        for server_number, answer in enumerate(answers)
    ]
    return initial, {"answers": shown, "isbn": isbn}


@capability_required(Capability.MANAGE_CATALOGUE)
def record_edit(request, pk: int):
    record = get_object_or_404(Record, pk=pk)
    form = RecordForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            record_update(
                record=record,
                fields=form.record_fields(),
                contributors=form.cleaned_data["contributors"],
                user=request.user,
            )
        except CatalogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("catalog:record-manage", record.pk)
    return render(request, "catalog/record_form.html", {"form": form, "record": record, "editing": True})


@capability_required(Capability.MANAGE_CATALOGUE)
def record_manage(request, pk: int):
    record = record_detail(pk)
    if record is None:
        return redirect("catalog:cataloguing")
    return render(
        request,
        "catalog/record_manage.html",
        {"record": record, "copies_form": CopiesForm(initial={"token": _token()})},
    )


@capability_required(Capability.MANAGE_CATALOGUE)
def copies_add(request, pk: int):
    record = get_object_or_404(Record, pk=pk)
    if request.method != "POST":
        return redirect("catalog:record-manage", pk)
    form = CopiesForm(request.POST)
    token = request.POST.get("token", "")
    already = _("These copies were already added; they were not added twice.")
    if _already_submitted(request, token, COPIES_FORM):
        messages.info(request, already)
        return redirect("catalog:record-manage", pk)
    if form.is_valid():
        try:
            with transaction.atomic():
                added = _add_copies(record, form.cleaned_data, request.user)
                submission_spend(token=token, form=COPIES_FORM, user=request.user, object_id=pk)
        except CatalogError as error:
            messages.error(request, error.message)
        except AlreadySubmitted:
            messages.info(request, already)
            return redirect("catalog:record-manage", pk)
        else:
            messages.success(request, _copies_message(added))
            return redirect("catalog:record-manage", pk)
    else:
        messages.error(request, _("The copies were not added: %(errors)s") % {"errors": _form_errors(form)})
    return redirect("catalog:record-manage", pk)


def _add_copies(record: Record, data: dict, user) -> list[Copy]:
    return copies_add_service(
        record=record,
        count=data["count"],
        location=data["location"],
        shelf=data.get("shelf", ""),
        source=data["source"],
        donor=data.get("donor", ""),
        price_paid=data.get("price_paid"),
        user=user,
    )


def _copies_message(added: list[Copy]) -> str:
    if len(added) == 1:
        return _("1 copy added: barcode %(barcode)s.") % {"barcode": added[0].barcode}
    return _("%(count)s copies added: barcodes %(first)s to %(last)s.") % {
        "count": len(added),
        "first": added[0].barcode,
        "last": added[-1].barcode,
    }


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
