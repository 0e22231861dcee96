"""The student service team's pages (issue 18). The librarian (MANAGE_ACTIVITIES) manages the
team; the administrator (MANAGE_POLICIES) sets the rating's criteria; a member sees their own
shifts, log and ratings (their page, and their shifts' pages); nobody else sees a pupil's
ratings or another member's shift."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.dates import date_text
from library_site.documents.exceptions import DocumentError

from ..exceptions import ActivitiesError
from ..forms.team import CriterionForm, MeetingForm, MemberAddForm, RotaSlotForm, ShiftWorkForm, TrainingForm
from ..models import RatingCriterion, RotaSlot, Shift, TeamMember
from ..printing import table_pdf
from ..selectors import team as selectors
from ..services import team as services

manage = capability_required(Capability.MANAGE_ACTIVITIES)
policies = capability_required(Capability.MANAGE_POLICIES)


def _month(text: str | None) -> date:
    if not text:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise Http404 from None


@manage
def team_home(request):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_member_add(
                reader=form.cleaned_data["number"],
                joined_on=form.cleaned_data["joined_on"],
                user=request.user,
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The pupil has joined the service team."))
            return redirect("activities:team")
    return render(
        request,
        "activities/team/home.html",
        {"members": selectors.team_members(), "form": form, "shifts": selectors.shifts_recent(limit=15)},
    )


@manage
@require_POST
def member_leave(request, member_id: int):
    member = get_object_or_404(TeamMember, pk=member_id)
    try:
        services.team_member_leave(member=member, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The member has left the team."))
    return redirect("activities:team")


def _record_page(request, form_class, record, template, items, done):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record(form.cleaned_data)
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
            return redirect(request.path)
    return render(request, template, {"form": form, "items": items()})


@manage
def trainings(request):
    return _record_page(
        request,
        TrainingForm,
        lambda data: services.training_record(
            held_on=data["held_on"],
            topic=data["topic"],
            trainer=data["trainer"],
            attendees=list(data["attendees"]),
            user=request.user,
        ),
        "activities/team/trainings.html",
        selectors.trainings_recent,
        _("The training session is recorded."),
    )


@manage
def meetings(request):
    return _record_page(
        request,
        MeetingForm,
        lambda data: services.meeting_record(
            held_on=data["held_on"],
            minutes=data["minutes"],
            attendees=list(data["attendees"]),
            user=request.user,
        ),
        "activities/team/meetings.html",
        selectors.meetings_recent,
        _("The meeting's minutes are recorded."),
    )


@manage
def rota(request, slot_id: int | None = None):
    slot = get_object_or_404(RotaSlot, pk=slot_id) if slot_id else None
    initial = (
        {
            "weekday": slot.weekday,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "room": slot.room_id,
            "members": list(slot.members.all()),
        }
        if slot
        else None
    )
    form = RotaSlotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rota_slot_save(
                slot=slot,
                weekday=data["weekday"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
                members=list(data["members"]),
                user=request.user,
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The rota is saved."))
            return redirect("activities:team-rota")
    return render(
        request,
        "activities/team/rota.html",
        {"week": selectors.rota_week(), "form": form, "slot": slot, "rooms": list(selectors.rota_rooms())},
    )


@manage
def rota_pdf(request):
    rows = []
    for day in selectors.rota_week():
        for slot in day["slots"]:
            rows.append(
                [
                    str(day["label"]),
                    f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}",
                    slot.room.name,
                    "、".join(member.reader.name for member in slot.members.all()),
                ]
            )
    try:
        content = table_pdf(
            title=_("Service team weekly rota"),
            lines=[_("Printed on %(day)s") % {"day": date_text(timezone.localdate())}],
            headers=[
                pgettext("rota", "Weekday"),
                pgettext("shift", "Time"),
                pgettext("rota", "Room"),
                pgettext("service team", "Members"),
            ],
            rows=rows,
            widths=[0.14, 0.16, 0.2, 0.5],
            landscape=True,
        )
    except DocumentError as error:
        messages.error(request, error.message)
        return redirect("activities:team-rota")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="rota.pdf"'
    return response


@manage
def shifts(request):
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, _("Give the day whose missed shifts to mark."))
        else:
            marked = services.shifts_mark_missed(day=day, user=request.user)
            messages.success(request, _("%(count)s shifts marked missed.") % {"count": marked})
        return redirect("activities:team-shifts")
    return render(
        request,
        "activities/team/shifts.html",
        {"shifts": selectors.shifts_recent(limit=100), "today": timezone.localdate()},
    )


@manage
def shift_door(request, room_id: int):
    """The room's door page for shifts: a kiosk the librarian opens for one room of the rota,
    where members scan their cards to check in and out. One box, always focused; each scan is
    answered in place (htmx), in big letters, and the box is emptied for the next card. Without
    JavaScript the form posts and the page comes back with the answer."""
    room = get_object_or_404(selectors.rota_rooms(), pk=room_id)
    context: dict = {"room": room}
    status = 200
    if request.method == "POST":
        try:
            shift, direction = services.shift_door_scan(
                room=room, scan=request.POST.get("scan", ""), user=request.user
            )
        except ActivitiesError as error:
            context["refusal"] = error.message
            status = 200 if request.htmx else 422
        else:
            moment = shift.checked_out_at if direction == "out" else shift.checked_in_at
            context.update(shift=shift, direction=direction, moment=moment)
    context["today"] = selectors.room_shifts_today(room)
    if request.method == "POST" and request.htmx:
        return render(request, "activities/team/_door_answer.html", {**context, "out_of_band": True})
    return render(request, "activities/team/door.html", context, status=status)


def shift_page(request, shift_id: int):
    """A shift and its work log: the librarian's, or the member's own."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    shift = get_object_or_404(Shift.objects.select_related("slot__room", "member__reader__user"), pk=shift_id)
    if not services.shift_may_log(request.user, shift):
        raise Http404
    form = ShiftWorkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_work_log(
                shift=shift,
                kind=form.cleaned_data["kind"],
                books=form.cleaned_data["books"] or 0,
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The work is logged."))
            return redirect("activities:team-shift", shift.pk)
    return render(
        request,
        "activities/team/shift.html",
        {"shift": shift, "work": list(shift.work.select_related("written_by")), "form": form},
    )


@manage
def ratings(request, month: str | None = None):
    first = _month(month or request.GET.get("m"))
    return render(
        request,
        "activities/team/ratings.html",
        {"month": first, "table": selectors.month_ratings(first)},
    )


@manage
@require_POST
def rate(request, month: str, member_id: int):
    first = _month(month)
    member = get_object_or_404(TeamMember, pk=member_id)
    scores = {
        criterion.pk: request.POST.get(f"score-{criterion.pk}", "").strip()
        for criterion in selectors.criteria_in_use()
    }
    try:
        total = services.month_rate(member=member, month=first, scores=scores, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is rated: %(total)s points.") % {"name": member.reader.name, "total": total}
        )
    return redirect("activities:team-ratings-month", f"{first:%Y-%m}")


@manage
@require_POST
def best_member(request, month: str):
    first = _month(month)
    try:
        best = services.best_member_record(month=first, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is the best member of the month.") % {"name": best.member.reader.name}
        )
    return redirect("activities:team-ratings-month", f"{first:%Y-%m}")


@policies
def criteria(request, criterion_id: int | None = None):
    criterion = get_object_or_404(RatingCriterion, pk=criterion_id) if criterion_id else RatingCriterion()
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_criterion_save(criterion=form.save(commit=False), user=request.user)
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The rating criterion is saved."))
            return redirect("activities:team-criteria")
    return render(
        request,
        "activities/team/criteria.html",
        {"form": form, "criteria": RatingCriterion.objects.all(), "editing": criterion.pk},
    )


def my_team(request):
    """A member's own page: their shifts, their log, their ratings."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404
    return render(
        request,
        "activities/team/mine.html",
        {
            "member": member,
            "shifts": selectors.shifts_recent(member=member, limit=30),
            "ratings": selectors.member_ratings(member),
        },
    )
