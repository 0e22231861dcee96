"""Honorary titles: the rules that propose candidates (a small registry keyed by the title's
code, so that another part of the system, such as the service team, can fill a rule in later),
the award per term or month, and the revocation with a reason (an award is never deleted).

    honour_rule_register(HonourRule(code="service_star", propose=my_proposal, ...))

A rule registered without ``propose`` has no data source yet: the award page says so and the
librarian names the pupils by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circulation.models import Loan, Reader, SchoolClass
from library_site.accounts.models import User
from library_site.accounts.roles import Capability
from library_site.dates import month_text

from ..exceptions import HonourRefused
from ..models import Attempt, Entry, ExcerptCard, Honour, HonourTitle, PupilWork, ReadingNote

REASON_MAX = 500
CANDIDATES_MAX = 50
# 小蜜蜂: a busy reader in the period: at least this many loans and notes handed in.
BEE_LOANS = 8
BEE_NOTES = 2


@dataclass
class Candidate:
    basis: str
    reader: Reader | None = None
    school_class: SchoolClass | None = None

    @property
    def key(self) -> str:
        return f"r{self.reader.pk}" if self.reader else f"c{self.school_class.pk}"


@dataclass(frozen=True)
class HonourRule:
    code: str
    description: str
    # (first day, day after the last) -> candidates; None: no data source yet.
    propose: Callable[[date, date], list[Candidate]] | None = None
    no_source: str = ""


_rules: dict[str, HonourRule] = {}


def honour_rule_register(rule: HonourRule) -> HonourRule:
    """Register (or replace) the rule of the title with ``rule.code``."""
    _rules[rule.code] = rule
    return rule


def honour_rule(code: str) -> HonourRule | None:
    return _rules.get(code)


def honour_candidates(title: HonourTitle, start: date, end: date) -> tuple[list[Candidate] | None, str]:
    """The rule's candidates for the period, and its description; None for the candidates when
    the rule has no data source yet (the description then says why)."""
    rule = honour_rule(title.code)
    if rule is None:
        return None, str(_("This title has no rule: name the pupils by hand."))
    if rule.propose is None:
        return None, str(rule.no_source or rule.description)
    return rule.propose(start, end)[:CANDIDATES_MAX], str(rule.description)


# --- the rules ----------------------------------------------------------------------------------


def _range(start: date, end: date) -> tuple:
    zone = timezone.get_current_timezone()
    from datetime import datetime, time

    return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(end, time.min, tzinfo=zone)


def _readers(ids) -> dict[int, Reader]:
    return Reader.objects.select_related("user", "school_class").in_bulk(list(ids))


def little_writer(start: date, end: date) -> list[Candidate]:
    """小作家: notes or excerpt cards selected among the month's best, and essay prizes."""
    counts: dict[int, list[str]] = {}
    for model, label in (
        (ReadingNote, _("selected reading note")),
        (ExcerptCard, _("selected excerpt card")),
    ):
        for reader_id in model.objects.filter(
            state=PupilWork.State.SELECTED, month__gte=start, month__lt=end
        ).values_list("reader_id", flat=True):
            counts.setdefault(reader_id, []).append(str(label))
    low, high = _range(start, end)
    for reader_id, prize in (
        Entry.objects.filter(
            contest__activity__kind="essay",
            contest__activity__published_at__gte=low,
            contest__activity__published_at__lt=high,
        )
        .exclude(prize="")
        .values_list("reader_id", "prize")
    ):
        counts.setdefault(reader_id, []).append(str(Entry.Prize(prize).label))
    readers = _readers(counts)
    ranked = sorted(counts.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        Candidate(reader=readers[pk], basis="、".join(reasons)) for pk, reasons in ranked if pk in readers
    ]


def little_doctor(start: date, end: date) -> list[Candidate]:
    """小博士: the published winners of the period's knowledge quizzes."""
    low, high = _range(start, end)
    attempts = (
        Attempt.objects.filter(
            winner_rank__isnull=False,
            quiz__winners_published_at__gte=low,
            quiz__winners_published_at__lt=high,
        )
        .select_related("reader__user", "reader__school_class", "quiz__activity")
        .order_by("quiz__opens_at", "winner_rank")
    )
    seen: dict[int, Candidate] = {}
    for attempt in attempts:
        basis = _("%(quiz)s: winner no. %(rank)s, %(score)s points") % {
            "quiz": attempt.quiz.activity.title,
            "rank": attempt.winner_rank,
            "score": attempt.score,
        }
        if attempt.reader_id in seen:
            seen[attempt.reader_id].basis += "；" + basis
        else:
            seen[attempt.reader_id] = Candidate(reader=attempt.reader, basis=basis)
    return list(seen.values())


