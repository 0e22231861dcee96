"""Honorary titles: the honour roll (everyone signed in), the award page (the title's rule
proposes candidates for a month or a term; the librarian ticks them, or names pupils by hand),
revocation with a reason, and the certificates as PDF (one award, or a batch for a class or
grade, A4 or A5 landscape). A pupil may print only their own certificate."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation.models import Reader, SchoolClass, Term
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents.exceptions import DocumentError

from ..certificates import certificates_pdf
from ..exceptions import ActivitiesError
from ..models import Honour
from ..selectors.honours import awards_of, certificates_for, titles_in_use
from ..selectors.honours import honour_roll as roll
from ..selectors.notes import reader_of_user
from ..services.honours import honour_candidates, honour_revoke, honours_award, period_bounds

manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)


@login_required
def honour_roll(request):
    return render(
        request,
        "activities/honour_roll.html",
        {
            "honours": roll(period_label=request.GET.get("period", "")),
            "may_manage": request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission),
            "titles": titles_in_use(),
            "classes": SchoolClass.objects.filter(is_active=True).order_by("grade", "number"),
        },
    )


def _period(request) -> tuple[str, date, date, str] | None:
    """The period chosen: ("month", first day, day after, "2026年11月") or a term."""
    source = request.POST if request.method == "POST" else request.GET
    term_id = source.get("term", "")
    month = source.get("month", "")
    if term_id.isdigit():
        term = Term.objects.filter(pk=int(term_id)).first()
        if term:
            start, end = period_bounds(Honour.Period.TERM, term.starts_on, term.ends_on)
            return Honour.Period.TERM, start, end, term.name
    if month:
        try:
            first = date.fromisoformat(month + "-01")
        except ValueError:
            return None
        start, end = period_bounds(Honour.Period.MONTH, first)
        return Honour.Period.MONTH, start, end, f"{first:%Y-%m}"
    return None


@manage_activities
def honours_award_page(request):
    titles = titles_in_use()
    source = request.POST if request.method == "POST" else request.GET
    title = next(
        (item for item in titles if str(item.pk) == source.get("title", "")), titles[0] if titles else None
    )
    period = _period(request)
    if period is None and request.method == "GET":
        period = (
            Honour.Period.MONTH,
            *period_bounds(Honour.Period.MONTH, timezone.localdate()),
            f"{timezone.localdate():%Y-%m}",
        )
    candidates, rule_text, error = None, "", None
    if title and period:
        candidates, rule_text = honour_candidates(title, period[1], period[2])
    if request.method == "POST" and title and period:
        chosen = request.POST.getlist("chosen")
        bases = {candidate.key: candidate.basis for candidate in candidates or []}
        reader_ids = [int(key[1:]) for key in chosen if key.startswith("r") and key[1:].isdigit()]
        class_ids = [int(key[1:]) for key in chosen if key.startswith("c") and key[1:].isdigit()]
        numbers = [
            part.strip()
            for part in request.POST.get("numbers", "").replace("，", ",").split(",")
            if part.strip()
        ]
        readers = list(Reader.objects.filter(pk__in=reader_ids, kind=Reader.Kind.STUDENT))
        by_number = list(Reader.objects.filter(number__in=numbers, kind=Reader.Kind.STUDENT))
        missing = set(numbers) - {reader.number for reader in by_number}
        try:
            if missing:
                raise ActivitiesError(
                    _("No pupil has the number(s) %(numbers)s.") % {"numbers": "、".join(sorted(missing))}
                )
            honours = honours_award(
                title=title,
                period=period[0],
                period_start=period[1],
                period_label=period[3],
                by=request.user,
                readers=list({reader.pk: reader for reader in readers + by_number}.values()),
                classes=list(SchoolClass.objects.filter(pk__in=class_ids)),
                bases=bases,
            )
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            messages.success(
                request, _("%(count)s award(s) of %(title)s.") % {"count": len(honours), "title": title.name}
            )
            query = f"?title={title.pk}&" + (
                f"term={request.POST['term']}"
                if period[0] == Honour.Period.TERM
                else f"month={period[1]:%Y-%m}"
            )
            return redirect(request.path + query)
    return render(
        request,
        "activities/honours_award.html",
        {
            "titles": titles,
            "title": title,
            "period": period,
            "candidates": candidates,
            "rule_text": rule_text,
            "error": error,
            "awards": awards_of(title, period[1]) if title and period else [],
            "terms": Term.objects.order_by("-starts_on")[:6],
        },
        status=400 if error else 200,
    )


@manage_activities
@require_POST
def honour_revoke_view(request, honour_id: int):
    honour = get_object_or_404(Honour, pk=honour_id)
    try:
        honour_revoke(honour=honour, by=request.user, reason=request.POST.get("reason", ""))
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The award is revoked; it stays on record with the reason."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("activities:honour-roll")


def _pdf(honours, size: str, name: str) -> HttpResponse:
    try:
        data = certificates_pdf(honours, size=size)
    except DocumentError as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def certificate(request, honour_id: int):
    honour = get_object_or_404(
        Honour.objects.select_related("title", "reader__user", "reader__school_class", "school_class"),
        pk=honour_id,
        revoked_at__isnull=True,
    )
    if not request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        reader = reader_of_user(request.user)
        if reader is None or honour.reader_id != reader.pk:
            raise Http404()
    return _pdf([honour], request.GET.get("size", "A4"), f"certificate-{honour.pk}.pdf")


@manage_activities
def certificates_batch(request):
    source = request.GET
    class_id = source.get("class", "")
    grade = source.get("grade", "")
    title_id = source.get("title", "")
    honours = certificates_for(
        title_id=int(title_id) if title_id.isdigit() else None,
        period_label=source.get("period", ""),
        class_id=int(class_id) if class_id.isdigit() else None,
        grade=int(grade) if grade.isdigit() else None,
    )
    if not honours:
        messages.error(request, _("No award matches: there is nothing to print."))
        return redirect("activities:honour-roll")
    return _pdf(honours, source.get("size", "A4"), "certificates.pdf")
