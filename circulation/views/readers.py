"""The staff's pages for readers and their cards: the list, a reader's details, their loan
history, and their card printed or reissued (补证). Every page needs MANAGE_READERS."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError, DuplicateIdentifier
from ..forms.readers import CardReissueForm, ReaderForm, ReaderSearchForm, SuspensionChangeForm
from ..models import PasswordSlipBatch, Reader, SchoolClass, Suspension
from ..printing.readers import cards_pdf
from ..selectors.readers import reader_list, reader_story, reader_suspensions
from ..services import readers as services
from ..services.first_passwords import password_slips_request
from ..services.suspensions import suspension_change
from .desk import desk_name

MANAGE = Capability.MANAGE_READERS


READERS_PER_PAGE = 50


@capability_required(MANAGE)
def reader_list_page(request):
    data = request.GET.copy() if request.GET else None
    if data is not None and "status" not in data:
        data["status"] = Reader.Status.ACTIVE
    form = ReaderSearchForm(data or {"status": Reader.Status.ACTIVE})
    filters = form.cleaned_data if form.is_valid() else {"status": Reader.Status.ACTIVE}
    readers = reader_list(
        query=filters.get("q", ""),
        kind=filters.get("kind", ""),
        school_class=filters["school_class"].pk if filters.get("school_class") else None,
        status=filters.get("status", ""),
    )
    page = Paginator(readers, READERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    template = "circulation/_reader_table.html" if request.htmx else "circulation/reader_list.html"
    return render(request, template, context)


@capability_required(MANAGE)
def reader_create(request):
    initial = {"kind": Reader.Kind.STUDENT}
    if request.GET.get("class"):
        initial["school_class"] = SchoolClass.objects.filter(pk=request.GET["class"], is_active=True).first()
    form = ReaderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reader = services.reader_create(
                kind=data["kind"],
                number=data["number"],
                full_name=data["full_name"],
                school_class=data["school_class"] if data["kind"] == Reader.Kind.STUDENT else None,
                gender=data["gender"],
                department=data["department"],
                guardian_contact=data["guardian_contact"],
                issued_by=request.user,
            )
        except DuplicateIdentifier as error:
            form.add_error("number", str(error.message))
        else:
            card = reader.cards.active().first()
            messages.success(
                request,
                _("%(name)s is registered with card %(card)s. Print the first password slip below.")
                % {"name": reader.name, "card": card.number if card else "—"},
            )
            # The new reader's own first password, on a slip printed once.
            batch = password_slips_request(
                reader_ids=[reader.pk], kind=PasswordSlipBatch.Kind.READER, user=request.user
            )
            return redirect("circulation:password-slips", pk=batch.pk)
    return render(request, "circulation/reader_form.html", {"form": form, "reader": None})


@capability_required(MANAGE)
def reader_edit(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    initial = {
        "full_name": reader.user.full_name,
        "gender": reader.gender,
        "school_class": reader.school_class,
        "department": reader.department,
        "guardian_contact": reader.guardian_contact,
        "status": reader.status,
    }
    form = ReaderForm(request.POST or None, initial=initial, reader=reader)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.reader_update(
            reader=reader,
            full_name=data["full_name"],
            school_class=data["school_class"],
            gender=data["gender"],
            department=data["department"],
            guardian_contact=data["guardian_contact"],
            status=data["status"] or reader.status,
            password=data["password"],
        )
        messages.success(request, _("The details of %(name)s are saved.") % {"name": data["full_name"]})
        return redirect("circulation:reader-edit", pk=reader.pk)
    cards = list(reader.cards.order_by("-issued_at"))
    return render(request, "circulation/reader_form.html", {"form": form, "reader": reader, "cards": cards})


@capability_required(MANAGE)
def reader_card(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    return cards_response(request, [reader], f"借书证-{reader.number}.pdf")


@capability_required(MANAGE)
def card_reissue(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    active = reader.active_cards[0].number if reader.active_cards else ""
    form = CardReissueForm(request.POST or None, initial={"replacing": active})
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_reissue(
                reader=reader,
                reason=form.cleaned_data["reason"],
                issued_by=request.user,
                # An older page without the field reissues as before.
                replacing=form.cleaned_data["replacing"] if "replacing" in request.POST else None,
            )
        except CirculationError as error:
            form.add_error("reason", str(error.message))
        else:
            messages.success(
                request,
                _("Card %(number)s is issued; the old card no longer works. Print the new card below.")
                % {"number": card.number},
            )
            if form.cleaned_data["new_password"]:
                batch = password_slips_request(
                    reader_ids=[reader.pk], kind=PasswordSlipBatch.Kind.READER, user=request.user
                )
                return redirect("circulation:password-slips", pk=batch.pk)
            return redirect("circulation:reader-detail", pk=reader.pk)
    return render(request, "circulation/card_reissue.html", {"form": form, "reader": reader})


@capability_required(Capability.OVERRIDE_BLOCKS)
def reader_suspensions_page(request, reader_id: int, suspension_id: int | None = None):
    """A reader's suspensions; a running one is lifted or shortened here, with a reason
    (``suspension_id`` names it in the POST: it must be this reader's)."""
    reader = get_object_or_404(Reader.objects.with_display(), pk=reader_id)
    form = None
    changing = None
    if request.method == "POST":
        changing = get_object_or_404(Suspension, pk=suspension_id, reader=reader)
        form = SuspensionChangeForm(request.POST, auto_id=f"id_{changing.pk}_%s")
        if form.is_valid():
            try:
                suspension_change(
                    suspension=changing,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    ends_on=form.cleaned_data["ends_on"],
                    desk=desk_name(request),
                )
            except CirculationError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The suspension of %(name)s is changed.") % {"name": reader.name})
                return redirect("circulation:reader-suspensions", reader_id=reader.pk)
    context = {"reader": reader, **reader_suspensions(reader.pk)}
    for suspension in context["current"]:
        suspension.form = (
            form
            if changing is not None and suspension.pk == changing.pk
            else SuspensionChangeForm(auto_id=f"id_{suspension.pk}_%s")
        )
    return render(request, "circulation/reader_suspensions.html", context, status=400 if changing else 200)


@capability_required(Capability.MANAGE_READERS)
def reader_detail(request, pk: int):
    """The reader's whole story for staff (``selectors.readers.reader_story``): cards, loans,
    overdue books, holds, suspensions, compensations, the other apps' lines and the history;
    the edit form is a link from it."""
    story = reader_story(pk)
    if story is None:
        raise Http404
    return render(request, "circulation/reader_detail.html", story)


@capability_required(Capability.MANAGE_READERS)
def reader_loans(request, reader_id: int):
    """The reader's loan history, which is their whole story's page now."""
    return reader_detail(request, pk=reader_id)


def cards_response(request, readers, filename: str):
    """The library cards of ``readers`` as an inline PDF, or back with what stops printing them."""
    try:
        pdf = cards_pdf(readers)
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect(request.headers.get("referer") or "circulation:class-list")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response
