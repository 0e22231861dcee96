"""Rules that administrators set: which loan policy applies to a reader and a record, when
a loan falls due on the library's calendar, what a lost book costs, the reading rooms' weekly
target, the school's top grade, and the notices' wording (defaults and placeholders).

A due date never falls on a closed day (a closed weekday, a holiday, a vacation), and never
after the current term's last due date unless the policy lets the reader borrow over the
vacation. Moving forward off a closed day is preferred; when that would pass the term's last
due date, the due date moves back to the last open day before it instead.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Location
from library_site.cached_reads import CachedRead
from library_site.dates import date_text

from .exceptions import LendingClosed
from .models import CirculationSettings, ClosedPeriod, LoanPolicy, NoticeTemplate, Reader, Term

# Copies standing in these rooms are read there and never lent (参考书 in the reading room),
# whatever the policy says: the room, not the material type, makes a book reference-only in
# a school library. A policy can also make a whole material type reference-only.
REFERENCE_LOCATION_KINDS = frozenset({Location.Kind.READING_ROOM})
# How far ahead the calendar looks for an open day (a year covers any vacation).
HORIZON_DAYS = 400
# The rules every scan at the desk reads (the settings, the active policies, the closed days
# and the terms) change a few times a year: they are kept in the shared cache, dropped
# whenever one of them is saved or deleted, and read again at least this often regardless.
RULES_CACHE_KEY = "circulation:lending-rules:v1"
RULES_CACHE_SECONDS = 60


@dataclass
class LendingRules:
    settings: CirculationSettings
    policies: list[LoanPolicy]
    periods: list[tuple[date, date]]
    terms: list[Term]


def _rules_load() -> LendingRules:
    terms = Term.objects.all()
    if not terms.ordered:
        terms = terms.order_by("pk")
    return LendingRules(
        settings=CirculationSettings.current(),
        policies=list(LoanPolicy.objects.filter(is_active=True)),
        periods=list(
            ClosedPeriod.objects.current().order_by("starts_on").values_list("starts_on", "ends_on")
        ),
        terms=list(terms),
    )


LENDING_RULES = CachedRead(RULES_CACHE_KEY, _rules_load, seconds=RULES_CACHE_SECONDS)
LENDING_RULES.forget_when_changed(CirculationSettings, LoanPolicy, ClosedPeriod, Term)


def lending_rules() -> LendingRules:
    """The settings, the active loan policies, the closed periods and the terms: one cache
    read per scan instead of four queries (library_site/cached_reads.py)."""
    return LENDING_RULES.get()


def lending_rules_forget(**_kwargs) -> None:
    """Drop the cached rules now and again when the change is committed."""
    LENDING_RULES.forget()


def policy_for(
    reader: Reader, material_type: str, *, policies: list[LoanPolicy] | None = None
) -> LoanPolicy | None:
    """The most specific active policy for the reader's group (and grade) and the material
    type: a policy naming the type beats one for every type; a grade range beats none, and a
    narrower range beats a wider one."""
    if policies is None:
        policies = lending_rules().policies
    grade = (
        reader.school_class.grade if reader.kind == Reader.Kind.STUDENT and reader.school_class_id else None
    )
    best, best_rank = None, None
    for policy in policies:
        if not policy.is_active or policy.reader_group != reader.kind:
            continue
        if policy.material_type and policy.material_type != material_type:
            continue
        if grade is not None and (
            (policy.grade_from and grade < policy.grade_from) or (policy.grade_to and grade > policy.grade_to)
        ):
            continue
        span = (policy.grade_to or 12) - (policy.grade_from or 1)
        rank = (bool(policy.material_type), bool(policy.grade_from or policy.grade_to), -span, -policy.pk)
        if best_rank is None or rank > best_rank:
            best, best_rank = policy, rank
    return best


def copy_is_reference_only(copy, policy: LoanPolicy | None) -> bool:
    return bool(policy and policy.reference_only) or copy.location.kind in REFERENCE_LOCATION_KINDS


@dataclass
class Calendar:
    """The library's open and closed days from a given day on, loaded in three queries."""

    today: date
    closed_weekdays: frozenset[int]
    periods: list[tuple[date, date]] = field(default_factory=list)
    term: Term | None = None

    @classmethod
    def load(
        cls, today: date, *, settings: CirculationSettings | None = None, rules: LendingRules | None = None
    ) -> Calendar:
        """``rules`` are the lending rules already read in this request, if they were."""
        rules = rules or lending_rules()
        settings = settings or rules.settings
        horizon = today + timedelta(days=HORIZON_DAYS)
        periods = [(start, end) for start, end in rules.periods if end >= today and start <= horizon]
        term = next((term for term in rules.terms if term.starts_on <= today <= term.ends_on), None)
        return cls(today=today, closed_weekdays=settings.closed_weekday_set, periods=periods, term=term)

    def is_closed(self, day: date) -> bool:
        if day.weekday() in self.closed_weekdays:
            return True
        return any(start <= day <= end for start, end in self.periods)

    def next_open_day(self, day: date) -> date:
        for _step in range(HORIZON_DAYS):
            if not self.is_closed(day):
                return day
            day += timedelta(days=1)
        return day

    def due_on(self, *, days: int, over_vacation: bool = False, start: date | None = None) -> date:
        """The due date of a loan (or renewal) of ``days`` days made on ``start`` (today)."""
        start = start or self.today
        if days < 1:
            raise ValueError("a loan period is at least one day")
        limit = None if over_vacation or self.term is None else self.term.hard_due_on
        wanted = start + timedelta(days=days)
        if limit is not None and wanted > limit:
            wanted = limit
        forward = self.next_open_day(wanted)
        if (limit is None or forward <= limit) and forward > start:
            return forward
        # Moving forward would pass the term's last due date: the last open day before it.
        day = min(wanted, limit) if limit else wanted
        while day > start:
            if not self.is_closed(day):
                return day
            day -= timedelta(days=1)
        raise LendingClosed(
            _("Lending is closed: this term's last due date (%(date)s) has passed; it opens again next term.")
            % {"date": date_text(limit or start)}
        )


