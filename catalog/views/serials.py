"""Newspapers and periodicals (C3, registers B and C): the titles, each room's subscriptions for
the year, the check-in of each issue in one scan or click, the issues to claim, and binding a run
of issues into a volume that can be lent."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import SerialError
from catalog.forms.serials import BindingForm, SerialForm, SubscriptionForm
from catalog.models import Location, Serial, SerialIssue, Subscription
from catalog.selectors.serials import (
    checkin_list,
    issues_missing,
    serial_room_for_checkin,
    serial_rooms,
    subscription_issues,
    subscriptions_overview,
    subscriptions_totals,
)
from catalog.services import serials as serials_services
from catalog.services.serials import (
    binding_create,
    issue_receive,
    issue_receive_by_code,
    issue_receive_undo,
    issues_claim,
)
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability


def _year_of(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _room_of(request, name: str = "location") -> Location | None:
    value = request.GET.get(name) or request.POST.get(name)
    if not value or not str(value).isdigit():
        return None
    return serial_rooms().filter(pk=value).first()


@capability_required(Capability.MANAGE_COLLECTION)
def serials_home(request):
    today = timezone.localdate()
    year = _year_of(request)
    room = _room_of(request)
    kind = request.GET.get("kind", "")
    if kind not in Serial.Kind.values:
        kind = ""
    subscriptions = list(subscriptions_overview(year=year, on=today, location=room, kind=kind))
    totals = subscriptions_totals(subscriptions)
    return render(
        request,
        "catalog/serials/home.html",
        {
            "subscriptions": subscriptions,
            "totals": totals,
            "year": year,
            "years": range(today.year + 1, today.year - 5, -1),
            "room": room,
            "rooms": serial_rooms(),
            "kind": kind,
            "kinds": Serial.Kind.choices,
        },
    )


@capability_required(Capability.MANAGE_COLLECTION)
def serial_create(request):
    form = SerialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            serial = serials_services.serial_create(**form.cleaned_data, user=request.user)
        except SerialError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("“%(title)s” was added.") % {"title": serial.title})
            return redirect(f"{reverse('catalog:subscription-create')}?serial={serial.pk}")
    return render(
        request, "catalog/serials/form.html", {"form": form, "heading": _("New newspaper or periodical")}
    )


@capability_required(Capability.MANAGE_COLLECTION)
def subscription_create(request):
    initial = {"year": timezone.localdate().year, "serial": request.GET.get("serial")}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = serials_services.subscription_create(**form.cleaned_data, user=request.user)
        except SerialError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Subscribed: %(subscription)s, %(count)s issues expected.")
                % {"subscription": subscription, "count": subscription.issues.count()},
            )
            return redirect("catalog:subscription", pk=subscription.pk)
    return render(request, "catalog/serials/form.html", {"form": form, "heading": _("New subscription")})


@capability_required(Capability.MANAGE_COLLECTION)
def subscription_detail(request, pk: int):
    subscription = get_object_or_404(Subscription.objects.select_related("serial", "location"), pk=pk)
    binding = BindingForm(request.POST if request.POST.get("action") == "bind" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("receive", "undo"):
                issue = get_object_or_404(
                    SerialIssue, pk=request.POST.get("issue") or 0, subscription=subscription
                )
                if action == "receive":
                    issue, done = issue_receive(issue=issue, user=request.user)
                    if done:
                        messages.success(
                            request, _("Issue %(number)s checked in.") % {"number": issue.number}
                        )
                    else:
                        messages.info(
                            request, _("Issue %(number)s was already checked in.") % {"number": issue.number}
                        )
                else:
                    issue_receive_undo(issue=issue, user=request.user)
                    messages.info(
                        request,
                        _("The check-in of issue %(number)s was taken back.") % {"number": issue.number},
                    )
                return redirect("catalog:subscription", pk=subscription.pk)
            if action == "bind" and binding.is_valid():
                copy = binding_create(subscription=subscription, **binding.cleaned_data, user=request.user)
                messages.success(
                    request,
                    _("Bound into a volume with barcode %(barcode)s: it can be lent like a book.")
                    % {"barcode": copy.barcode},
                )
                return redirect("catalog:record-manage", pk=copy.record_id)
        except SerialError as error:
            messages.error(request, error.message)
            if action != "bind":
                return redirect("catalog:subscription", pk=subscription.pk)
            binding.add_error(None, error.message)
    today = timezone.localdate()
    issues = subscription_issues(subscription, on=today)
    return render(
        request,
        "catalog/serials/subscription.html",
        {"subscription": subscription, "issues": issues, "binding": binding, "today": today},
    )


@capability_required(Capability.MANAGE_COLLECTION)
def serials_checkin(request):
    """One scan (the cover's barcode, the ISSN or the CN number) or one click per issue."""
    today = timezone.localdate()
    room = _room_of(request)
    rooms = list(serial_rooms())
    if room is None and rooms:
        room = serial_room_for_checkin(rooms)
    outcome = None
    if request.method == "POST" and room is not None:
        try:
            if request.POST.get("issue"):
                issue = get_object_or_404(
                    SerialIssue,
                    pk=request.POST["issue"] if request.POST["issue"].isdigit() else 0,
                    subscription__location=room,
                )
                issue, done = issue_receive(issue=issue, user=request.user, on=today)
            else:
                code = request.POST.get("code", "")
                if not code.strip():
                    raise SerialError(_("Scan the barcode on the cover, or type the ISSN or CN number."))
                issue, done = issue_receive_by_code(code=code, location=room, user=request.user, on=today)
        except SerialError as error:
            outcome = {"ok": False, "message": error.message}
        else:
            title = issue.subscription.serial.title
            outcome = {
                "ok": True,
                "message": (
                    _("“%(title)s” issue %(number)s checked in.")
                    if done
                    else _("“%(title)s” issue %(number)s was already checked in.")
                )
                % {"title": title, "number": issue.number},
            }
    context = {
        "room": room,
        "rooms": rooms,
        "today": today,
        "outcome": outcome,
        "subscriptions": list(checkin_list(location=room, on=today)) if room else [],
    }
    if request.htmx:
        return render(request, "catalog/serials/_checkin.html", context)
    return render(request, "catalog/serials/checkin.html", context)


@capability_required(Capability.MANAGE_COLLECTION)
def serials_missing(request):
    """The issues to claim from the supplier (催缺单), printable; marking them claimed."""
    today = timezone.localdate()
    room = _room_of(request)
    issues = issues_missing(on=today, location=room)
    if request.method == "POST":
        chosen = [value for value in request.POST.getlist("issue") if value.isdigit()]
        if not chosen:
            messages.error(request, _("Tick the issues that were claimed."))
        else:
            count = issues_claim(issues=issues.filter(pk__in=chosen), on=today)
            messages.success(request, _("%(count)s issues marked as claimed today.") % {"count": count})
        url = reverse("catalog:serials-missing")
        return redirect(f"{url}?location={room.pk}" if room else url)
    return render(
        request,
        "catalog/serials/missing.html",
        {
            "issues": list(issues[:1000]),
            "room": room,
            "rooms": serial_rooms(),
            "today": today,
            "days": SerialIssue.MISSING_AFTER_DAYS,
        },
    )
