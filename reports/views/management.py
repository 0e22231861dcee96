"""Pages of the library's management: compliance, the equipment register, the safety log, the
staff (posts, breakdown, study sessions, training, papers, evaluations) and the term summary.

Reading the registers needs VIEW_STATISTICS; writing them MANAGE_COLLECTION (librarians and
administrators); the compliance standards and the evaluation's criteria MANAGE_POLICIES (the
administrator). A staff member's page, with their evaluations, is theirs alone, or open to the
administrator and the school leaders (``selectors.management.may_see_all_staff``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ReportsError
from ..forms import management as forms
from ..models import ComplianceSettings, EvaluationCriterion, StaffPaper
from ..selectors import management as selectors
from ..selectors.compliance import compliance_report
from ..services import management as services
from .plans import _form_errors, may_write

view_statistics = capability_required(Capability.VIEW_STATISTICS)
manage_policies = capability_required(Capability.MANAGE_POLICIES)


def _require_writer(request) -> None:
    if not may_write(request.user):
        raise PermissionDenied(Capability.MANAGE_COLLECTION.label)


def _saved(request, call, success: str) -> bool:
    try:
        call()
    except ReportsError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


# --- compliance ----------------------------------------------------------------------------------


@view_statistics
def compliance_page(request):
    return render(request, "reports/management/compliance.html", {"compliance": compliance_report()})


@manage_policies
def compliance_settings_page(request):
    settings = ComplianceSettings.current()
    form = forms.ComplianceSettingsForm(request.POST or None, settings=settings)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if _saved(
                request,
                lambda: services.compliance_settings_save(
                    user=request.user,
                    school_type=data["school_type"],
                    standards=form.standards(),
                    shares=form.shares(),
                    tolerance=data["clc_tolerance"],
                ),
                _("The compliance settings are saved."),
            ):
                return redirect("reports:compliance")
        else:
            _form_errors(request, form)
    return render(
        request,
        "reports/management/compliance_settings.html",
        {"form": form, "title": _("Compliance settings"), "wide": True},
    )


# --- equipment -----------------------------------------------------------------------------------


@view_statistics
def equipment_page(request):
    form = forms.EquipmentItemForm(request.POST or None) if may_write(request.user) else None
    if request.method == "POST":
        _require_writer(request)
        if form.is_valid():
            if _saved(
                request,
                lambda: services.equipment_add(user=request.user, **form.cleaned_data),
                _("The item is registered."),
            ):
                return redirect("reports:equipment")
        else:
            _form_errors(request, form)
    return render(
        request,
        "reports/management/equipment.html",
        {"register": selectors.equipment_register(), "form": form},
    )


@view_statistics
def equipment_item_page(request, pk: int):
    item = selectors.equipment_item_get(pk)
    if item is None:
        raise Http404("No such item.")
    writer = may_write(request.user) and item.retired_on is None
    check_form = (
        forms.EquipmentCheckForm(request.POST if request.POST.get("action") == "check" else None)
        if writer
        else None
    )
    retire_form = (
        forms.EquipmentRetireForm(request.POST if request.POST.get("action") == "retire" else None)
        if writer
        else None
    )
    if request.method == "POST":
        _require_writer(request)
        if request.POST.get("action") == "check" and check_form is not None:
            if check_form.is_valid() and _saved(
                request,
                lambda: services.equipment_check_record(
                    user=request.user, item=item, **check_form.cleaned_data
                ),
                _("The check is recorded."),
            ):
                return redirect("reports:equipment-item", pk=item.pk)
            _form_errors(request, check_form)
        elif request.POST.get("action") == "retire" and retire_form is not None:
            if retire_form.is_valid() and _saved(
                request,
                lambda: services.equipment_retire(user=request.user, item=item, **retire_form.cleaned_data),
                _("The item is retired."),
            ):
                return redirect("reports:equipment-item", pk=item.pk)
            _form_errors(request, retire_form)
        else:
            messages.error(request, _("This item is retired: nothing more is recorded for it."))
    return render(
        request,
        "reports/management/equipment_item.html",
        {"item": item, "check_form": check_form, "retire_form": retire_form},
    )


# --- safety --------------------------------------------------------------------------------------


@view_statistics
def safety_page(request):
    writer = may_write(request.user)
    action = request.POST.get("action")
    inspection_form = (
        forms.SafetyInspectionForm(request.POST if action == "inspection" else None) if writer else None
    )
    incident_form = (
        forms.SafetyIncidentForm(request.POST if action == "incident" else None) if writer else None
    )
    if request.method == "POST":
        _require_writer(request)
        if action == "inspection":
            if inspection_form.is_valid():
                data = inspection_form.cleaned_data
                if _saved(
                    request,
                    lambda: services.safety_inspection_record(
                        user=request.user,
                        room=data["room"],
                        inspected_on=data["inspected_on"],
                        checklist=inspection_form.checklist(),
                        notes=data["notes"],
                    ),
                    _("The inspection is recorded."),
                ):
                    return redirect("reports:safety")
            else:
                _form_errors(request, inspection_form)
        elif action == "incident":
            if incident_form.is_valid():
                if _saved(
                    request,
                    lambda: services.safety_incident_record(user=request.user, **incident_form.cleaned_data),
                    _("The incident is recorded."),
                ):
                    return redirect("reports:safety")
            else:
                _form_errors(request, incident_form)
    return render(
        request,
        "reports/management/safety.html",
        {"log": selectors.safety_log(), "inspection_form": inspection_form, "incident_form": incident_form},
    )


# --- staff ---------------------------------------------------------------------------------------


@login_required
def staff_page(request):
    """The staff list (posts and duties) for those who read the registers; anyone else on the
    staff is sent to their own page."""
    if not request.user.has_perm(Capability.VIEW_STATISTICS.permission):
        own = selectors.staff_member_of(request.user)
        if own is None:
            raise PermissionDenied(Capability.VIEW_STATISTICS.label)
        return redirect("reports:staff-member", pk=own.pk)
    form = forms.StaffMemberForm(request.POST or None) if may_write(request.user) else None
    if request.method == "POST":
        _require_writer(request)
        if form.is_valid():
            data = form.cleaned_data
            if _saved(
                request,
                lambda: services.staff_member_save(
                    user=request.user,
                    account=data["account"],
                    post=data["post"],
                    duties=data["duties"],
                    joined_on=data["joined_on"],
                ),
                _("The staff member is added."),
            ):
                return redirect("reports:staff")
        else:
            _form_errors(request, form)
    own = selectors.staff_member_of(request.user)
    return render(
        request,
        "reports/management/staff.html",
        {
            "staff": selectors.staff_list(),
            "form": form,
            "see_all": selectors.may_see_all_staff(request.user),
            "own": own,
        },
    )


@login_required
def staff_member_page(request, pk: int):
    member = selectors.staff_member_visible(request.user, pk)
    if member is None:
        raise Http404("No such staff member.")
    writer = may_write(request.user)
    action = request.POST.get("action")
    paper_form = forms.StaffPaperForm(
        request.POST if action == "paper" else None,
        request.FILES if action == "paper" else None,
        initial={"staff": member},
    )
    training_form = forms.TrainingForm(
        request.POST if action == "training" else None, initial={"staff": member}
    )
    assignment_form = forms.TargetAssignmentForm(request.POST if action == "assignment" else None)
    if request.method == "POST":
        _require_writer(request)
        if action == "paper" and paper_form.is_valid():
            data = paper_form.cleaned_data
            if _saved(
                request,
                lambda: services.staff_paper_record(
                    user=request.user,
                    staff=member,
                    kind=data["kind"],
                    title=data["title"],
                    written_on=data["written_on"],
                    published_in=data["published_in"],
                    upload=data["file"],
                ),
                _("The paper is recorded."),
            ):
                return redirect("reports:staff-member", pk=member.pk)
        elif action == "training" and training_form.is_valid():
            data = training_form.cleaned_data
            if _saved(
                request,
                lambda: services.training_record(
                    user=request.user,
                    staff=member,
                    held_on=data["held_on"],
                    topic=data["topic"],
                    hours=data["hours"],
                ),
                _("The training is recorded."),
            ):
                return redirect("reports:staff-member", pk=member.pk)
        elif action == "assignment" and assignment_form.is_valid():
            data = assignment_form.cleaned_data
            if _saved(
                request,
                lambda: services.target_assign(target=data["target"], staff=member, task=data["task"]),
                _("The target's part is assigned."),
            ):
                return redirect("reports:staff-member", pk=member.pk)
        else:
            for form in (paper_form, training_form, assignment_form):
                if form.is_bound:
                    _form_errors(request, form)
    from circulation.models import Term

    return render(
        request,
        "reports/management/staff_member.html",
        {
            "member": member,
            "records": selectors.staff_member_records(member),
            "writer": writer,
            "paper_form": paper_form if writer else None,
            "training_form": training_form if writer else None,
            "assignment_form": assignment_form if writer else None,
            "may_evaluate": selectors.may_evaluate(request.user),
            "terms": Term.objects.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on")[:6],
        },
    )


@login_required
def staff_paper_download(request, pk: int):
    paper = StaffPaper.objects.select_related("staff").filter(pk=pk).first()
    if paper is None or selectors.staff_member_visible(request.user, paper.staff_id) is None:
        raise Http404("No such paper.")
    return FileResponse(
        paper.file.open("rb"), as_attachment=True, filename=paper.file.name.rsplit("/", 1)[-1]
    )


@view_statistics
def study_sessions_page(request):
    form = forms.StudySessionForm(
        request.POST or None, initial={"held_on": selectors.study_session_next_date()}
    )
    if request.method == "POST":
        _require_writer(request)
        if form.is_valid():
            if _saved(
                request,
                lambda: services.study_session_record(user=request.user, **form.cleaned_data),
                _("The study session is recorded."),
            ):
                return redirect("reports:study-sessions")
        else:
            _form_errors(request, form)
    from ..selectors.periods import term_current

    term = term_current(today=timezone.localdate())
    return render(
        request,
        "reports/management/study_sessions.html",
        {
            "sessions": selectors.study_sessions(),
            "form": form if may_write(request.user) else None,
            "schedule": selectors.study_session_schedule(term) if term else [],
            "term": term,
        },
    )


@manage_policies
def criteria_page(request):
    form = forms.CriterionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            last = (
                EvaluationCriterion.objects.order_by("-position").values_list("position", flat=True).first()
                or 0
            )
            EvaluationCriterion.objects.create(position=last + 1, **form.cleaned_data)
            messages.success(request, _("The criterion is added."))
            return redirect("reports:criteria")
        _form_errors(request, form)
    return render(
        request,
        "reports/management/criteria.html",
        {"criteria": EvaluationCriterion.objects.all(), "form": form, "evidence": selectors.EVIDENCE},
    )


@login_required
def evaluation_page(request, pk: int, term_pk: int):
    from circulation.models import Term

    member = selectors.staff_member_visible(request.user, pk)
    term = Term.objects.filter(pk=term_pk).first()
    if member is None or term is None:
        raise Http404("No such evaluation.")
    sheet = selectors.evaluation_sheet(member, term)
    form = None
    if selectors.may_evaluate(request.user):
        initial = {f"criterion_{line.criterion.pk}": line.points for line in sheet.lines}
        initial["comment"] = sheet.evaluation.comment if sheet.evaluation else ""
        form = forms.EvaluationForm(
            request.POST or None, criteria=[line.criterion for line in sheet.lines], initial=initial
        )
        if request.method == "POST":
            if form.is_valid():
                if _saved(
                    request,
                    lambda: services.evaluation_save(
                        user=request.user,
                        staff=member,
                        term=term,
                        points=form.points(),
                        comment=form.cleaned_data["comment"],
                    ),
                    _("The evaluation is saved."),
                ):
                    return redirect("reports:evaluation", pk=member.pk, term_pk=term.pk)
            else:
                _form_errors(request, form)
    elif request.method == "POST":
        raise PermissionDenied(_("Only the administrator and the school leaders evaluate."))
    return render(request, "reports/management/evaluation.html", {"sheet": sheet, "form": form})


# --- the term summary ----------------------------------------------------------------------------

SUMMARY_FORMATS = {
    "pdf": ("application/pdf", "term_summary_pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "term_summary_docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "term_summary_xlsx"),
}


def _term(request):
    from circulation.models import Term

    from ..selectors.periods import term_current

    text = (request.GET.get("term") or "").strip()
    if text:
        return Term.objects.filter(pk=int(text)).first() if text.isdigit() else None
    today = timezone.localdate()
    return (
        term_current(today=today) or Term.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
    )


@view_statistics
def term_summary_page(request):
    from circulation.models import Term

    from ..selectors.summary import term_summary
    from ..services.summary import term_summary_text_save

    term = _term(request)
    terms = Term.objects.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on")[:8]
    if term is None:
        messages.error(request, _("There is no such term: choose one from the list."))
        return render(request, "reports/management/term_summary.html", {"terms": terms}, status=400)
    if request.method == "POST":
        _require_writer(request)
        form = forms.TermSummaryTextForm(request.POST)
        if form.is_valid() and _saved(
            request,
            lambda: term_summary_text_save(
                term=term,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
                user=request.user,
            ),
            _("The summary's text is saved."),
        ):
            return redirect(f"{request.path}?term={term.pk}")
        _form_errors(request, form)
    summary = term_summary(term)
    fmt = request.GET.get("format")
    if fmt in SUMMARY_FORMATS:
        from ..documents import summary as documents

        content_type, builder = SUMMARY_FORMATS[fmt]
        try:
            content = getattr(documents, builder)(summary)
        except ReportsError as error:
            messages.error(request, error.message)
            return redirect(f"{request.path}?term={term.pk}")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="term-summary-{term.pk}.{fmt}"'
        return response
    form = None
    if may_write(request.user):
        form = forms.TermSummaryTextForm(
            initial={"text": summary.own_text, "version": summary.text.version if summary.text else 0}
        )
    return render(
        request,
        "reports/management/term_summary.html",
        {"summary": summary, "terms": terms, "form": form, "term": term},
    )
