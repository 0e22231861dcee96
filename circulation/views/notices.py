"""Notices in the pages: a person's inbox (every reader's, and a head teacher's class lists),
a class's overdue list with its printable slips, and the administrator's wording of the
notices. A notice is shown only to its recipient, and a class's list only to its head teacher
and the library's staff: anything else is a 404 or a 403, and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..forms.notices import NoticeTemplateForm
from ..models import Notice, NoticeTemplate, SchoolClass
from ..policies import PLACEHOLDER_HELP, PLACEHOLDERS
from ..printing.notices import class_slips_pdf
from ..selectors.notices import (
    class_overdue_slips,
    notice_template_current,
    notices_for_user,
    user_may_see_class_lists,
)
from ..services.notices import notice_mark_read, notice_template_reset, notice_template_save


@login_required
def my_notices(request):
    return render(request, "circulation/my_notices.html", notices_for_user(request.user))


@login_required
@require_POST
def my_notices_read(request):
    notice_mark_read(user=request.user)
    return redirect("circulation:my-notices")


@login_required
@require_POST
def my_notice_read(request, notice_id: int):
    # Nothing marked: somebody else's notice (a 404), or one already read (nothing to say).
    if (
        not notice_mark_read(user=request.user, notice_id=notice_id)
        and not Notice.objects.filter(pk=notice_id, recipient=request.user).exists()
    ):
        raise Http404("not your notice")
    return redirect("circulation:my-notices")


def _class_for(request, pk: int) -> SchoolClass:
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=pk)
    if not user_may_see_class_lists(request.user, school_class):
        raise PermissionDenied(_("Only the class's head teacher and the library see its overdue list."))
    return school_class


@login_required
def class_overdue_page(request, pk: int):
    school_class = _class_for(request, pk)
    today = timezone.localdate()
    slips = class_overdue_slips(school_class, today=today)
    return render(
        request,
        "circulation/class_overdue.html",
        {
            "school_class": school_class,
            "slips": slips,
            "today": today,
            "book_count": sum(len(slip["loans"]) for slip in slips),
        },
    )


@login_required
def class_overdue_pdf(request, pk: int):
    school_class = _class_for(request, pk)
    today = timezone.localdate()
    try:
        pdf = class_slips_pdf(
            school_class=school_class, slips=class_overdue_slips(school_class, today=today), today=today
        )
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect("circulation:class-overdue", pk=school_class.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"逾期通知单-{school_class.name}.pdf"
    )
    return response


@capability_required(Capability.MANAGE_POLICIES)
def notice_template_edit(request, kind: str):
    if kind not in NoticeTemplate.Kind.values:
        raise Http404("no such notice")
    saved, subject, body = notice_template_current(kind)
    form = NoticeTemplateForm(request.POST or None, kind=kind, initial={"subject": subject, "body": body})
    if request.method == "POST" and request.POST.get("reset") == "1":
        notice_template_reset(kind=kind)
        messages.success(request, _("The notice is back to the default wording."))
        return redirect("circulation:policies")
    if request.method == "POST" and form.is_valid():
        notice_template_save(
            kind=kind, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"], user=request.user
        )
        messages.success(request, _("The wording of the notice is saved."))
        return redirect("circulation:policies")
    return render(
        request,
        "circulation/notice_template_form.html",
        {
            "form": form,
            "kind": NoticeTemplate.Kind(kind),
            "placeholders": [(name, PLACEHOLDER_HELP[name]) for name in PLACEHOLDERS[kind]],
            "is_default": saved is None,
        },
    )