def card_eligible(reader: Reader, settings: CirculationSettings | None = None) -> bool:
    """Whether this reader gets a library card (R1): every teacher and member of staff, and the
    pupils of the grades the administrator chose (grades 3–6 in a primary school), every pupil
    when none are chosen or the pupil's grade is not known."""
    if reader.kind != Reader.Kind.STUDENT:
        return True
    grades = (settings or CirculationSettings.current()).card_grade_set
    if not grades or reader.school_class is None:
        return True
    return reader.school_class.grade in grades


def graduating_freeze_starts(
    reader: Reader, calendar: Calendar, settings: CirculationSettings
) -> date | None:
    """The day lending stopped for this reader's graduating class, if it has stopped."""
    term = calendar.term
    if term is None or term.freeze_starts_on is None or reader.kind != Reader.Kind.STUDENT:
        return None
    if reader.school_class is None or reader.school_class.grade not in settings.graduating_grade_set:
        return None
    return term.freeze_starts_on if calendar.today >= term.freeze_starts_on else None


# --- a lost book ----------------------------------------------------------------------------------


def lost_book_price(copy) -> tuple[Decimal | None, str]:
    """The price a lost copy is charged at before the library's multiplier, and where it comes
    from: the price paid for this copy, else the record's list price; (None, "") when neither
    is recorded (the desk then enters one). The desk's form shows it; loan_mark_lost charges it."""
    if copy.price_paid:
        return copy.price_paid, _("price paid for this copy")
    if copy.record.price:
        return copy.record.price, _("list price")
    return None, ""


# --- money: what a damaged book and a late one cost (issue 14 point 10) ------------------------


def damaged_book_amount(copy, settings: CirculationSettings) -> tuple[Decimal | None, str]:
    """What the desk proposes for a damaged copy: its price (``lost_book_price``) × the
    settings' share, and how that was computed; (None, "") without a price or with a share of 0."""
    from .money import money

    price, source = lost_book_price(copy)
    if price is None or not settings.damage_percent:
        return None, ""
    amount = money(Decimal(price) * settings.damage_percent / 100)
    return amount, _("%(price)s yuan (%(source)s) × %(percent)s%%") % {
        "price": money(price),
        "source": source,
        "percent": settings.damage_percent,
    }


