"""Newspapers and periodicals (报刊): the titles, a room's subscriptions for the year with the
issues they expect, the check-in of each issue, claims for missing ones, and binding a run of
issues into a volume that can be lent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import SerialError
from catalog.models import Copy, Location, Record, Serial, SerialIssue, Subscription
from catalog.registries import issue_listeners_notify
from catalog.serials import cn_number_clean, issn_clean, issn_from_barcode, issue_dates
from catalog.services.copies import copies_add
from catalog.services.records import record_create
from catalog.states import ISSUE_STATES

if TYPE_CHECKING:
    from library_site.accounts.models import User


def _serial_identifiers(*, issn: str, cn_number: str, exclude_pk: int | None = None) -> tuple[str, str]:
    issn_value, cn_value = issn_clean(issn), cn_number_clean(cn_number)
    if issn_value is None:
        raise SerialError(_("This is not a valid ISSN: check the eight characters (0317-8471)."))
    if cn_value is None:
        raise SerialError(_("This is not a CN number: write it as CN11-1234/G4."))
    if not (issn_value or cn_value):
        raise SerialError(_("Give the ISSN or the CN number, as printed on the cover."))
    others = Serial.objects.exclude(pk=exclude_pk)
    for field_name, value in (("issn", issn_value), ("cn_number", cn_value)):
        if value and others.filter(**{field_name: value}).exists():
            raise SerialError(
                _("%(number)s is already the number of “%(title)s”.")
                % {"number": value, "title": others.get(**{field_name: value}).title}
            )
    return issn_value, cn_value


@transaction.atomic
def serial_create(
    *,
    title: str,
    kind: str,
    frequency: str,
    issn: str = "",
    cn_number: str = "",
    publisher: str = "",
    weekdays_only: bool = False,
    user: User | None = None,
) -> Serial:
    """A newspaper or periodical, known by its ISSN or CN number (both checked, neither taken)."""
    title = " ".join((title or "").split())
    if not title:
        raise SerialError(_("A newspaper or periodical needs its title."))
    issn, cn_number = _serial_identifiers(issn=issn, cn_number=cn_number)
    serial = Serial(
        title=title,
        kind=Serial.Kind(kind),
        frequency=Serial.Frequency(frequency),
        issn=issn,
        cn_number=cn_number,
        publisher=(publisher or "").strip(),
        weekdays_only=weekdays_only and frequency == Serial.Frequency.DAILY,
        created_by=user,
    )
    serial.full_clean()
    serial.save()
    return serial


@transaction.atomic
def subscription_create(
    *,
    serial: Serial,
    location: Location,
    year: int,
    copies: int = 1,
    price: Decimal = Decimal("0"),
    supplier: str = "",
    user: User | None = None,
) -> Subscription:
    """A year's subscription for a room, with the issues it expects predicted from the serial's
    frequency (catalog.serials.issue_dates)."""
    if not location.is_active or location.kind == Location.Kind.CLASS_CORNER:
        raise SerialError(_("Newspapers and periodicals are subscribed for a room of the library in use."))
    if Subscription.objects.filter(serial=serial, location=location, year=year).exists():
        raise SerialError(
            _("“%(title)s” is already subscribed for %(room)s in %(year)s.")
            % {"title": serial.title, "room": location.name, "year": year}
        )
    subscription = Subscription(
        serial=serial,
        location=location,
        year=year,
        copies=copies,
        price=price,
        supplier=(supplier or "").strip(),
        created_by=user,
    )
    try:
        subscription.full_clean()
    except ValidationError as error:
        raise SerialError(" ".join(error.messages)) from error
    subscription.save()
    SerialIssue.objects.bulk_create(
        SerialIssue(subscription=subscription, number=number, expected_on=day)
        for number, day in enumerate(
            issue_dates(frequency=serial.frequency, year=year, weekdays_only=serial.weekdays_only), start=1
        )
    )
    return subscription


@transaction.atomic
def issue_receive(
    *, issue: SerialIssue, user: User | None = None, on: date | None = None
) -> tuple[SerialIssue, bool]:
    """Check an issue in. Returns the issue and whether this call received it: an issue already
    checked in (a second click, a second scan) stays as it was."""
    issue = SerialIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.state != SerialIssue.State.EXPECTED:
        return issue, False
    ISSUE_STATES.check(issue.state, SerialIssue.State.RECEIVED)
    issue.received_on = on or timezone.localdate()
    issue.received_by = user
    issue.save(update_fields=["received_on", "received_by"])
    issue_listeners_notify(issue, received=True, user=user, on=issue.received_on)
    return issue, True


@transaction.atomic
def issue_receive_undo(*, issue: SerialIssue, user: User | None = None) -> SerialIssue:
    """Take back a check-in made by mistake; a bound issue stays received."""
    issue = SerialIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.state == SerialIssue.State.EXPECTED:
        return issue  # not checked in: nothing to take back
    ISSUE_STATES.check(issue.state, SerialIssue.State.EXPECTED)
    issue.received_on = None
    issue.received_by = None
    issue.save(update_fields=["received_on", "received_by"])
    issue_listeners_notify(issue, received=False, user=user, on=timezone.localdate())
    return issue


def issue_receive_by_code(
    *, code: str, location: Location, user: User | None = None, on: date | None = None
) -> tuple[SerialIssue, bool]:
    """One scan at the check-in: the barcode on the cover (977…), an ISSN or a CN number names
    the serial; the room's subscription for the year receives its earliest issue not yet in."""
    on = on or timezone.localdate()
    code = (code or "").strip()
    issn = issn_from_barcode(code) or issn_clean(code)
    serial = None
    if issn:
        serial = Serial.objects.filter(issn=issn).first()
    if serial is None:
        cn_number = cn_number_clean(code)
        if cn_number:
            serial = Serial.objects.filter(cn_number=cn_number).first()
    if serial is None:
        raise SerialError(
            _("%(code)s is not the ISSN, CN number or cover barcode of a subscribed title.")
            % {"code": code[:40]}
        )
    subscription = Subscription.objects.filter(serial=serial, location=location, year=on.year).first()
    if subscription is None:
        raise SerialError(
            _("“%(title)s” is not subscribed for %(room)s in %(year)s.")
            % {"title": serial.title, "room": location.name, "year": on.year}
        )
    issue = subscription.issues.filter(received_on__isnull=True).order_by("number").first()
    if issue is None:
        raise SerialError(
            _("Every issue of “%(title)s” for %(year)s is already checked in.")
            % {"title": serial.title, "year": on.year}
        )
    return issue_receive(issue=issue, user=user, on=on)


