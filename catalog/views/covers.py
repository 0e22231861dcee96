"""Cover images: the stored image in two sizes (cached for long: its address changes with each
new cover), the generated placeholder, and the cataloguer's upload on the record's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents.exceptions import ImageRefused

from ..covers import placeholder_svg
from ..models import Record, RecordCover
from ..services.covers import cover_set
from .opac import opac_access


@opac_access
def record_cover(request, pk: int, size: str):
    if size not in {"large", "small"}:
        raise Http404
    cover = RecordCover.objects.filter(record_id=pk).only(size).first()
    if cover is None:
        raise Http404
    response = HttpResponse(bytes(getattr(cover, size)), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@opac_access
def record_cover_placeholder(request, pk: int):
    record = get_object_or_404(Record.objects.only("title", "clc_code", "call_number"), pk=pk)
    response = HttpResponse(placeholder_svg(record), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@capability_required(Capability.MANAGE_CATALOGUE)
@require_POST
def record_cover_upload(request, pk: int):
    record = get_object_or_404(Record, pk=pk)
    upload = request.FILES.get("cover")
    if upload is None:
        messages.error(request, _("Choose a photo of the cover first."))
        return redirect("catalog:record-manage", pk)
    try:
        cover_set(record=record, upload=upload, user=request.user)
    except ImageRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The cover is saved."))
    return redirect("catalog:record-manage", pk)
