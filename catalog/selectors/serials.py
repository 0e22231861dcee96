"""Reads of newspapers and periodicals: a year's subscriptions with their issues due, received
and missing, the issues to claim, the check-in list, and registers B and C."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Count, Min, OuterRef, Q, Subquery, Value, When

from catalog.models import Location, SerialIssue, Subscription


def subscriptions_overview(*, year: int, on, location: Location | None = None, kind: str = ""):
    """A year's subscriptions with, for each, the issues expected by ``on``, received and
    missing (expected more than a week ago and not in), in two queries."""
    overdue_before = on - timedelta(days=SerialIssue.MISSING_AFTER_DAYS)
    queryset = (
        Subscription.objects.filter(year=year)
        .select_related("serial", "location")
        .annotate(
            issues_total=Count("issues"),
            issues_due=Count("issues", filter=Q(issues__expected_on__lte=on)),
            issues_received=Count("issues", filter=Q(issues__received_on__isnull=False)),
            issues_missing=Count(
                "issues", filter=Q(issues__received_on__isnull=True, issues__expected_on__lt=overdue_before)
            ),
            issues_bound=Count("issues", filter=Q(issues__bound_into__isnull=False)),
        )
        .order_by("location__position", "location__name", "serial__kind", "serial__title")
    )
    if location is not None:
        queryset = queryset.filter(location=location)
    if kind:
        queryset = queryset.filter(serial__kind=kind)
    return queryset


def issues_missing(*, on, location: Location | None = None):
    """Issues to claim from the supplier: expected more than SerialIssue.MISSING_AFTER_DAYS ago,
    not in."""
    queryset = (
        SerialIssue.objects.filter(
            received_on__isnull=True, expected_on__lt=on - timedelta(days=SerialIssue.MISSING_AFTER_DAYS)
        )
        .select_related("subscription__serial", "subscription__location")
        .order_by("subscription__location__name", "subscription__serial__title", "number")
    )
    if location is not None:
        queryset = queryset.filter(subscription__location=location)
    return queryset


def checkin_list(*, location: Location, on):
    """The room's subscriptions for the year of ``on``, each with its next issue still to come
    (number and expected day) and the issues received today, for the check-in page."""
    next_issue = SerialIssue.objects.filter(subscription=OuterRef("pk"), received_on__isnull=True).order_by(
        "number"
    )
    return (
        Subscription.objects.filter(location=location, year=on.year)
        .select_related("serial")
        .annotate(
            next_issue_pk=Subquery(next_issue.values("pk")[:1]),
            next_number=Min("issues__number", filter=Q(issues__received_on__isnull=True)),
            next_expected=Min("issues__expected_on", filter=Q(issues__received_on__isnull=True)),
            received_today=Count("issues", filter=Q(issues__received_on=on)),
        )
        .annotate(
            # The next issue should have come before today.
            next_late=Case(When(next_expected__lt=on, then=Value(True)), default=Value(False)),
        )
        .order_by("serial__kind", "serial__title")
    )


def serial_register(*, kind: str, date_from, date_to, location: Location | None = None) -> list[dict]:
    """Registers B (newspapers, 报纸登记) and C (periodicals, 期刊登记) per room: for every
    subscription of a year the period touches, the issues expected and received in the period,
    the missing ones, the copies and the price. One query."""
    period = Q(issues__expected_on__gte=date_from, issues__expected_on__lte=date_to)
    queryset = (
        Subscription.objects.filter(serial__kind=kind, year__gte=date_from.year, year__lte=date_to.year)
        .select_related("serial", "location")
        .annotate(
            expected=Count("issues", filter=period),
            received=Count("issues", filter=period & Q(issues__received_on__isnull=False)),
        )
        .order_by("location__position", "location__name", "serial__title", "year")
    )
    if location is not None:
        queryset = queryset.filter(location=location)
    return [
        {
            "room": subscription.location.name,
            "title": subscription.serial.title,
            "issn": subscription.serial.issn,
            "cn_number": subscription.serial.cn_number,
            "frequency": subscription.serial.get_frequency_display(),
            "year": subscription.year,
            "copies": subscription.copies,
            "price": subscription.price,
            "supplier": subscription.supplier,
            "expected": subscription.expected,
            "received": subscription.received,
            "missing": subscription.expected - subscription.received,
        }
        for subscription in queryset
        if subscription.expected
    ]


def serial_rooms():
    """The rooms of the library in use that newspapers and periodicals are subscribed for (not the
    class corners)."""
    return Location.objects.filter(is_active=True).exclude(kind=Location.Kind.CLASS_CORNER)


def subscriptions_totals(subscriptions) -> dict:
    """The totals of a year's subscriptions (subscriptions_overview): titles, price, missing issues."""
    return {
        "titles": len(subscriptions),
        "price": sum((subscription.price for subscription in subscriptions), Decimal("0")),
        "missing": sum(subscription.issues_missing for subscription in subscriptions),
    }


def subscription_issues(subscription: Subscription, *, on) -> list[SerialIssue]:
    """A subscription's issues in order, each saying whether it is missing on ``on``."""
    issues = list(subscription.issues.select_related("bound_into").order_by("number"))
    for issue in issues:
        issue.is_missing = issue.is_missing_on(on)
    return issues


def serial_room_for_checkin(rooms: list[Location]) -> Location:
    """The room the check-in page opens on when none is chosen: the periodicals room, else the
    first room."""
    return next((item for item in rooms if item.kind == Location.Kind.PERIODICALS_ROOM), rooms[0])
