"""Reads of contests: the contests a person sees (organisers all, judges only those they judge,
pupils the open ones of their grade), a contest's entries with their averages and flags, and a
judge's sheet. Each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from library_site.accounts.roles import Capability

from ..models import Activity, Contest, Criterion, Entry, Score


def contests_visible(user, reader=None) -> list[Contest]:
    contests = Contest.objects.select_related("activity").order_by("-activity__starts_on", "-pk")
    if user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        return list(contests)
    rule = Q(judges=user)
    if reader is not None and reader.school_class_id:
        rule |= Q(activity__state=Activity.State.OPEN) | Q(entries__reader=reader)
    return list(contests.filter(rule).distinct())


def contest_entries(contest: Contest) -> list[Entry]:
    return list(
        contest.entries.filter(withdrawn_at__isnull=True)
        .select_related("reader__user", "reader__school_class", "resolved_by")
        .defer("file")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("judge", "criterion")))
        .order_by("rank", "-average", "pk")
    )


def judge_sheet(contest: Contest, judge) -> dict:
    """The judge's rows: every entry with the judge's own points per criterion (three queries).
    A judge sees their own scores only, not the other judges'."""
    criteria = list(Criterion.objects.filter(contest=contest))
    entries = list(
        contest.entries.filter(withdrawn_at__isnull=True)
        .select_related("reader__user", "reader__school_class")
        .defer("file")
        .order_by("pk")
    )
    mine = {
        (score.entry_id, score.criterion_id): score.points
        for score in Score.objects.filter(entry__contest=contest, judge=judge)
    }
    rows = [
        {"entry": entry, "points": [mine.get((entry.pk, criterion.pk)) for criterion in criteria]}
        for entry in entries
    ]
    for row in rows:
        row["cells"] = list(zip(criteria, row["points"], strict=True))
    return {"contest": contest, "criteria": criteria, "rows": rows}