def little_bee(start: date, end: date) -> list[Candidate]:
    """小蜜蜂: pupils who borrowed at least BEE_LOANS books and handed in at least BEE_NOTES notes
    in the period."""
    low, high = _range(start, end)
    loans = dict(
        Loan.objects.filter(lent_at__gte=low, lent_at__lt=high, reader__kind=Reader.Kind.STUDENT)
        .values_list("reader_id")
        .annotate(count=Count("pk"))
        .filter(count__gte=BEE_LOANS)
        .order_by()
    )
    notes = dict(
        ReadingNote.objects.filter(
            reader_id__in=list(loans),
            state__in=PupilWork.HANDED_IN,
            submitted_at__gte=low,
            submitted_at__lt=high,
        )
        .values_list("reader_id")
        .annotate(count=Count("pk"))
        .filter(count__gte=BEE_NOTES)
        .order_by()
    )
    readers = _readers(notes)
    ranked = sorted(notes, key=lambda pk: (-(loans[pk] + notes[pk]), pk))
    return [
        Candidate(
            reader=readers[pk],
            basis=_("%(loans)s books borrowed, %(notes)s notes handed in")
            % {"loans": loans[pk], "notes": notes[pk]},
        )
        for pk in ranked
        if pk in readers
    ]


def reading_star(start: date, end: date) -> list[Candidate]:
    """阅读之星: the pupils who borrowed the most books in the period (the first 20)."""
    low, high = _range(start, end)
    rows = list(
        Loan.objects.filter(lent_at__gte=low, lent_at__lt=high, reader__kind=Reader.Kind.STUDENT)
        .values_list("reader_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "reader_id")[:20]
    )
    readers = _readers(pk for pk, _count in rows)
    return [
        Candidate(reader=readers[pk], basis=_("%(count)s books borrowed") % {"count": count})
        for pk, count in rows
        if pk in readers
    ]


def scholarly_class(start: date, end: date) -> list[Candidate]:
    """书香班级: the classes whose pupils borrowed the most books each in the period."""
    low, high = _range(start, end)
    classes = (
        SchoolClass.objects.filter(is_active=True)
        .annotate(
            pupils=Count("students", filter=Q(students__status=Reader.Status.ACTIVE), distinct=True),
            loans=Count(
                "students__loans",
                filter=Q(students__loans__lent_at__gte=low, students__loans__lent_at__lt=high),
            ),
        )
        .filter(pupils__gt=0, loans__gt=0)
    )
    ranked = sorted(
        classes, key=lambda school_class: (-school_class.loans / school_class.pupils, school_class.pk)
    )[:10]
    return [
        Candidate(
            school_class=school_class,
            basis=_("%(per)s books per pupil") % {"per": f"{school_class.loans / school_class.pupils:.1f}"},
        )
        for school_class in ranked
    ]


def service_star(start: date, end: date) -> list[Candidate]:
    """服务之星: the service team's best member of each month in the period, as recorded after the
    monthly rating (issue 18's ``BestMember``), latest month first; one query."""
    from ..models import BestMember

    best = (
        BestMember.objects.filter(month__gte=start.replace(day=1), month__lt=end)
        .select_related("member__reader__user", "member__reader__school_class")
        .order_by("-month", "pk")
    )
    candidates, seen = [], set()
    for row in best:
        reader = row.member.reader
        if reader.pk in seen:
            continue
        seen.add(reader.pk)
        candidates.append(
            Candidate(
                reader=reader,
                basis=_("best member of the service team in %(month)s (%(total)s points)")
                % {"month": month_text(row.month), "total": row.total},
            )
        )
    return candidates


def rules_register_defaults() -> None:
    honour_rule_register(
        HonourRule(
            "little_writer",
            gettext_lazy("Selected reading notes and excerpt cards, and essay prizes."),
            little_writer,
        )
    )
    honour_rule_register(
        HonourRule(
            "little_doctor", gettext_lazy("The published winners of the knowledge quizzes."), little_doctor
        )
    )
    honour_rule_register(
        HonourRule(
            "little_bee", gettext_lazy("At least 8 books borrowed and 2 reading notes handed in."), little_bee
        )
    )
    honour_rule_register(
        HonourRule("reading_star", gettext_lazy("The pupils who borrowed the most books."), reading_star)
    )
    honour_rule_register(
        HonourRule(
            "scholarly_class",
            gettext_lazy("The classes whose pupils borrowed the most books each."),
            scholarly_class,
        )
    )
    honour_rule_register(
        HonourRule(
            "service_star",
            gettext_lazy("The service team's best member of each month, as the librarian rated them."),
            service_star,
        )
    )


# --- awarding and revoking ----------------------------------------------------------------------


def _check_manager(user: User) -> None:
    if not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise HonourRefused(_("Only a librarian or the administrator awards honorary titles."))


def period_bounds(period: str, start: date, term_end: date | None = None) -> tuple[date, date]:
    """The first day and the day after the last of a month, or of a term."""
    if period == Honour.Period.MONTH:
        start = start.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    return start, (term_end or start) + timedelta(days=1)


@transaction.atomic
def honours_award(
    *,
    title: HonourTitle,
    period: str,
    period_start: date,
    period_label: str,
    by: User,
    readers=(),
    classes=(),
    bases: dict[str, str] | None = None,
    now=None,
) -> list[Honour]:
    """Award ``title`` for the period to pupils (or, for a class's title, classes). A pupil who
    already holds it for the period is refused, and nothing is awarded."""
    _check_manager(by)
    now = now or timezone.now()
    bases = bases or {}
    if not title.is_active:
        raise HonourRefused(_("This title is not in use."))
    if (title.for_class and readers) or (not title.for_class and classes):
        raise HonourRefused(
            _("%(title)s is awarded to a class.") % {"title": title.name}
            if title.for_class
            else _("%(title)s is awarded to pupils.") % {"title": title.name}
        )
    if not readers and not classes:
        raise HonourRefused(_("Choose whom to award."))
    honours = [
        Honour(
            title=title,
            reader=reader,
            period=period,
            period_start=period_start,
            period_label=period_label,
            basis=bases.get(f"r{reader.pk}", "")[:300],
            awarded_at=now,
            awarded_by=by,
        )
        for reader in readers
    ] + [
        Honour(
            title=title,
            school_class=school_class,
            period=period,
            period_start=period_start,
            period_label=period_label,
            basis=bases.get(f"c{school_class.pk}", "")[:300],
            awarded_at=now,
            awarded_by=by,
        )
        for school_class in classes
    ]
    existing = (
        Honour.objects.filter(title=title, period_start=period_start, revoked_at__isnull=True)
        .filter(Q(reader__in=list(readers)) | Q(school_class__in=list(classes)))
        .select_related("reader__user", "school_class")
    )
    if existing:
        names = "、".join(
            honour.reader.name if honour.reader_id else honour.school_class.name for honour in existing
        )
        raise HonourRefused(_("Already awarded for this period: %(names)s.") % {"names": names})
    try:
        with transaction.atomic():
            return Honour.objects.bulk_create(honours)
    except IntegrityError:
        raise HonourRefused(
            _("Someone awarded the same title for this period meanwhile: reload the page.")
        ) from None


@transaction.atomic
def honour_revoke(*, honour: Honour, by: User, reason: str, now=None) -> Honour:
    """Revoke an award, with the reason; the award stays on record."""
    _check_manager(by)
    honour = Honour.objects.select_for_update().get(pk=honour.pk)
    if honour.revoked_at:
        raise HonourRefused(_("This award has already been revoked."))
    reason = reason.strip()
    if not reason:
        raise HonourRefused(_("Give the reason for revoking the award."))
    if len(reason) > REASON_MAX:
        raise HonourRefused(_("The reason is at most %(max)s characters.") % {"max": REASON_MAX})
    honour.revoked_at = now or timezone.now()
    honour.revoked_by = by
    honour.revoke_reason = reason
    honour.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return honour
