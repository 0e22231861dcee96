"""Reads of the reservations of periodical issues: what a teacher may reserve (this year's
subscriptions with their current and next issues, and how many copies of each are free), the
teacher's own reservations, and the desk's list (kept, out, waiting). Each a fixed number of
queries, whatever the rows."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from catalog.models import SerialIssue, Subscription
from library_site.dates import date_text

from ..models import IssueReservation, Reader


def issues_to_reserve(*, today=None) -> list[dict]:
    """This year's subscriptions of titles still subscribed, each with its current issue (the
    latest checked in, with the copies free in the room) and the next one expected. Three
    queries."""
    today = today or timezone.localdate()
    subscriptions = list(
        Subscription.objects.filter(year=today.year, serial__is_active=True)
        .select_related("serial", "location")
        .annotate(
            current_number=Max("issues__number", filter=Q(issues__received_on__isnull=False)),
        )
        .order_by("serial__kind", "serial__title", "location__position")
    )
    wanted = Q(pk__in=[])
    for subscription in subscriptions:
        if subscription.current_number is not None:
            wanted |= Q(subscription=subscription, number__gte=subscription.current_number)
        else:
            wanted |= Q(subscription=subscription)
    issues: dict[int, list[SerialIssue]] = {}
    holding = Count("reservations", filter=Q(reservations__state__in=IssueReservation.HOLDING_STATES))
    for issue in (
        SerialIssue.objects.filter(wanted).annotate(holding=holding).order_by("subscription_id", "number")
    ):
        issues.setdefault(issue.subscription_id, []).append(issue)
    rows = []
    for subscription in subscriptions:
        run = issues.get(subscription.pk, [])
        current = next((issue for issue in run if issue.number == subscription.current_number), None)
        upcoming = next((issue for issue in run if issue.received_on is None), None)
        if current is None and upcoming is None:
            continue
        rows.append(
            {
                "subscription": subscription,
                "current": current,
                "current_free": (
                    max(subscription.copies - current.holding, 0)
                    if current is not None and current.bound_into_id is None
                    else 0
                ),
                "next": upcoming if upcoming is not current else None,
            }
        )
    return rows


def _with_issue(queryset):
    return queryset.select_related(
        "issue__subscription__serial", "issue__subscription__location", "reader__user"
    )


def reader_issue_reservations(reader: Reader) -> dict:
    """A teacher's own reservations: the open ones (waiting, kept, out) and the last closed."""
    mine = _with_issue(IssueReservation.objects.filter(reader=reader))
    return {
        "open": list(mine.filter(state__in=IssueReservation.ACTIVE_STATES).order_by("placed_at", "pk")),
        "closed": list(
            mine.exclude(state__in=IssueReservation.ACTIVE_STATES).order_by("-placed_at", "-pk")[:20]
        ),
    }


def reader_issue_reservation_counts(reader: Reader) -> dict:
    """How many of a teacher's reservations wait and how many are kept for them: one query."""
    return IssueReservation.objects.filter(reader=reader).aggregate(
        waiting=Count("pk", filter=Q(state=IssueReservation.State.WAITING)),
        ready=Count("pk", filter=Q(state=IssueReservation.State.READY)),
        collected=Count("pk", filter=Q(state=IssueReservation.State.COLLECTED)),
        earliest_collect_by=Min("collect_by", filter=Q(state=IssueReservation.State.READY)),
    )


def desk_issue_reservations() -> dict:
    """The desk's list: issues kept for teachers (to hand over), out with teachers (to take
    back) and reservations waiting for their issue. Three queries."""
    active = _with_issue(IssueReservation.objects.all()).order_by("placed_at", "pk")
    return {
        "ready": list(active.filter(state=IssueReservation.State.READY)),
        "collected": list(active.filter(state=IssueReservation.State.COLLECTED).order_by("due_on", "pk")),
        "waiting": list(active.filter(state=IssueReservation.State.WAITING)),
    }


def _sentences(parts: list[str]) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    from django.utils.translation import gettext

    text = parts[0]
    for part in parts[1:]:
        text = gettext("%(first)s %(second)s") % {"first": text, "second": part}
    return text


def issue_reservations_section(reader: Reader):
    """The section of a teacher's own page (我的借阅): their reservations of issues, with the way
    to reserve; None for pupils and staff. One query."""
    from django.urls import reverse
    from django.utils.translation import gettext, ngettext

    from ..registries import ReaderPageSection

    if reader.kind != Reader.Kind.TEACHER:
        return None
    counts = reader_issue_reservation_counts(reader)
    parts = []
    if counts["ready"]:
        parts.append(
            ngettext(
                "%(count)s issue is kept for you (collect by %(date)s).",
                "%(count)s issues are kept for you (collect by %(date)s).",
                counts["ready"],
            )
            % {"count": counts["ready"], "date": date_text(counts["earliest_collect_by"])}
        )
    if counts["collected"]:
        parts.append(
            ngettext(
                "%(count)s issue is out with you.", "%(count)s issues are out with you.", counts["collected"]
            )
            % {"count": counts["collected"]}
        )
    if counts["waiting"]:
        parts.append(
            ngettext(
                "%(count)s reservation waits for its issue.",
                "%(count)s reservations wait for their issues.",
                counts["waiting"],
            )
            % {"count": counts["waiting"]}
        )
    if not parts:
        parts.append(gettext("Reserve the current issue of a newspaper or periodical, or the next one."))
    return ReaderPageSection(
        title=gettext("Newspaper and periodical issues"),
        text=_sentences(parts),
        url=reverse("circulation:issue-reservations-mine"),
        link_label=gettext("Your reservations of issues"),
        icon="journal-bookmark",
        urgent=bool(counts["ready"]),
    )


def reader_is_teacher(user) -> bool:
    """Whether this account is a teacher's reader record (the menu's entry to reserve issues):
    one query per request, kept on the user."""
    cached = getattr(user, "_is_teacher_reader", None)
    if cached is None:
        cached = bool(
            user.is_authenticated and Reader.objects.filter(user=user, kind=Reader.Kind.TEACHER).exists()
        )
        user._is_teacher_reader = cached
    return cached
