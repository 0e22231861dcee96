"""The circulation desk: one scan box, answers in place (htmx), the reader's panel beside it.

The reader being served is kept in the session (one desk, one browser); the mode (lend,
return, renew, class pile) travels with each scan, so a scan queued before a mode change is
handled in the mode it was scanned in."""

from __future__ import annotations

import re

from django.contrib.auth.context_processors import PermWrapper
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..models import DeskAction, Hold, Reader
from ..printing.holds import hold_slip_pdf
from ..registries import desk_mode_get, desk_modes
from ..scans import scan_normalise
from ..selectors.desk import desk_actions_recent, reader_open_loans_count, reader_panel
from ..selectors.holds import hold_for_slip
from ..selectors.loans import class_open_loans
from ..selectors.readers import reader_search
from ..selectors.school import active_class_get, active_class_list, school_overview
from ..services.desk import Mode, ScanAnswer, desk_scan, desk_scan_registered
from ..services.desk_actions import desk_action_refused
from ..services.loans import UNDO_SECONDS, loan_undo, loans_renew_all

SESSION_READER = "desk_reader"
# Barcodes are letters, digits and dashes; anything else typed in the box is a name.
NOT_A_BARCODE = re.compile(r"[^A-Z0-9\-]")
SESSION_DESK = "desk_name"


def desk_name(request) -> str:
    return request.session.get(SESSION_DESK) or _("Main desk")


def _pile_class(request):
    class_id = request.POST.get("pile_class") or request.GET.get("pile_class")
    if class_id and class_id.isdigit():
        return active_class_get(int(class_id))
    return None


def _full_panel(request) -> bool:
    """Those who manage readers see all of the panel; a volunteer what lending needs."""
    return request.user.has_perm(Capability.MANAGE_READERS.permission)


def _answer(
    request,
    *,
    outcome: ScanAnswer.Outcome,
    message: str,
    scanned: str = "",
    action=None,
    search=None,
    panel: bool | dict = True,
    change: dict | None = None,
    overridable: bool = False,
    return_first: bool = False,
    hold_kept=None,
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
        "can_undo": bool(action and action.user_id == request.user.pk and outcome == ScanAnswer.Outcome.DONE),
        "undo_seconds": UNDO_SECONDS,
        # ``panel`` is True (read it), False (leave the panel as it is) or one already read.
        "panel": panel
        if isinstance(panel, dict)
        else (
            reader_panel(reader_id, desk_fragment=True, full=_full_panel(request))
            if reader_id and panel and not change
            else None
        ),
        "refresh_panel": bool(panel),
        "change": change,
        "pile_class": school_class,
        "pile_loans": class_open_loans(school_class.pk) if school_class else None,
        "search": search,
        "overridable": overridable,
        "return_first": return_first,
        "hold_kept": hold_kept,
        "oob": True,
    }
    # A fragment for htmx: rendered without the page's context processors (the menu and the
    # like are not in it), which saves their work on every scan.
    context.update(user=request.user, perms=PermWrapper(request.user))
    return HttpResponse(render_to_string("circulation/_desk_answer.html", context))


@capability_required(Capability.USE_DESK)
def desk(request):
    """The desk's page (the home page of those who lend), or the readers a search finds (htmx)."""
    query = request.GET.get("q", "")
    readers, blocked_card = reader_search(query)
    context = {"query": query, "readers": readers, "blocked_card": blocked_card}
    if request.htmx:
        return render(request, "circulation/_reader_results.html", context)
    show_overview = request.user.has_perm(Capability.MANAGE_READERS.permission)
    context["overview"] = school_overview() if show_overview else None
    reader_id = request.session.get(SESSION_READER)
    context.update(
        panel=reader_panel(reader_id, full=_full_panel(request)) if reader_id else None,
        desk_name=desk_name(request),
        classes=active_class_list(),
        recent=desk_actions_recent(desk=desk_name(request), limit=10),
        undo_seconds=UNDO_SECONDS,
        extra_modes=desk_modes(),
    )
    return render(request, "circulation/desk.html", context)


