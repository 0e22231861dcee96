"""Pages of the work plans and the targets board.

Reading needs VIEW_STATISTICS (librarians, administrators, leaders). Drafting and submitting
needs MANAGE_COLLECTION too (librarians and administrators); approving or returning needs the
leaders' right ``reports.approve_work_plan``, checked again by the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.system.templatetags.punctuation import colon

from ..documents.board import targets_board_xlsx
from ..documents.plans import work_plan_pdf
from ..exceptions import ReportsError
from ..forms.management import PlanDecisionForm, PlanTargetForm, WorkPlanForm
from ..models import PlanTarget, WorkPlan
from ..selectors.periods import PeriodChoice
from ..selectors.plans import plan_lines, work_plan_document, work_plan_get, work_plans_decided_recently
from ..selectors.targets import default_school_year, targets_board
from ..services import plans as services
from ..states import APPROVE_WORK_PLAN, WORK_PLAN_STATES

view_statistics = capability_required(Capability.VIEW_STATISTICS)


def may_write(user) -> bool:
    return user.has_perm(Capability.MANAGE_COLLECTION.permission)


def _require_writer(request) -> None:
    if not may_write(request.user):
        raise PermissionDenied(Capability.MANAGE_COLLECTION.label)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}{colon()}{error}" if label else error)


@view_statistics
def plan_list(request):
    plans = WorkPlan.objects.select_related("term", "created_by", "decided_by").order_by(
        "-school_year", "kind", "-pk"
    )
    form = None
    if may_write(request.user):
        form = WorkPlanForm(
            request.POST or None,
            initial={
                "school_year": default_school_year(),
                "title": _("Library work plan %(year)s–%(next)s")
                % {"year": default_school_year(), "next": default_school_year() + 1},
            },
        )
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    plan = services.work_plan_create(
                        user=request.user,
                        kind=data["kind"],
                        school_year=data["school_year"],
                        term=data["term"],
                        title=data["title"],
                        aims=data["aims"],
                        measures=data["measures"],
                    )
                except ReportsError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(
                        request,
                        _("The plan is drafted with the standard targets: adjust them, then submit it."),
                    )
                    return redirect("reports:plan-detail", pk=plan.pk)
            else:
                _form_errors(request, form)
    elif request.method == "POST":
        raise PermissionDenied(Capability.MANAGE_COLLECTION.label)
    return render(
        request,
        "reports/plans/plan_list.html",
        {
            "plans": plans,
            "form": form,
            "decided": work_plans_decided_recently() if may_write(request.user) else [],
        },
    )


def _plan(pk: int) -> WorkPlan:
    plan = work_plan_get(pk)
    if plan is None:
        raise Http404("No such plan.")
    return plan


@view_statistics
def plan_detail(request, pk: int):
    plan = _plan(pk)
    targets = list(plan.targets.prefetch_related("assignments__staff__user"))
    lines = plan_lines(targets)
    writer = may_write(request.user) and plan.is_editable
    approver = request.user.has_perm(APPROVE_WORK_PLAN) and WORK_PLAN_STATES.allows(
        plan.status, WorkPlan.Status.APPROVED
    )
    return render(
        request,
        "reports/plans/plan_detail.html",
        {
            "plan": plan,
            "targets": targets,
            "lines": lines,
            "may_edit": writer,
            "may_submit": may_write(request.user)
            and WORK_PLAN_STATES.allows(plan.status, WorkPlan.Status.SUBMITTED),
            "may_decide": approver,
            "plan_form": WorkPlanForm(
                initial={"title": plan.title, "aims": plan.aims, "measures": plan.measures}, editing=True
            )
            if writer
            else None,
            "target_form": PlanTargetForm() if writer else None,
            "decision_form": PlanDecisionForm() if approver else None,
        },
    )


@view_statistics
def plan_pdf(request, pk: int):
    """The plan as a printable PDF: aims, measures, targets with how each is measured, and who
    approved it and when (or that it is not approved yet)."""
    plan = _plan(pk)
    try:
        content = work_plan_pdf(work_plan_document(plan))
    except ReportsError as error:
        messages.error(request, error.message)
        return redirect("reports:plan-detail", pk=plan.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="work-plan-{plan.school_year}-{plan.pk}.pdf"'
    return response


@view_statistics
@require_POST
def plan_update(request, pk: int):
    _require_writer(request)
    plan = _plan(pk)
    form = WorkPlanForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.work_plan_update(plan=plan, **form.cleaned_data)
        except ReportsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The plan is saved."))
    else:
        _form_errors(request, form)
    return redirect("reports:plan-detail", pk=plan.pk)


@view_statistics
@require_POST
def plan_target_add(request, pk: int):
    _require_writer(request)
    plan = _plan(pk)
    target = None
    if request.POST.get("target"):
        target = PlanTarget.objects.filter(pk=request.POST["target"], plan=plan).first()
        if target is None:
            raise Http404("No such target in this plan.")
    form = PlanTargetForm(request.POST)
    if form.is_valid():
        try:
            services.plan_target_save(plan=plan, target=target, **form.cleaned_data)
        except ReportsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The target is saved."))
    else:
        _form_errors(request, form)
    return redirect("reports:plan-detail", pk=plan.pk)


@view_statistics
@require_POST
def plan_target_remove(request, pk: int, target_pk: int):
    _require_writer(request)
    plan = _plan(pk)
    target = PlanTarget.objects.filter(pk=target_pk, plan=plan).first()
    if target is None:
        raise Http404("No such target in this plan.")
    try:
        services.plan_target_remove(plan=plan, target=target)
    except ReportsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The target is taken out of the draft."))
    return redirect("reports:plan-detail", pk=plan.pk)


@view_statistics
@require_POST
def plan_submit(request, pk: int):
    _require_writer(request)
    plan = _plan(pk)
    try:
        services.work_plan_submit(plan=plan, user=request.user)
    except ReportsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is submitted to the school leaders."))
    return redirect("reports:plan-detail", pk=plan.pk)


@view_statistics
@require_POST
def plan_decide(request, pk: int):
    plan = _plan(pk)
    form = PlanDecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if request.POST.get("decision") == "approve":
            services.work_plan_approve(plan=plan, user=request.user, comment=comment)
            messages.success(request, _("The plan is approved."))
        else:
            services.work_plan_return(plan=plan, user=request.user, comment=comment)
            messages.success(request, _("The plan is returned to the librarian."))
    except ReportsError as error:
        messages.error(request, error.message)
    return redirect("reports:plan-detail", pk=plan.pk)


def _year(request) -> int | None:
    text = (request.GET.get("year") or "").strip()
    if not text:
        return default_school_year()
    if text.isdigit() and 2000 <= int(text) <= 2100 and int(text) <= default_school_year():
        return int(text)
    return None


@view_statistics
def targets_board_page(request):
    year = _year(request)
    if year is None:
        messages.error(
            request,
            _("Choose a school year that has begun, for example %(year)s.") % {"year": default_school_year()},
        )
        return render(
            request, "reports/plans/targets_board.html", {"board": None, "years": _years(None)}, status=400
        )
    board = targets_board(year)
    if request.GET.get("format") == "xlsx":
        from catalog.labels import library_name_for_labels

        response = HttpResponse(
            targets_board_xlsx(board, school=library_name_for_labels()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="targets-{year}.xlsx"'
        return response
    return render(
        request,
        "reports/plans/targets_board.html",
        {"board": board, "year": year, "years": _years(year), "charts": board.chart()},
    )


def _years(shown: int | None) -> list[PeriodChoice]:
    current = default_school_year()
    return [
        PeriodChoice(value=year, label=f"{year}–{year + 1}", selected=year == shown)
        for year in range(current, current - 5, -1)
    ]
