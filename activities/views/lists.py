"""Reading lists (书单): readers see the published ones with each title's availability and a
"place a hold" button (circulation's own hold page); librarians and teachers make them; a
list prints for the class. Also the librarians' picks and a class's recommendations."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Record
from circulation.models import SchoolClass
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..models import LibrarianPick, ReadingList, ReadingListItem
from ..selectors.lists import reading_list_detail, reading_lists_for
from ..selectors.notes import reader_of_user
from ..selectors.recommendations import recommendations_for_grade
from ..services.lists import (
    librarian_pick_hide,
    librarian_pick_save,
    reading_list_add,
    reading_list_remove,
    reading_list_retire,
    reading_list_save,
)

RIGHT_MAKE = Capability.GRADE_ACTIVITIES  # teachers and librarians


class ReadingListForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "Title"), max_length=200)
    grade = forms.IntegerField(label=gettext_lazy("For grade"), min_value=1, max_value=12, required=False)
    theme = forms.CharField(label=gettext_lazy("Theme"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("heading", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_published = forms.BooleanField(label=gettext_lazy("Published to readers"), required=False)


def _record_from(value: str) -> Record | None:
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit() and len(value) < 10:
        return Record.objects.filter(pk=int(value)).first()
    return (
        Record.objects.filter(isbn=value.replace("-", "")).first()
        or Record.objects.filter(call_number=value).first()
    )


@login_required
def reading_lists(request):
    staff = request.user.has_perm(RIGHT_MAKE.permission)
    reader = reader_of_user(request.user)
    return render(
        request,
        "activities/promotion/lists.html",
        {"lists": reading_lists_for(reader, staff=staff), "staff": staff},
    )


@login_required
def reading_list(request, list_id: int, printable: bool = False):
    staff = request.user.has_perm(RIGHT_MAKE.permission)
    found = reading_list_detail(list_id, reader=reader_of_user(request.user), staff=staff)
    if found is None:
        raise Http404
    template = (
        "activities/promotion/list_print.html" if printable else "activities/promotion/list_detail.html"
    )
    return render(request, template, {"list": found, "staff": staff})


@capability_required(RIGHT_MAKE)
def reading_list_edit(request, list_id: int | None = None):
    current = get_object_or_404(ReadingList, pk=list_id, retired_at__isnull=True) if list_id else None
    initial = (
        {"title": current.title, "grade": current.grade, "theme": current.theme,
         "description": current.description, "is_published": current.is_published}
        if current else {}
    )  # fmt: skip
    form = ReadingListForm(request.POST or None, initial=initial)
    if request.method == "POST" and "add" in request.POST and current:
        record = _record_from(request.POST.get("record", ""))
        if record is None:
            messages.error(request, _("No record with that number, ISBN or call number."))
        else:
            try:
                reading_list_add(reading_list=current, record=record, note=request.POST.get("note", ""))
            except ActivitiesError as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, _("“%(title)s” is on the list.") % {"title": record.title})
        return redirect("activities:list-edit", current.pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = reading_list_save(user=request.user, reading_list=current, **form.cleaned_data)
        except ActivitiesError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The list is saved."))
            return redirect("activities:list-edit", saved.pk)
    detail = reading_list_detail(current.pk, reader=None, staff=True) if current else None
    return render(request, "activities/promotion/list_form.html", {"form": form, "list": detail})


@capability_required(RIGHT_MAKE)
@require_POST
def reading_list_item_remove(request, item_id: int):
    item = get_object_or_404(ReadingListItem, pk=item_id)
    list_id = item.reading_list_id
    reading_list_remove(item=item)
    return redirect("activities:list-edit", list_id)


@capability_required(RIGHT_MAKE)
@require_POST
def reading_list_retire_view(request, list_id: int):
    reading_list_retire(reading_list=get_object_or_404(ReadingList, pk=list_id))
    messages.success(request, _("The list is retired."))
    return redirect("activities:lists")


@capability_required(Capability.MANAGE_ACTIVITIES)
def picks(request):
    if request.method == "POST":
        if request.POST.get("hide"):
            librarian_pick_hide(pick=get_object_or_404(LibrarianPick, pk=request.POST["hide"]))
            return redirect("activities:picks")
        record = _record_from(request.POST.get("record", ""))
        if record is None:
            messages.error(request, _("No record with that number, ISBN or call number."))
        else:
            try:
                librarian_pick_save(
                    user=request.user, record=record, blurb=request.POST.get("blurb", ""),
                    grade_from=request.POST.get("grade_from") or 1, grade_to=request.POST.get("grade_to") or 12,
                )  # fmt: skip
            except (ActivitiesError, ValueError) as refusal:
                messages.error(request, getattr(refusal, "message", _("A grade is a number from 1 to 12.")))
            else:
                messages.success(request, _("The pick is saved."))
        return redirect("activities:picks")
    rows = LibrarianPick.objects.filter(is_active=True).select_related("record")[:200]
    return render(request, "activities/promotion/picks.html", {"picks": rows})


@capability_required(RIGHT_MAKE)
def class_recommendations(request, class_id: int):
    """What the class's pupils are recommended (their grade's shelf, without one pupil's history)."""
    school_class = get_object_or_404(SchoolClass, pk=class_id)
    return render(
        request,
        "activities/promotion/class_recommendations.html",
        {"school_class": school_class, "recommendations": recommendations_for_grade(school_class.grade)},
    )
