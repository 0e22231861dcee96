from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from .desk_views import SESSION_READER, desk_name
from .loans import UNDO_SECONDS
from .models import ClassSetBooking, Notice, SchoolClass
from .selectors import (
    class_open_loans,
    classes_of_head_teacher,
    desk_actions_recent,
    reader_for_user,
    reader_history,
    reader_panel,
    reader_search,
    school_overview,
)


@login_required
def home(request):
    """Each person's home: the desk for those who lend, the school's overview for leaders, and
    their own library page for every reader."""
    user = request.user
    if user.has_perm(Capability.USE_DESK.permission):
        return desk(request)
    if user.has_perm(Capability.VIEW_STATISTICS.permission):
        return render(request, "circulation/home_leader.html", {"overview": school_overview()})
    return my_library(request)


@capability_required(Capability.USE_DESK)
def desk(request):
    query = request.GET.get("q", "")
    readers, blocked_card = reader_search(query)
    context = {"query": query, "readers": readers, "blocked_card": blocked_card}
    if request.htmx:
        return render(request, "circulation/_reader_results.html", context)
    show_overview = request.user.has_perm(Capability.MANAGE_READERS.permission)
    context["overview"] = school_overview() if show_overview else None
    reader_id = request.session.get(SESSION_READER)
    context.update(
        panel=reader_panel(reader_id) if reader_id else None,
        desk_name=desk_name(request),
        classes=SchoolClass.objects.filter(is_active=True).order_by("grade", "number"),
        recent=desk_actions_recent(desk=desk_name(request), limit=10),
        undo_seconds=UNDO_SECONDS,
    )
    return render(request, "circulation/desk.html", context)


@login_required
def my_library(request):
    reader = reader_for_user(request.user)
    panel = reader_panel(reader.pk) if reader else None
    classes = list(classes_of_head_teacher(request.user))
    for school_class in classes:
        school_class.open_loans = class_open_loans(school_class.pk)
    return render(
        request,
        "circulation/my_library.html",
        {
            "reader": reader,
            "panel": panel,
            "history": reader_history(reader.pk) if reader else [],
            "bookings": list(
                ClassSetBooking.objects.filter(teacher=reader, state__in=["booked", "lent"])
                .select_related("record", "school_class")
                .order_by("-starts_on")[:20]
            )
            if reader and reader.kind == "teacher"
            else [],
            "card": reader.active_cards[0] if reader and reader.active_cards else None,
            "head_teacher_classes": classes,
            "unread_notices": (
                panel["reader"].unread_notices or 0
                if panel
                else Notice.objects.filter(recipient=request.user, read_at__isnull=True).count()
            ),
        },
    )
