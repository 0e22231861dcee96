"""Contests: the list, setting one up, a pupil's entry (registration, text or upload), a teacher
entering the class, a judge's sheet, the organiser's resolution of a disagreement and the
publication with prizes. Judges see only the contests they judge; a pupil only their own entry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation.models import Reader, SchoolClass
from library_site.accounts.models import User
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..models import Activity, Contest, Entry
from ..selectors.contests import contest_entries, contests_visible, judge_sheet
from ..selectors.notes import reader_of_user
from ..selectors.review import reviewable_classes
from ..services.contests import (
    UPLOAD_MAX_BYTES,
    class_register,
    contest_create,
    contest_publish,
    entry_register,
    entry_resolve,
    entry_submit,
    scores_save,
)

manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)
SUFFIXES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def _is_manager(user) -> bool:
    return user.has_perm(Capability.MANAGE_ACTIVITIES.permission)


def _visible_or_404(request, contest_id: int) -> Contest:
    contest = get_object_or_404(Contest.objects.select_related("activity"), pk=contest_id)
    user = request.user
    if _is_manager(user) or contest.judges.filter(pk=user.pk).exists():
        return contest
    reader = reader_of_user(user)
    if reader is not None and (
        contest.activity.state == Activity.State.OPEN or contest.entries.filter(reader=reader).exists()
    ):
        return contest
    if (
        user.has_perm(Capability.GRADE_ACTIVITIES.permission)
        and contest.activity.state == Activity.State.OPEN
    ):
        return contest
    raise Http404()


@login_required
def contest_list(request):
    reader = reader_of_user(request.user)
    return render(
        request,
        "activities/contest_list.html",
        {
            "contests": contests_visible(request.user, reader),
            "may_manage": _is_manager(request.user),
        },
    )


@manage_activities
def contest_new(request):
    activities = Activity.objects.filter(
        contest__isnull=True, kind__in=[*Activity.CONTEST_KINDS, Activity.Kind.READER]
    )
    judges = (
        User.objects.filter(is_active=True, groups__permissions__codename=Capability.GRADE_ACTIVITIES.value)
        .distinct()
        .order_by("username")
    )
    error = None
    if request.method == "POST":
        try:
            activity = activities.get(pk=int(request.POST.get("activity", "0") or 0))
        except (Activity.DoesNotExist, ValueError):
            activity = None
        names = request.POST.getlist("criterion")
        maxima = request.POST.getlist("max_points")
        try:
            if activity is None:
                raise ActivitiesError(_("Choose the contest's activity."))
            criteria = [
                (name, Decimal(points or "0"))
                for name, points in zip(names, maxima, strict=False)
                if name.strip()
            ]
            contest = contest_create(
                activity=activity,
                by=request.user,
                criteria=criteria,
                judges=list(
                    judges.filter(pk__in=[int(pk) for pk in request.POST.getlist("judges") if pk.isdigit()])
                ),
                submission=request.POST.get("submission", Contest.Submission.TEXT),
                disagreement_points=Decimal(request.POST.get("disagreement_points", "10") or "10"),
            )
        except InvalidOperation:
            error = _("Full marks and the largest difference are numbers.")
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("The contest is set up."))
            return redirect("activities:contest", contest.pk)
    return render(
        request,
        "activities/contest_form.html",
        {
            "activities": activities,
            "judges": judges,
            "error": error,
            "submissions": Contest.Submission.choices,
        },
        status=400 if error else 200,
    )


@login_required
def contest_detail(request, contest_id: int):
    contest = _visible_or_404(request, contest_id)
    reader = reader_of_user(request.user)
    manager = _is_manager(request.user)
    context = {
        "contest": contest,
        "activity": contest.activity,
        "may_manage": manager,
        "is_judge": contest.judges.filter(pk=request.user.pk).exists(),
        "my_entry": Entry.objects.filter(contest=contest, reader=reader).defer("file").first()
        if reader
        else None,
        "criteria": list(contest.criteria.all()),
        "judges": list(contest.judges.all()),
        "classes": list(reviewable_classes(request.user))
        if request.user.has_perm(Capability.GRADE_ACTIVITIES.permission)
        else [],
        "prizes": Entry.Prize.choices,
    }
    if manager:
        entries = contest_entries(contest)
        context["entries"] = entries
        context["blocked"] = [entry for entry in entries if entry.blocks_publication]
    return render(request, "activities/contest_detail.html", context)


@login_required
@require_POST
def contest_register(request, contest_id: int):
    contest = _visible_or_404(request, contest_id)
    reader = reader_of_user(request.user)
    if reader is None:
        raise Http404()
    try:
        entry = entry_register(contest=contest, reader=reader, by=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
        return redirect("activities:contest", contest.pk)
    messages.success(request, _("You are entered."))
    return redirect("activities:entry", entry.pk)


@login_required
@require_POST
def contest_register_class(request, contest_id: int):
    contest = _visible_or_404(request, contest_id)
    school_class = get_object_or_404(SchoolClass, pk=int(request.POST.get("school_class", "0") or 0))
    ids = [int(pk) for pk in request.POST.getlist("reader") if pk.isdigit()]
    readers = (
        list(Reader.objects.filter(pk__in=ids).select_related("school_class"))
        if ids
        else list(
            Reader.objects.filter(
                school_class=school_class, kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE
            ).select_related("school_class")
        )
    )
    try:
        count = class_register(contest=contest, school_class=school_class, readers=readers, by=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s pupil(s) entered.") % {"count": count})
    return redirect("activities:contest", contest.pk)


@login_required
def entry_edit(request, entry_id: int):
    reader = reader_of_user(request.user)
    entry = (
        get_object_or_404(
            Entry.objects.select_related("contest__activity").defer("file"), pk=entry_id, reader=reader
        )
        if reader
        else None
    )
    if entry is None:
        raise Http404()
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        data = None
        try:
            if upload is not None:
                if upload.size > UPLOAD_MAX_BYTES:
                    raise ActivitiesError(_("The file is larger than 10 MB."))
                data = upload.read()
            entry_submit(
                entry=entry,
                reader=reader,
                title=request.POST.get("title", ""),
                text=request.POST.get("text", ""),
                data=data,
                file_name=upload.name if upload else "",
            )
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Your work is handed in."))
            return redirect("activities:entry", entry.pk)
    return render(
        request,
        "activities/entry_form.html",
        {"entry": entry, "contest": entry.contest, "error": error},
        status=400 if error else 200,
    )


@login_required
def entry_file(request, entry_id: int):
    entry = get_object_or_404(Entry.objects.select_related("contest"), pk=entry_id)
    reader = reader_of_user(request.user)
    allowed = (
        (reader is not None and entry.reader_id == reader.pk)
        or _is_manager(request.user)
        or entry.contest.judges.filter(pk=request.user.pk).exists()
    )
    if not allowed or not entry.file:
        raise Http404()
    response = HttpResponse(bytes(entry.file), content_type=entry.file_type)
    suffix = SUFFIXES.get(entry.file_type, "")
    response["Content-Disposition"] = f'attachment; filename="entry-{entry.pk}{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def judge_sheet_view(request, contest_id: int):
    contest = get_object_or_404(Contest.objects.select_related("activity"), pk=contest_id)
    if not contest.judges.filter(pk=request.user.pk).exists():
        raise Http404()
    error = None
    if request.method == "POST":
        entry = get_object_or_404(Entry, pk=int(request.POST.get("entry", "0") or 0), contest=contest)
        points = {
            int(key[2:]): value
            for key, value in request.POST.items()
            if key.startswith("c-") and key[2:].isdigit()
        }
        try:
            scores_save(entry=entry, judge=request.user, points=points)
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Scores saved."))
            return redirect("activities:judge", contest.pk)
    context = judge_sheet(contest, request.user)
    context["error"] = error
    return render(request, "activities/judge_sheet.html", context, status=400 if error else 200)


@manage_activities
@require_POST
def entry_resolve_view(request, contest_id: int, entry_id: int):
    entry = get_object_or_404(Entry, pk=entry_id, contest_id=contest_id)
    try:
        entry_resolve(entry=entry, by=request.user, resolution=request.POST.get("resolution", ""))
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The disagreement is resolved."))
    return redirect("activities:contest", contest_id)


@manage_activities
@require_POST
def contest_publish_view(request, contest_id: int):
    contest = get_object_or_404(Contest, pk=contest_id)
    prizes = {}
    for prize in Entry.Prize.values:
        value = request.POST.get(f"prize-{prize}", "0")
        prizes[prize] = int(value) if value.isdigit() else 0
    try:
        contest_publish(contest=contest, by=request.user, prizes=prizes)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The results are published."))
    return redirect("activities:contest", contest.pk)
