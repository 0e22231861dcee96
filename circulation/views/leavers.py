"""The staff's pages for leavers: the clearance list of a class (离校清书), a reader's
clearance with their certificate (离校证明), and a compensation marked paid. Every page needs
MANAGE_READERS."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.labels import library_name_for_labels
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..models import Compensation, Reader, SchoolClass
from ..printing.leavers import clearance_certificate_pdf
from ..selectors.leavers import class_clearance, clearance_certificates_of, reader_clearance
from ..services import leavers as services

MANAGE = Capability.MANAGE_READERS


def _school_name() -> str:
    return library_name_for_labels() or settings.SCHOOL_NAME


@capability_required(MANAGE)
def class_clearance_page(request, pk: int):
    """The printable clearance list of a class: every pupil, what they still have out and owe."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=pk)
    context = class_clearance(school_class)
    context["school_name"] = _school_name()
    context["owing_only"] = request.GET.get("owing") == "1"
    if context["owing_only"]:
        context["rows"] = [row for row in context["rows"] if not row["clear"]]
    return render(request, "circulation/class_clearance.html", context)


@capability_required(MANAGE)
def reader_clearance_page(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    context = reader_clearance(reader)
    context["certificates"] = clearance_certificates_of(reader)
    return render(request, "circulation/reader_clearance.html", context)


@capability_required(MANAGE)
def clearance_certificate(request, pk: int):
    """The certificate as a PDF, or back to the reader's clearance with what is still out."""
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    try:
        with transaction.atomic():
            certificate = services.clearance_certificate_issue(reader=reader, user=request.user)
            certificate.reader = reader
            pdf = clearance_certificate_pdf(certificate, school=_school_name())
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect("circulation:reader-clearance", pk=reader.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"离校证明-{reader.number}.pdf"
    )
    return response


@require_POST
@capability_required(MANAGE)
def compensation_paid(request, pk: int):
    compensation = get_object_or_404(Compensation.objects.select_related("loan"), pk=pk)
    if services.compensation_mark_paid(compensation=compensation, user=request.user):
        messages.success(
            request,
            _("The compensation of %(amount)s yuan is marked paid.") % {"amount": compensation.amount},
        )
    else:
        messages.info(request, _("This compensation was already marked paid."))
    if compensation.loan.reader_id:
        return redirect("circulation:reader-clearance", pk=compensation.loan.reader_id)
    return redirect("circulation:reader-list")
