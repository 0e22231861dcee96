"""Who reviews which class, and the review queue: one note or card at a time, with the previous
and next in the class's queue. Query counts do not grow with the queue."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from circulation.models import SchoolClass
from library_site.accounts.roles import Capability

from ..models import ActivitiesSettings, ClassReviewer, ExcerptCard, PupilWork, ReadingNote

# The kinds of work a reviewer reads, by the name the URLs use.
WORK_KINDS: dict[str, type[PupilWork]] = {"note": ReadingNote, "card": ExcerptCard}
RECORD_WIDE = ("record__search_text", "record__search_grams", "record__summary")


def reviews_all_classes(user) -> bool:
    """Librarians (who run the activities) review every class."""
    return user.is_authenticated and user.has_perm(Capability.MANAGE_ACTIVITIES.permission)


def reviewable_classes(user) -> QuerySet[SchoolClass]:
    """The active classes this person reviews: all for librarians; for a teacher, the classes
    they are head teacher of and those the administrator named them for; none otherwise."""
    classes = SchoolClass.objects.filter(is_active=True).select_related("head_teacher")
    if reviews_all_classes(user):
        return classes.order_by("grade", "number")
    if not (user.is_authenticated and user.has_perm(Capability.GRADE_ACTIVITIES.permission)):
        return classes.none()
    named = ClassReviewer.objects.filter(school_class_id=OuterRef("pk"), teacher=user)
    return classes.filter(Q(head_teacher=user) | Exists(named)).order_by("grade", "number")


def class_is_reviewable(user, school_class_id: int | None) -> bool:
    if school_class_id is None:
        return reviews_all_classes(user)
    if reviews_all_classes(user):
        return True
    return reviewable_classes(user).filter(pk=school_class_id).exists()


def review_overview(user) -> list[SchoolClass]:
    """The reviewer's classes, each with how many notes and cards wait and how many grades are
    not yet released: three queries whatever the number of classes and notes."""
    classes = list(reviewable_classes(user))
    ids = [school_class.pk for school_class in classes]
    counts: dict[int, dict] = {pk: {"notes": 0, "cards": 0, "unreleased": 0} for pk in ids}
    for key, model in (("notes", ReadingNote), ("cards", ExcerptCard)):
        rows = (
            model.objects.filter(reader__school_class_id__in=ids)
            .filter(
                Q(state__in=PupilWork.WAITING) | Q(state=PupilWork.State.REVIEWED, released_at__isnull=True)
            )
            .exclude(**({"medium": ReadingNote.Medium.PAPER} if model is ReadingNote else {}))
            .order_by()
            .values("reader__school_class_id")
            .annotate(
                waiting=Count("pk", filter=Q(state__in=PupilWork.WAITING)),
                unreleased=Count("pk", filter=Q(state=PupilWork.State.REVIEWED)),
            )
        )
        for row in rows:
            line = counts[row["reader__school_class_id"]]
            line[key] += row["waiting"]
            line["unreleased"] += row["unreleased"]
    for school_class in classes:
        school_class.review_counts = counts[school_class.pk]
    return classes


def _queue(model: type[PupilWork], school_class_id: int) -> QuerySet:
    """A class's works a reviewer deals with: waiting, and reviewed but not yet released (a
    grade may still change), oldest hand-in first. Paper notes are received, not read here."""
    works = model.objects.filter(reader__school_class_id=school_class_id).filter(
        Q(state__in=PupilWork.WAITING) | Q(state=PupilWork.State.REVIEWED, released_at__isnull=True)
    )
    if model is ReadingNote:
        works = works.exclude(medium=ReadingNote.Medium.PAPER)
    return works.order_by("submitted_at", "pk")


def review_queue(*, kind: str, school_class: SchoolClass) -> dict:
    """The class's queue of one kind: the works with pupil and book (one query), for the list."""
    model = WORK_KINDS[kind]
    works = list(_queue(model, school_class.pk).select_related("reader__user", "record").defer(*RECORD_WIDE))
    return {
        "kind": kind,
        "school_class": school_class,
        "works": works,
        "waiting": sum(1 for work in works if work.state in PupilWork.WAITING),
        "unreleased": sum(1 for work in works if work.state == PupilWork.State.REVIEWED),
    }


def review_item(*, kind: str, school_class: SchoolClass, work_id: int) -> dict | None:
    """One work of the class's queue with its neighbours: the queue's ids (one query), the work
    with pupil, book and reviewer (one query) and the grade scale (one query). None when the
    work is not this class's."""
    model = WORK_KINDS[kind]
    ids = list(_queue(model, school_class.pk).values_list("pk", "state"))
    work = (
        model.objects.filter(pk=work_id, reader__school_class_id=school_class.pk)
        .select_related("reader__user", "record", "reviewed_by")
        .first()
    )
    if work is None:
        return None
    order = [pk for pk, _state in ids]
    position = order.index(work.pk) if work.pk in order else None
    previous_id = order[position - 1] if position else None
    next_id = order[position + 1] if position is not None and position + 1 < len(order) else None
    # Where the reviewer goes once this one is dealt with: the next waiting after it, else the
    # first waiting before it.
    waiting = [
        (index, pk) for index, (pk, state) in enumerate(ids) if state in PupilWork.WAITING and pk != work.pk
    ]
    after = [pk for index, pk in waiting if position is None or index > position]
    next_waiting = after[0] if after else (waiting[0][1] if waiting else None)
    return {
        "kind": kind,
        "school_class": school_class,
        "work": work,
        "position": (position + 1) if position is not None else None,
        "total": len(order),
        "previous_id": previous_id,
        "next_id": next_id,
        "next_waiting_id": next_waiting,
        "grades": ActivitiesSettings.current().grades,
        "may_grade": work.state in (*PupilWork.WAITING, PupilWork.State.REVIEWED)
        and work.released_at is None,
        "may_return": work.state in PupilWork.WAITING,
        "may_nominate": work.state in (PupilWork.State.REVIEWED, PupilWork.State.SELECTED),
    }
