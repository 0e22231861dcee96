"""Reading rooms: the door's kiosk where readers scan their cards (USE_DESK), and each room's
week, its opening hours and its timetable of class sessions (MANAGE_READERS)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..forms.rooms import ClassSessionForm, OpeningHoursForm
from ..models import ClassSession, OpeningHours
from ..selectors.rooms import active_rooms, room_visits_today, room_week, rooms_with_weekly_hours
from ..services import rooms as services


def _week_start(text: str | None) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.isoweekday() - 1)


@capability_required(Capability.MANAGE_READERS)
def room_list(request):
    return render(request, "circulation/room_list.html", rooms_with_weekly_hours())


@capability_required(Capability.MANAGE_READERS)
def room_week_page(request, pk: int):
    room = get_object_or_404(active_rooms(), pk=pk)
    week_start = _week_start(request.GET.get("week"))
    session_form = ClassSessionForm(prefix="session", initial={"date": timezone.localdate()})
    hours_form = OpeningHoursForm(prefix="hours")
    if request.method == "POST":
        if "session-date" in request.POST:
            session_form = ClassSessionForm(request.POST, prefix="session")
            if session_form.is_valid():
                data = session_form.cleaned_data
                try:
                    services.class_session_book(
                        room=room,
                        school_class=data["school_class"],
                        date=data["date"],
                        period=data["period"],
                        booked_by=request.user,
                    )
                except CirculationError as error:
                    session_form.add_error(None, str(error.message))
                else:
                    messages.success(request, _("The class session is booked."))
                    return redirect(
                        f"{request.path}?week={_week_start(data['date'].isoformat()).isoformat()}"
                    )
        else:
            hours_form = OpeningHoursForm(request.POST, prefix="hours")
            if hours_form.is_valid():
                try:
                    services.opening_hours_add(room=room, **hours_form.cleaned_data)
                except CirculationError as error:
                    hours_form.add_error(None, str(error.message))
                else:
                    messages.success(request, _("The opening hours are recorded."))
                    return redirect(f"{request.path}?week={week_start.isoformat()}")
    week = room_week(room, week_start=week_start)
    return render(
        request,
        "circulation/room_week.html",
        {
            "room": room,
            "week": week,
            "week_start": week_start,
            "previous_week": week_start - datetime.timedelta(days=7),
            "next_week": week_start + datetime.timedelta(days=7),
            "session_form": session_form,
            "hours_form": hours_form,
            "target": week["target"],
        },
    )


@require_POST
@capability_required(Capability.MANAGE_READERS)
def class_session_cancel(request, pk: int):
    session = get_object_or_404(ClassSession, pk=pk)
    try:
        services.class_session_cancel(
            session=session, cancelled_by=request.user, reason=request.POST.get("reason", "")
        )
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("The class session is cancelled."))
    return redirect(_room_url(session.room_id, session.date))


@require_POST
@capability_required(Capability.MANAGE_READERS)
def opening_hours_remove(request, pk: int):
    hours = get_object_or_404(OpeningHours, pk=pk)
    try:
        services.opening_hours_end(hours=hours, ended_by=request.user, reason=request.POST.get("reason", ""))
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("The opening hours are ended; they stay in the room's history."))
    return redirect("circulation:room-week", pk=hours.room_id)


def _room_url(room_id: int, day: datetime.date) -> str:
    return (
        f"{reverse('circulation:room-week', args=[room_id])}?week={_week_start(day.isoformat()).isoformat()}"
    )


@capability_required(Capability.USE_DESK)
def room_kiosk(request, pk: int):
    """The entrance of a reading room: one box, always focused, into which readers scan their
    cards. Each scan is answered in place (htmx) and the box is cleared for the next reader."""
    room = get_object_or_404(active_rooms(), pk=pk)
    context = {"room": room}
    if request.method == "POST":
        try:
            visit, new = services.visit_record(
                room=room, scan=request.POST.get("scan", ""), recorded_by=request.user
            )
        except CirculationError as error:
            context.update(refusal=error.message)
        else:
            context.update(visit=visit, new=new)
        status = 422 if "refusal" in context and not request.htmx else 200
        context["today"] = room_visits_today(room)
        if request.htmx:
            return render(request, "circulation/_kiosk_answer.html", {**context, "out_of_band": True})
        return render(request, "circulation/room_kiosk.html", context, status=status)
    context["today"] = room_visits_today(room)
    return render(request, "circulation/room_kiosk.html", context)
