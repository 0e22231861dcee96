"""The period a page covers (a month, a term, a year, or any run of months), read from what the
page asks for, and the terms a page offers to choose. The arithmetic of months and the parsing
of what people type are in ``reports.periods``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ..exceptions import BadPeriod
from ..periods import MAX_MONTHS, month_first, month_parse, month_previous, months_between, year_parse


@dataclass(frozen=True)
class Period:
    """A run of whole months: what a dashboard or a report covers."""

    class Kind(models.TextChoices):
        MONTH = "month", pgettext_lazy("kind of period", "month")
        TERM = "term", pgettext_lazy("kind of period", "term")
        YEAR = "year", pgettext_lazy("kind of period", "year")
        MONTHS = "months", pgettext_lazy("kind of period", "run of months")

    kind: str  # a Period.Kind
    first_month: date
    last_month: date
    label: str
    term_id: int | None = None

    @property
    def months(self) -> list[date]:
        return months_between(self.first_month, self.last_month)

    @property
    def is_month(self) -> bool:
        return self.kind == Period.Kind.MONTH

    @property
    def spans_months(self) -> bool:
        """More than one month: a page shows its first and last month beside its name."""
        return self.first_month != self.last_month


@dataclass(frozen=True)
class PeriodChoice:
    """A term or a year a page offers, and whether it is the period shown."""

    value: int
    label: str
    selected: bool = False


def terms_begun(*, today: date, limit: int):
    """The terms that have begun by ``today``, newest first: those a page offers to choose."""
    from circulation.models import Term

    return Term.objects.filter(starts_on__lte=today).order_by("-starts_on")[:limit]


def term_current(*, today: date):
    """The term under way on ``today``, or None between terms."""
    from circulation.models import Term

    return Term.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()


def term_choices(terms, period: Period | None) -> list[PeriodChoice]:
    """The terms a page offers, the one it shows marked."""
    shown = period.term_id if period is not None else None
    return [PeriodChoice(value=term.pk, label=term.name, selected=shown == term.pk) for term in terms]


def year_choices(years: list[int], period: Period | None) -> list[PeriodChoice]:
    """The years a page offers, the one it shows (a year's period) marked."""
    shown = period.label if period is not None and period.kind == Period.Kind.YEAR else None
    return [PeriodChoice(value=year, label=str(year), selected=shown == str(year)) for year in years]


def period_default(*, today: date | None = None) -> Period:
    """The last whole month: what a dashboard opens on."""
    month = month_previous(month_first(today or timezone.localdate()))
    return period_of_month(month)


def period_of_month(month: date) -> Period:
    return Period(Period.Kind.MONTH, month, month, f"{month:%Y-%m}")


def period_of_months(first: date, last: date) -> Period:
    return Period(Period.Kind.MONTHS, first, last, f"{first:%Y-%m} – {last:%Y-%m}")


def period_of_year(year: int, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    first = date(year, 1, 1)
    if first > today:
        raise BadPeriod(_("%(year)s has not begun yet: there is nothing to show.") % {"year": year})
    return Period(Period.Kind.YEAR, first, min(date(year, 12, 1), month_first(today)), str(year))


def period_of_term(term) -> Period:
    return Period(
        Period.Kind.TERM, month_first(term.starts_on), month_first(term.ends_on), term.name, term_id=term.pk
    )


def period_from_params(params, *, today: date | None = None) -> Period:
    """The period a page's query string asks for: ``?month=2026-03``, ``?term=<id>``,
    ``?year=2026`` or ``?from=2026-01&to=2026-06``; none of them is the last whole month. A
    bad value raises ``BadPeriod`` with a message for the person who typed it."""
    from circulation.models import Term

    today = today or timezone.localdate()
    if params.get("term"):
        text = params["term"].strip()
        term = Term.objects.filter(pk=int(text)).first() if text.isdigit() else None
        if term is None:
            raise BadPeriod(_("There is no such term: choose one from the list."))
        if month_first(term.starts_on) > month_first(today):
            raise BadPeriod(_("This term has not begun yet: there is nothing to show."))
        return period_of_term(term)
    if params.get("year"):
        return period_of_year(year_parse(params["year"]), today=today)
    if params.get("from") or params.get("to"):
        first = month_parse(params.get("from", ""), today=today)
        last = month_parse(params.get("to", ""), today=today)
        if last < first:
            raise BadPeriod(_("The period ends before it begins: swap the two months."))
        if len(months_between(first, last)) > MAX_MONTHS:
            raise BadPeriod(
                _("A period of at most %(count)s months, please: choose a shorter one.")
                % {"count": MAX_MONTHS}
            )
        return period_of_months(first, last)
    if params.get("month"):
        return period_of_month(month_parse(params["month"], today=today))
    return period_default(today=today)
