"""The reading rooms' class timetables (MANAGE_READERS): make a term's draft for a room, look
at it as a grid, change it by hand, publish it or take it back, print it per room and per class.
A head teacher prints their own class's slip of a published timetable, and nobody else's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..forms.timetables import TimetableForm
from ..models import RoomTimetable, SchoolClass, TimetableSlot
from ..printing.timetables import timetable_classes_pdf, timetable_room_pdf
from ..selectors.timetables import timetable_grid, timetable_list
from ..services import timetables as services


@capability_required(Capability.MANAGE_READERS)
def timetable_list_page(request):
    form = TimetableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            timetable = services.timetable_generate(user=request.user, **form.cleaned_data)
        except CirculationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The draft timetable is made: look at it, change it by hand, then publish it.")
            )
            return redirect("circulation:timetable-detail", pk=timetable.pk)
    return render(request, "circulation/timetable_list.html", {"form": form, "timetables": timetable_list()})


@capability_required(Capability.MANAGE_READERS)
def timetable_detail(request, pk: int):
    timetable = get_object_or_404(RoomTimetable.objects.select_related("room", "term", "published_by"), pk=pk)
    return render(
        request,
        "circulation/timetable_detail.html",
        {"timetable": timetable, "grid": timetable_grid(timetable)},
    )


@require_POST
@capability_required(Capability.MANAGE_READERS)
def timetable_slot_assign(request, pk: int):
    slot = get_object_or_404(TimetableSlot.objects.select_related("timetable"), pk=pk)
    school_class = None
    if request.POST.get("school_class"):
        try:
            school_class = SchoolClass.objects.get(pk=int(request.POST["school_class"]))
        except (ValueError, SchoolClass.DoesNotExist):
            messages.error(request, _("Choose a class of the list."))
            return redirect("circulation:timetable-detail", pk=slot.timetable_id)
    try:
        services.timetable_slot_assign(slot=slot, school_class=school_class, user=request.user)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The period is changed."))
    return redirect(slot_url(slot))


def slot_url(slot: TimetableSlot) -> str:
    from django.urls import reverse

    return reverse("circulation:timetable-detail", args=[slot.timetable_id]) + f"#slot-{slot.pk}"


@require_POST
@capability_required(Capability.MANAGE_READERS)
def timetable_publish(request, pk: int):
    timetable = get_object_or_404(RoomTimetable, pk=pk)
    try:
        result = services.timetable_publish(timetable=timetable, user=request.user)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Published: %(booked)s class sessions booked in the room's timetable, %(skipped)s skipped (already taken)."
            )
            % result,
        )
    return redirect("circulation:timetable-detail", pk=pk)


@require_POST
@capability_required(Capability.MANAGE_READERS)
def timetable_reopen(request, pk: int):
    timetable = get_object_or_404(RoomTimetable, pk=pk)
    try:
        cancelled = services.timetable_reopen(timetable=timetable, user=request.user)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.info(
            request,
            _(
                "Taken back to change: %(count)s coming class sessions are cancelled until it is published again."
            )
            % {"count": cancelled},
        )
    return redirect("circulation:timetable-detail", pk=pk)


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


@capability_required(Capability.MANAGE_READERS)
def timetable_pdf(request, pk: int):
    """``?for=room`` (the default): the week's grid; ``?for=classes``: one slip per class."""
    timetable = get_object_or_404(RoomTimetable.objects.select_related("room", "term"), pk=pk)
    kind = request.GET.get("for", "room")
    try:
        if kind == "room":
            pdf = timetable_room_pdf(timetable)
        elif kind == "classes":
            pdf = timetable_classes_pdf(timetable)
        else:
            return HttpResponseBadRequest(_("Print for the room or for the classes."))
    except CirculationError as error:
        return HttpResponseBadRequest(str(error.message))
    return _pdf(pdf, f"阅览编排-{timetable.room.name}-{kind}.pdf")


@login_required
def timetable_class_pdf(request, pk: int, class_id: int):
    """One class's slip: for its head teacher (published timetables only) and for staff."""
    timetable = get_object_or_404(RoomTimetable.objects.select_related("room", "term"), pk=pk)
    school_class = get_object_or_404(SchoolClass, pk=class_id)
    staff = request.user.has_perm(Capability.MANAGE_READERS.permission)
    if not staff and (school_class.head_teacher_id != request.user.pk or not timetable.is_published):
        raise Http404("not this teacher's class")
    try:
        pdf = timetable_classes_pdf(timetable, only_class_id=school_class.pk)
    except CirculationError as error:
        return HttpResponseBadRequest(str(error.message))
    return _pdf(pdf, f"阅览编排-{school_class.name}.pdf")
