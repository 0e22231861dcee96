"""Reads of the month's selection: the librarian's candidates by grade and class, the published
results (公示), the exhibition wall, and the month's counts for the statistics. Each in a constant
number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from library_site.school import grade_name

from ..models import ActivitiesSettings, ExcerptCard, MonthSelection, PupilWork, ReadingNote

State = PupilWork.State
RECORD_WIDE = ("record__search_text", "record__search_grams", "record__summary")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _works(model, month: date, states):
    works = (
        model.objects.filter(month=month, state__in=states)
        .select_related("reader__user", "reader__school_class", "record")
        .defer(*RECORD_WIDE)
    )
    if model is ReadingNote:
        works = works.exclude(medium=ReadingNote.Medium.PAPER)
    return list(
        works.order_by(
            "reader__school_class__grade",
            "reader__school_class__number",
            F("nominated_at").desc(nulls_last=True),  # nominations first, on every database
            "pk",
        )
    )


def _by_grade(works: list[PupilWork]) -> list[dict]:
    grades: dict[int, dict] = {}
    for work in works:
        school_class = work.reader.school_class
        grade = school_class.grade if school_class else 0
        entry = grades.setdefault(
            grade, {"grade": grade, "name": grade_name(grade) if grade else "—", "works": []}
        )
        entry["works"].append(work)
    return [grades[key] for key in sorted(grades)]


@dataclass
class MonthState:
    month: date
    published: bool
    published_at: object = None


def month_state(month: date) -> MonthState:
    selection = MonthSelection.objects.filter(month=month_start(month)).first()
    published = selection is not None and selection.published_at is not None
    return MonthState(month_start(month), published, selection.published_at if selection else None)


def selection_candidates(month: date) -> dict:
    """The librarian's page: the month's reviewed and selected notes and cards, nominated first,
    by grade, each with whether it may still be chosen within its class's quota. Five queries."""
    month = month_start(month)
    settings = ActivitiesSettings.current()
    state = month_state(month)
    kinds = {}
    for key, model in (("note", ReadingNote), ("card", ExcerptCard)):
        works = _works(model, month, [State.REVIEWED, State.SELECTED])
        winners: dict[int | None, int] = {}
        for work in works:
            if work.state == State.SELECTED:
                winners[work.reader.school_class_id] = winners.get(work.reader.school_class_id, 0) + 1
        for work in works:
            work.kind = key
            work.is_winner = work.state == State.SELECTED
            work.may_select = (
                not state.published
                and not work.is_winner
                and winners.get(work.reader.school_class_id, 0) < settings.winners_per_class
            )
            work.may_unselect = not state.published and work.is_winner
        kinds[key] = _by_grade(works)
    return {
        "month": month,
        "state": state,
        "quota": settings.winners_per_class,
        "notes": kinds["note"],
        "cards": kinds["card"],
    }


def _pupil_label(work: PupilWork, names: bool) -> str:
    school_class = work.reader.school_class
    class_label = school_class.name if school_class else ""
    if names:
        return f"{class_label} {work.reader.name}".strip()
    return class_label or _("A pupil")


def selection_results(month: date) -> dict:
    """The published results of a month (公示): the winners by grade, named by class, with the
    pupils' names only if the administrator allows it. Empty until published."""
    month = month_start(month)
    state = month_state(month)
    settings = ActivitiesSettings.current()
    if not state.published:
        return {"month": month, "state": state, "notes": [], "cards": []}
    result = {"month": month, "state": state}
    for key, model in (("notes", ReadingNote), ("cards", ExcerptCard)):
        works = _works(model, month, [State.SELECTED])
        for work in works:
            work.pupil_label = _pupil_label(work, settings.names_published)
        result[key] = _by_grade(works)
    return result


def wall_is_open(user) -> bool:
    """The exhibition wall is public when the administrator switched it on; librarians see it
    beforehand, to check it."""
    if ActivitiesSettings.current().wall_public:
        return True
    return user.is_authenticated and user.has_perm("accounts.manage_activities")


def wall_contest_works(month: date) -> list:
    """The contests' outstanding works on the wall: the prized entries with a typed text or a
    title of the contests whose results were published in ``month``, best first (one query)."""
    from library_site.dates import day_bounds

    from ..models import Entry

    start, end = day_bounds(month, month_after(month) - timedelta(days=1))
    works = list(
        Entry.objects.exclude(prize="")
        .filter(
            withdrawn_at__isnull=True,
            contest__activity__published_at__gte=start,
            contest__activity__published_at__lt=end,
        )
        .exclude(title="", text="")
        .select_related("contest__activity", "reader__user", "reader__school_class")
        .order_by("contest__activity__published_at", "contest_id", "rank", "pk")
    )
    names = ActivitiesSettings.current().names_published
    for work in works:
        work.pupil_label = _pupil_label(work, names)
    return works


def wall_works(*, month: date | None = None) -> dict:
    """The works on the exhibition wall: the selected notes and cards of the month asked, or of
    the latest month whose results are published, and the contests' prized works published that
    month."""
    if month is None:
        from ..models import Activity

        latest = MonthSelection.objects.filter(published_at__isnull=False).order_by("-month").first()
        contest = (
            Activity.objects.filter(contest__isnull=False, published_at__isnull=False)
            .order_by("-published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        months = [latest.month] if latest else []
        if contest:
            from django.utils import timezone

            months.append(month_start(timezone.localtime(contest).date()))
        month = max(months) if months else None
    if month is None:
        return {"month": None, "notes": [], "cards": [], "contest_works": []}
    results = selection_results(month)
    return {
        "month": results["month"],
        "notes": [work for grade in results["notes"] for work in grade["works"]],
        "cards": [work for grade in results["cards"] for work in grade["works"]],
        "contest_works": wall_contest_works(results["month"]),
    }


# --- the month's counts, for the reports' monthly statistics --------------------------------------


def notes_month_counts(month: date) -> dict:
    """What the monthly statistics and the leaders' report count of a month's reading activities:
    notes handed in (typed and paper), reviewed and selected, and excerpt cards handed in and
    selected. Two queries. "Handed in" counts by the day it was handed in; "selected" by the
    selection month."""
    from library_site.dates import day_bounds

    month = month_start(month)
    start, end = day_bounds(month, month_after(month) - timedelta(days=1))
    handed = Q(submitted_at__gte=start, submitted_at__lt=end, state__in=PupilWork.HANDED_IN)
    notes = ReadingNote.objects.aggregate(
        handed_in=Count("pk", filter=handed),
        paper=Count("pk", filter=handed & Q(medium=ReadingNote.Medium.PAPER)),
        reviewed=Count(
            "pk",
            filter=Q(reviewed_at__gte=start, reviewed_at__lt=end, state__in=[State.REVIEWED, State.SELECTED]),
        ),
        selected=Count("pk", filter=Q(month=month, state=State.SELECTED)),
    )
    cards = ExcerptCard.objects.aggregate(
        handed_in=Count("pk", filter=handed),
        selected=Count("pk", filter=Q(month=month, state=State.SELECTED)),
    )
    return {
        "notes_handed_in": notes["handed_in"],
        "notes_on_paper": notes["paper"],
        "notes_reviewed": notes["reviewed"],
        "notes_selected": notes["selected"],
        "cards_handed_in": cards["handed_in"],
        "cards_selected": cards["selected"],
    }