@transaction.atomic
def issues_claim(*, issues: Iterable[SerialIssue], on: date | None = None) -> int:
    """Note that missing issues were claimed from the supplier (催缺) today; returns how many."""
    ids = [issue.pk for issue in issues]
    return SerialIssue.objects.filter(pk__in=ids, received_on__isnull=True).update(
        claimed_on=on or timezone.localdate()
    )


@transaction.atomic
def binding_create(
    *, subscription: Subscription, first: int, last: int, shelf: str = "", user: User | None = None
) -> Copy:
    """Bind a run of received issues into one volume (期刊装订): a record of the bound volume
    (material type: bound periodical volume) with one copy in the subscription's room, which
    can be lent like any book. Every issue of the run must be in and not yet bound."""
    if not 1 <= first <= last:
        raise SerialError(_("Give the first and the last issue of the volume, the first not after the last."))
    issues = list(
        SerialIssue.objects.select_for_update()
        .filter(subscription=subscription, number__gte=first, number__lte=last)
        .order_by("pk")
    )
    numbers = {issue.number for issue in issues}
    absent = [number for number in range(first, last + 1) if number not in numbers]
    if absent:
        raise SerialError(
            _("The subscription has no issue %(numbers)s.") % {"numbers": "、".join(map(str, absent[:10]))}
        )
    missing = sorted(issue.number for issue in issues if issue.received_on is None)
    if missing:
        raise SerialError(
            _("Issues %(numbers)s have not been checked in: a volume binds only issues the library has.")
            % {"numbers": "、".join(map(str, missing[:10]))}
        )
    bound = sorted(issue.number for issue in issues if issue.bound_into_id is not None)
    if bound:
        raise SerialError(
            _("Issues %(numbers)s are already bound into a volume.")
            % {"numbers": "、".join(map(str, bound[:10]))}
        )
    ISSUE_STATES.check_all((issue.state for issue in issues), SerialIssue.State.BOUND)
    serial = subscription.serial
    record = record_create(
        fields={
            "title": f"{serial.title}（{subscription.year}年第{first}-{last}期合订本）",
            "publisher": serial.publisher,
            "year": subscription.year,
            "material_type": Record.MaterialType.PERIODICAL_VOLUME,
        },
        user=user,
    )
    (copy,) = copies_add(record=record, count=1, location=subscription.location, shelf=shelf, user=user)
    SerialIssue.objects.filter(pk__in=[issue.pk for issue in issues]).update(bound_into=copy)
    return copy
