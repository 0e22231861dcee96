"""Class sets (班级借阅): a teacher books N copies of a title for a class and dates; the desk
lends the booking in one step."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..forms.class_sets import ClassSetForm
from ..models import ClassSetBooking, Reader
from ..selectors.class_sets import class_set_form_defaults, class_sets_to_lend
from ..selectors.readers import reader_for_user
from ..services.class_sets import class_set_book, class_set_cancel, class_set_lend
from .desk import desk_name


@capability_required(Capability.RESERVE_ITEMS)
def class_set_new(request, record_id: int):
    teacher = reader_for_user(request.user)
    if teacher is None or teacher.kind != Reader.Kind.TEACHER:
        raise Http404("not a teacher")
    record = get_object_or_404(Record, pk=record_id)
    defaults = class_set_form_defaults(teacher=teacher, record=record)
    form = ClassSetForm(request.POST or None, initial=defaults["initial"])
    if request.method == "POST" and form.is_valid():
        try:
            class_set_book(teacher=teacher, record=record, **form.cleaned_data)
        except CirculationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The class set is booked; the library lends it on the first day."))
            return redirect("circulation:my-library")
    return render(
        request, "circulation/class_set_form.html", {"form": form, "record": record, "free": defaults["free"]}
    )


@capability_required(Capability.RESERVE_ITEMS)
@require_POST
def class_set_cancel_view(request, booking_id: int):
    teacher = reader_for_user(request.user)
    booking = get_object_or_404(ClassSetBooking, pk=booking_id, teacher=teacher)
    class_set_cancel(booking=booking, user=request.user)
    messages.success(request, _("The booking is cancelled."))
    return redirect("circulation:my-library")


@capability_required(Capability.USE_DESK)
def class_set_list(request):
    """Bookings starting within a week, for the desk to prepare and lend."""
    return render(request, "circulation/class_sets.html", {"bookings": class_sets_to_lend()})


@capability_required(Capability.USE_DESK)
@require_POST
def class_set_lend_view(request, booking_id: int):
    booking = get_object_or_404(ClassSetBooking, pk=booking_id)
    try:
        loans = class_set_lend(booking=booking, user=request.user, desk=desk_name(request))
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s copies lent for the class set.") % {"count": len(loans)})
    return redirect("circulation:class-sets")