def late_fine_amount(days: int, settings: CirculationSettings) -> tuple[Decimal, str]:
    """A late book's fine when the school charges fines: the fine per day × the days late, up
    to the settings' ceiling; (0, "") when fines are off (many primary schools do not fine)."""
    from .money import ZERO, money

    if not settings.fines_enabled or days <= 0 or not settings.fine_per_day:
        return ZERO, ""
    amount = money(settings.fine_per_day * days)
    rule = _("%(days)s day(s) × %(per_day)s yuan") % {"days": days, "per_day": money(settings.fine_per_day)}
    if settings.fine_max and amount > settings.fine_max:
        amount = money(settings.fine_max)
        rule = _("%(rule)s, at most %(max)s yuan") % {"rule": rule, "max": amount}
    return amount, rule


# --- reading rooms and the school ----------------------------------------------------------------


def reading_room_weekly_target_hours() -> int:
    """The hours a week a reading room should be open (the standard's 40 hours, or the setting
    READING_ROOM_WEEKLY_TARGET_HOURS)."""
    return int(getattr(django_settings, "READING_ROOM_WEEKLY_TARGET_HOURS", 40))


def top_grade_default() -> int:
    """The school's top grade, whose classes graduate at promotion (the setting SCHOOL_TOP_GRADE)."""
    return int(getattr(django_settings, "SCHOOL_TOP_GRADE", 6))


# --- the notices' wording ---------------------------------------------------------------------------

NoticeKind = NoticeTemplate.Kind

# The school's default wording (data the administrator may change on the policies page, not
# interface text): Chinese, the language of the school.
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    NoticeKind.REMINDER: (
        "还书提醒：《{title}》将于{due_date}到期",
        "{reader}：你借阅的《{title}》将于{due_date}到期，还有{days_left}天。"
        "请按时归还，或到图书馆借阅台办理续借。",
    ),
    NoticeKind.OVERDUE: (
        "逾期通知：《{title}》已逾期{days_overdue}天",
        "{reader}：你借阅的《{title}》应于{due_date}归还，现已逾期{days_overdue}天。请尽快将书还到图书馆。",
    ),
    NoticeKind.HOLD_READY: (
        "预约到书：《{title}》",
        "{reader}：你预约的《{title}》已经为你保留在借阅台，请于{collect_by}前凭借书证领取。",
    ),
    NoticeKind.CLASS_OVERDUE: (
        "{class}逾期图书名单（{count}人）",
        "{class}有{count}名学生的图书已逾期：\n{list}\n"
        "请提醒学生尽快归还。在“我的借阅”页面可以打印每名学生一张的逾期通知单。",
    ),
}

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    NoticeKind.REMINDER: ("reader", "title", "due_date", "days_left"),
    NoticeKind.OVERDUE: ("reader", "title", "due_date", "days_overdue"),
    NoticeKind.HOLD_READY: ("reader", "title", "collect_by"),
    NoticeKind.CLASS_OVERDUE: ("class", "count", "list"),
}

PLACEHOLDER_HELP = {
    "reader": gettext_lazy("the reader's name"),
    "title": gettext_lazy("the book's title"),
    "due_date": gettext_lazy("the due date"),
    "days_left": gettext_lazy("days until the due date"),
    "days_overdue": gettext_lazy("days overdue"),
    "collect_by": gettext_lazy("the last day to collect the hold"),
    "class": gettext_lazy("the class"),
    "count": gettext_lazy("how many pupils"),
    "list": gettext_lazy("one line per pupil and book"),
}


def template_check(kind: str, text: str) -> None:
    """Refuse a template with a placeholder that its kind does not have, or a stray brace."""
    allowed = PLACEHOLDERS[kind]
    try:
        fields = [(field, spec, conversion) for _l, field, spec, conversion in string.Formatter().parse(text)]
    except ValueError:
        raise ValidationError(
            _("A brace is not closed: write placeholders as {title}, and {{ or }} for a brace itself.")
        ) from None
    unknown = [
        field
        for field, spec, conversion in fields
        if field is not None and (field not in allowed or spec or conversion)
    ]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s: this message can use %(allowed)s.")
            % {
                "names": "、".join("{" + (name or "") + "}" for name in unknown),
                "allowed": "、".join("{" + name + "}" for name in allowed),
            }
        )


@dataclass(frozen=True)
class Wording:
    """One kind of notice's subject and body, with their placeholders."""

    subject: str
    body: str

    def render(self, values: dict[str, object]) -> tuple[str, str]:
        text = {key: str(value) for key, value in values.items()}
        return self.subject.format_map(text)[:200], self.body.format_map(text)
