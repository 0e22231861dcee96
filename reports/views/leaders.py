"""Pages of the report to school leaders.

Reading and downloading the report needs VIEW_STATISTICS (administrators, librarians and school
leaders). Writing the librarian's note needs MANAGE_COLLECTION as well: librarians and
administrators hold it, leaders and the desk's volunteers do not (EXPORT_REGISTERS would leave
out the librarians, who write the note).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..documents.leaders import leaders_report_pdf, leaders_report_xlsx, report_charts_svg
from ..exceptions import ReportsError
from ..forms.leaders import LeadersNoteForm
from ..selectors.leaders import leader_home, leaders_report_for_period, period_key
from ..selectors.periods import period_from_params, term_choices, terms_begun
from ..services.leaders import leaders_note_save

view_statistics = capability_required(Capability.VIEW_STATISTICS)
PERIOD_PARAMS = ("month", "term", "year", "from", "to")


def may_write_note(user) -> bool:
    return user.has_perm(Capability.VIEW_STATISTICS.permission) and user.has_perm(
        Capability.MANAGE_COLLECTION.permission
    )


def _period_query(request) -> str:
    return urlencode({name: request.GET[name] for name in PERIOD_PARAMS if request.GET.get(name)})


def _report_url(name: str, query: str) -> str:
    return reverse(name) + (f"?{query}" if query else "")


@view_statistics
@require_GET
def leaders_report(request):
    query = _period_query(request)
    terms = terms_begun(today=timezone.localdate(), limit=8)
    try:
        period = period_from_params(request.GET)
    except ReportsError as error:
        return render(
            request,
            "reports/leaders_report.html",
            {"error": error.message, "terms": term_choices(terms, None), "params": request.GET},
            status=400,
        )
    report = leaders_report_for_period(period)
    note_form = None
    if may_write_note(request.user):
        note_form = LeadersNoteForm(
            initial={"text": report.note_text, "version": report.note.version if report.note else 0}
        )
    charts = {}
    if report.statistics.has_data:
        try:
            charts = report_charts_svg(report)
        except ReportsError as error:
            messages.warning(request, error.message)
    return render(
        request,
        "reports/leaders_report.html",
        {
            "report": report,
            "statistics": report.statistics,
            "charts": charts,
            "terms": term_choices(terms, period),
            "params": request.GET,
            "note_form": note_form,
            "pdf_url": _report_url("reports:leaders-report-pdf", query),
            "xlsx_url": _report_url("reports:leaders-report-xlsx", query),
            "note_url": _report_url("reports:leaders-note-save", query),
            "statistics_url": _report_url("reports:statistics", query),
        },
    )


def _download(request, *, build, content_type: str, extension: str):
    query = _period_query(request)
    try:
        period = period_from_params(request.GET)
        report = leaders_report_for_period(period)
        if not report.statistics.has_data:
            raise ReportsError(
                _("There are no statistics for this period yet, so there is no report to download.")
            )
        content = build(report)
    except ReportsError as error:
        messages.error(request, error.message)
        return redirect(_report_url("reports:leaders-report", query))
    response = HttpResponse(content, content_type=content_type)
    filename = f"leaders-report-{period_key(period).replace(':', '-')}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@view_statistics
@require_GET
def leaders_report_pdf_download(request):
    return _download(request, build=leaders_report_pdf, content_type="application/pdf", extension="pdf")


@view_statistics
@require_GET
def leaders_report_xlsx_download(request):
    return _download(
        request,
        build=leaders_report_xlsx,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extension="xlsx",
    )


@view_statistics
@require_POST
def leaders_note_save_view(request):
    if not may_write_note(request.user):
        raise PermissionDenied(Capability.MANAGE_COLLECTION.label)
    query = _period_query(request)
    try:
        period = period_from_params(request.GET)
    except ReportsError as error:
        messages.error(request, error.message)
        return redirect(_report_url("reports:leaders-report", query))
    form = LeadersNoteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_report_url("reports:leaders-report", query))
    try:
        leaders_note_save(
            period=period,
            text=form.cleaned_data["text"],
            version=form.cleaned_data["version"],
            user=request.user,
        )
    except ReportsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The note is saved: it appears in the report, the PDF and the workbook."))
    return redirect(_report_url("reports:leaders-report", query) + "#note")


@view_statistics
def leader_home_page(request):
    """The school leader's home page ("/"): what waits for their decision (purchase plans,
    write-offs, the library's work plans), last month's headline figures, and the school's readers and classes."""
    from circulation.selectors.school import school_overview

    home = leader_home(request.user, today=timezone.localdate())
    return render(request, "reports/home_leader.html", {"home": home, "overview": school_overview()})