@capability_required(Capability.USE_DESK)
@require_POST
def desk_scan_view(request):
    mode = request.POST.get("mode", Mode.LEND)
    if mode not in Mode.values:
        if desk_mode_get(mode) is None:
            return HttpResponseBadRequest(_("Unknown desk mode."))
        # A mode another app keeps (the service team's shifts): a card, handed to that app.
        answer = desk_scan_registered(
            code=request.POST.get("code", "")[:100], mode=mode, user=request.user, desk=desk_name(request)
        )
        return _answer(request, outcome=answer.outcome, message=answer.message, scanned=answer.scanned)
    code = request.POST.get("code", "")[:100]
    if NOT_A_BARCODE.search(scan_normalise(code)):
        # A name typed in, not a scan: offer the readers it matches.
        readers, _blocked = reader_search(code)
        message = "" if readers else _("No reader found for “%(text)s”.") % {"text": code.strip()}
        return _answer(
            request,
            outcome=ScanAnswer.Outcome.SEARCH if readers else ScanAnswer.Outcome.REFUSED,
            message=message,
            search=readers,
        )
    answer = desk_scan(
        code=code,
        mode=mode,
        reader_id=request.session.get(SESSION_READER),
        user=request.user,
        desk=desk_name(request),
        damaged=request.POST.get("damaged") == "1",
        override_reason=request.POST.get("override_reason", "")[:500] if mode == Mode.LEND else "",
        return_first=mode == Mode.LEND and request.POST.get("return_first") == "1",
    )
    if answer.outcome == ScanAnswer.Outcome.READER:
        if request.session.get(SESSION_READER) != answer.reader_id:
            request.session[SESSION_READER] = answer.reader_id
        panel = reader_panel(
            answer.reader_id, card=answer.card, desk_fragment=True, full=_full_panel(request)
        )
        return _answer(
            request,
            outcome=ScanAnswer.Outcome.READER,
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
        panel = reader_panel(served, reader=lent.reader, desk_fragment=True, full=_full_panel(request))
    return _answer(
        request,
        outcome=answer.outcome,
        message=answer.message,
        scanned=answer.scanned,
        action=answer.result.action if answer.result else None,
        panel=panel,
        change=change,
        overridable=answer.overridable,
        return_first=answer.return_first,
        hold_kept=_hold_kept(answer, mode),
    )


def _hold_kept(answer: ScanAnswer, mode: str):
    """The hold a return just filled (the copy goes to the hold shelf), for its own answer."""
    result = answer.result
    if mode not in (Mode.RETURN, Mode.PILE) or result is None or not result.changed or result.hold is None:
        return None
    return result.hold if result.hold.state == Hold.State.READY else None


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
    return _answer(
        request, outcome=ScanAnswer.Outcome.READER, message=_("Serving %(reader)s.") % {"reader": reader.name}
    )


@capability_required(Capability.USE_DESK)
@require_POST
def desk_reader_clear(request):
    request.session.pop(SESSION_READER, None)
    return _answer(request, outcome=ScanAnswer.Outcome.INFO, message=_("Ready for the next reader."))


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
        return _answer(request, outcome=ScanAnswer.Outcome.REFUSED, message=str(error.message))
    return _answer(request, outcome=ScanAnswer.Outcome.INFO, message=result.message)


@capability_required(Capability.USE_DESK)
@require_POST
def desk_renew_all(request):
    reader_id = request.session.get(SESSION_READER)
    if not reader_id:
        return _answer(
            request,
            outcome=ScanAnswer.Outcome.REFUSED,
            message=_("Scan the reader's card first, then the books."),
        )
    reader = get_object_or_404(Reader, pk=reader_id)
    answers = loans_renew_all(reader=reader, user=request.user, desk=desk_name(request))
    if not answers:
        return _answer(
            request, outcome=ScanAnswer.Outcome.INFO, message=_("This reader has no books to renew.")
        )
    refused = any(not ok for _loan, _message, ok in answers)
    message = " ".join(message for _loan, message, _ok in answers)
    return _answer(
        request, outcome=ScanAnswer.Outcome.REFUSED if refused else ScanAnswer.Outcome.DONE, message=message
    )


@capability_required(Capability.USE_DESK)
@require_POST
def desk_name_set(request):
    name = request.POST.get("desk", "").strip()[:50]
    if name:
        request.session[SESSION_DESK] = name
    return redirect("circulation:desk")


@capability_required(Capability.USE_DESK)
def hold_slip(request, hold_id: int):
    """The slip for a book a return kept on the hold shelf, as a PDF: ``?paper=80mm`` (a
    receipt printer, the default) or ``?paper=a4``."""
    try:
        hold = hold_for_slip(hold_id)
    except Hold.DoesNotExist:
        raise Http404 from None
    paper = request.GET.get("paper", "80mm")
    try:
        pdf = hold_slip_pdf(hold=hold, paper=paper)
    except CirculationError as error:
        return HttpResponseBadRequest(str(error.message))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"预约取书单-{hold.reader.number}.pdf"
    )
    return response


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
