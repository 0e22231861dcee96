"""The first password slips (services/first_passwords.py): the page of one batch (its progress
while the worker makes it, then the button that downloads it once), and the buttons that ask
for new ones for a class or a reader. Every page needs MANAGE_READERS, and a batch is seen
and downloaded only by the librarian who asked for it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError, PasswordSlipsRefused
from ..models import PasswordSlipBatch, Reader, SchoolClass
from ..services.first_passwords import (
    password_slips_download,
    password_slips_purge,
    password_slips_request,
    password_slips_resend,
)

MANAGE = Capability.MANAGE_READERS
# A batch still waiting this long may be sent to the worker again (the broker was down).
RESEND_AFTER_SECONDS = 60


def _own_batch(request, pk: int) -> PasswordSlipBatch:
    return get_object_or_404(
        PasswordSlipBatch.objects.select_related("school_class"), pk=pk, created_by=request.user
    )


@capability_required(MANAGE)
def password_slips_page(request, pk: int):
    password_slips_purge()
    batch = _own_batch(request, pk)
    waiting = batch.state in (PasswordSlipBatch.State.QUEUED, PasswordSlipBatch.State.MAKING)
    context = {
        "batch": batch,
        "waiting": waiting,
        "ready": batch.state == PasswordSlipBatch.State.READY,
        "may_resend": waiting and (timezone.now() - batch.created_at).total_seconds() > RESEND_AFTER_SECONDS,
    }
    template = "circulation/_password_slips_state.html" if request.htmx else "circulation/password_slips.html"
    return render(request, template, context)


@require_POST
@capability_required(MANAGE)
def password_slips_resend_view(request, pk: int):
    password_slips_resend(batch=_own_batch(request, pk))
    messages.info(request, _("The slips were sent to the background worker again."))
    return redirect("circulation:password-slips", pk=pk)


@require_POST
@capability_required(MANAGE)
def password_slips_pdf(request, pk: int):
    try:
        pdf, filename = password_slips_download(batch_id=pk, user=request.user)
    except PasswordSlipsRefused as error:
        if not PasswordSlipBatch.objects.filter(pk=pk, created_by=request.user).exists():
            raise Http404 from error
        messages.error(request, error.message)
        return redirect("circulation:password-slips", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@capability_required(MANAGE)
def class_password_slips(request, pk: int):
    """New first passwords for a class: those still waiting for their first sign-in, or (scope
    "all") every active reader of the class."""
    school_class = get_object_or_404(SchoolClass, pk=pk)
    readers = Reader.objects.filter(school_class=school_class, status=Reader.Status.ACTIVE)
    if request.POST.get("scope") != "all":
        readers = readers.filter(user__password_change_required=True)
    try:
        batch = password_slips_request(
            reader_ids=readers.values_list("pk", flat=True),
            kind=PasswordSlipBatch.Kind.CLASS,
            user=request.user,
            school_class=school_class,
        )
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect("circulation:class-detail", pk=pk)
    return redirect("circulation:password-slips", pk=batch.pk)


@require_POST
@capability_required(MANAGE)
def reader_password_slip(request, pk: int):
    """A new first password for one reader (a forgotten password, a new reader at the desk)."""
    reader = get_object_or_404(Reader, pk=pk)
    batch = password_slips_request(
        reader_ids=[reader.pk], kind=PasswordSlipBatch.Kind.READER, user=request.user
    )
    return redirect("circulation:password-slips", pk=batch.pk)
