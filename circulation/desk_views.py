"""The circulation desk: one scan box, answers in place (htmx), the reader's panel beside it.

The reader being served is kept in the session (one desk, one browser); the mode (lend,
return, renew, class pile) travels with each scan, so a scan queued before a mode change is
handled in the mode it was scanned in."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.context_processors import PermWrapper
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from .desk import Mode, desk_scan, scan_normalise
from .exceptions import CirculationError
from .loans import UNDO_SECONDS, desk_action_refused, loan_mark_lost, loan_undo, loans_renew_all
from .models import Compensation, DeskAction, Loan, Reader, SchoolClass
from .selectors import (
    class_open_loans,
    copy_loan_history,
    reader_history,
    reader_open_loans_count,
    reader_panel,
    reader_search,
)

SESSION_READER = "desk_reader"
# Barcodes are letters, digits and dashes; anything else typed in the box is a name.
NOT_A_BARCODE = re.compile(r"[^A-Z0-9\-]")
SESSION_DESK = "desk_name"


def desk_name(request) -> str:
    return request.session.get(SESSION_DESK) or _("Main desk")


def _pile_class(request):
    class_id = request.POST.get("pile_class") or request.GET.get("pile_class")
    if class_id and class_id.isdigit():
        return SchoolClass.objects.filter(pk=int(class_id), is_active=True).first()
    return None


def _answer(
    request,
    *,
    outcome: str,
    message: str,
    scanned: str = "",
    action=None,
    search=None,
    panel: bool | dict = True,
    change: dict | None = None,
):
    """One answer line, with the reader's panel (and the class pile) refreshed out of band.
    A return for somebody other than the reader being served leaves the panel as it is;
    ``change`` (see ``_panel_change``) updates only the loan it added or removed, and the count."""
    reader_id = request.session.get(SESSION_READER)
    school_class = _pile_class(request)
    context = {
        "outcome": outcome,
        "message": message,
        "scanned": scanned,
        "action": action,
        "can_undo": bool(action and action.user_id == request.user.pk and outcome == "done"),
        "undo_seconds": UNDO_SECONDS,
        # ``panel`` is True (read it), False (leave the panel as it is) or one already read.
        "panel": panel
        if isinstance(panel, dict)
        else (reader_panel(reader_id, desk_fragment=True) if reader_id and panel and not change else None),
        "refresh_panel": bool(panel),
        "change": change,
        "pile_class": school_class,
        "pile_loans": class_open_loans(school_class.pk) if school_class else None,
        "search": search,
        "oob": True,
    }
    # A fragment for htmx: rendered without the page's context processors (the menu and the
    # like are not in it), which saves their work on every scan.
    context.update(user=request.user, perms=PermWrapper(request.user))
    return HttpResponse(render_to_string("circulation/_desk_answer.html", context))


@capability_required(Capability.USE_DESK)
@require_POST
def desk_scan_view(request):
    mode = request.POST.get("mode", Mode.LEND)
    if mode not in Mode.ALL:
        return HttpResponseBadRequest(_("Unknown desk mode."))
    code = request.POST.get("code", "")[:100]
    if NOT_A_BARCODE.search(scan_normalise(code)):
        # A name typed in, not a scan: offer the readers it matches.
        readers, _blocked = reader_search(code)
        message = "" if readers else _("No reader found for “%(text)s”.") % {"text": code.strip()}
        return _answer(request, outcome="search" if readers else "refused", message=message, search=readers)
    answer = desk_scan(
        code=code,
        mode=mode,
        reader_id=request.session.get(SESSION_READER),
        user=request.user,
        desk=desk_name(request),
        damaged=request.POST.get("damaged") == "1",
    )
    if answer.outcome == "reader":
        if request.session.get(SESSION_READER) != answer.reader_id:
            request.session[SESSION_READER] = answer.reader_id
        panel = reader_panel(answer.reader_id, card=answer.card, desk_fragment=True)
        return _answer(
            request,
            outcome="reader",
            message=_("Serving %(reader)s.") % {"reader": panel["reader"].name},
            scanned=answer.scanned,
            panel=panel,
        )
    if answer.result and answer.result.loan and mode == Mode.LEND:
        reader_id = answer.result.loan.reader_id
        if request.session.get(SESSION_READER) != reader_id:  # saving the session costs a write
            request.session[SESSION_READER] = reader_id
    served = request.session.get(SESSION_READER)
    panel = mode == Mode.LEND or (served is not None and answer.reader_id == served)
    change = _panel_change(request, answer, mode, served) if panel else None
    lent = answer.result.loan if answer.result and answer.result.changed and mode == Mode.LEND else None
    if (
        change is None
        and lent is not None
        and lent.reader_id == served
        and hasattr(lent.reader, "card_number")
    ):
        # The lend locked and read the reader just now, with what the panel shows of them.
        panel = reader_panel(served, reader=lent.reader, desk_fragment=True)
    return _answer(
        request,
        outcome=answer.outcome,
        message=answer.message,
        scanned=answer.scanned,
        action=answer.result.action if answer.result else None,
        panel=panel,
        change=change,
    )


def _panel_change(request, answer, mode: str, served: int | None) -> dict | None:
    """When a lend or a return changed nothing in the served reader's panel but their list of
    loans (the common case), what to change in the page instead of sending the whole panel
    again: the loan line to add (``added``) or remove (``removed``) and the new ``count``. None
    when the panel must be read again: the page shows another reader's panel (``shown``, sent
    by desk.js), a hold was collected or trapped for this reader, the book came back late (the
    blocks change), or the new loan would not go at the end of the list (ordered by due date)."""
    result = answer.result
    if (
        served is None
        or result is None
        or not result.changed
        or result.loan is None
        or result.loan.reader_id != served
        or request.POST.get("shown") != str(served)
    ):
        return None
    loan = result.loan
    if mode == Mode.LEND:
        if result.hold is not None or result.open_loans is None:
            return None
        if result.latest_due_before is not None and loan.due_on < result.latest_due_before:
            return None
        loan.days_overdue = 0
        return {"added": loan, "count": result.open_loans}
    if mode in (Mode.RETURN, Mode.PILE):
        if loan.overdue_days or (result.hold is not None and result.hold.reader_id == served):
            return None
        return {"removed": loan, "count": reader_open_loans_count(served)}
    return None


@capability_required(Capability.USE_DESK)
@require_POST
def desk_reader_choose(request, reader_id: int):
    reader = get_object_or_404(Reader, pk=reader_id)
    request.session[SESSION_READER] = reader.pk
    return _answer(request, outcome="reader", message=_("Serving %(reader)s.") % {"reader": reader.name})


@capability_required(Capability.USE_DESK)
@require_POST
def desk_reader_clear(request):
    request.session.pop(SESSION_READER, None)
    return _answer(request, outcome="info", message=_("Ready for the next reader."))


@capability_required(Capability.USE_DESK)
@require_POST
def desk_undo(request, action_id: int):
    action = get_object_or_404(DeskAction, pk=action_id)
    try:
        result = loan_undo(action=action, user=request.user, desk=desk_name(request))
    except CirculationError as error:
        desk_action_refused(
            user=request.user,
            desk=desk_name(request),
            action=DeskAction.Action.UNDO,
            scanned=action.scanned,
            message=error.message,
        )
        return _answer(request, outcome="refused", message=str(error.message))
    return _answer(request, outcome="info", message=result.message)


@capability_required(Capability.USE_DESK)
@require_POST
def desk_renew_all(request):
    reader_id = request.session.get(SESSION_READER)
    if not reader_id:
        return _answer(request, outcome="refused", message=_("Scan the reader's card first, then the books."))
    reader = get_object_or_404(Reader, pk=reader_id)
    answers = loans_renew_all(reader=reader, user=request.user, desk=desk_name(request))
    if not answers:
        return _answer(request, outcome="info", message=_("This reader has no books to renew."))
    refused = any(not ok for _loan, _message, ok in answers)
    message = " ".join(message for _loan, message, _ok in answers)
    return _answer(request, outcome="refused" if refused else "done", message=message)


@capability_required(Capability.USE_DESK)
@require_POST
def desk_name_set(request):
    name = request.POST.get("desk", "").strip()[:50]
    if name:
        request.session[SESSION_DESK] = name
    return redirect("circulation:desk")


@capability_required(Capability.MANAGE_READERS)
def loan_lost(request, loan_id: int):
    """Mark a loan lost, with the price to charge shown before anything is saved."""
    loan = get_object_or_404(Loan.objects.select_related("copy__record", "reader__user"), pk=loan_id)
    default_price = loan.copy.price_paid or loan.copy.record.price
    error = None
    if request.method == "POST":
        price = None
        typed = request.POST.get("price", "").strip()
        try:
            if typed:
                price = Decimal(typed)
        except InvalidOperation:
            error = _("Enter the price as a number, for example 25.80.")
        if error is None:
            try:
                compensation = loan_mark_lost(
                    loan=loan,
                    user=request.user,
                    desk=desk_name(request),
                    price=price if price != default_price else None,
                    price_source=request.POST.get("price_source", "").strip()[:100],
                )
            except CirculationError as refusal:
                error = refusal.message
            else:
                messages.success(request, _("The loss is recorded. Print the receipt for the reader."))
                return redirect("circulation:compensation-receipt", compensation.pk)
    return render(
        request,
        "circulation/loan_lost.html",
        {
            "loan": loan,
            "default_price": default_price,
            "error": error,
            "price": request.POST.get("price", ""),
        },
    )


@capability_required(Capability.USE_DESK)
def compensation_receipt(request, compensation_id: int):
    compensation = get_object_or_404(
        Compensation.objects.select_related(
            "loan__copy__record", "loan__reader__user", "loan__reader__school_class", "recorded_by"
        ),
        pk=compensation_id,
    )
    return render(request, "circulation/compensation_receipt.html", {"compensation": compensation})


@capability_required(Capability.MANAGE_READERS)
def reader_loans(request, reader_id: int):
    """A reader's loan history, for staff."""
    panel = reader_panel(reader_id)
    if panel is None:
        return redirect("circulation:desk")
    return render(
        request, "circulation/reader_loans.html", {**panel, "history": reader_history(reader_id, limit=200)}
    )


@capability_required(Capability.MANAGE_READERS)
def copy_loans(request, copy_id: int):
    from catalog.models import Copy

    copy = get_object_or_404(Copy.objects.select_related("record"), pk=copy_id)
    return render(request, "circulation/copy_loans.html", {"copy": copy, "loans": copy_loan_history(copy.pk)})


@capability_required(Capability.USE_DESK)
def desk_pile(request):
    school_class = _pile_class(request)
    if school_class is None:
        return HttpResponse('<div id="pile-panel"></div>')
    return render(
        request,
        "circulation/_pile_panel_wrapped.html",
        {"pile_class": school_class, "pile_loans": class_open_loans(school_class.pk)},
    )
