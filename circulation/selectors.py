"""Reads that pages and other apps use, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from library_site.accounts.roles import Capability

from .models import LibraryCard, Reader, SchoolClass, grade_name

READER_SEARCH_LIMIT = 20


def reader_for_user(user) -> Reader | None:
    if not user.is_authenticated:
        return None
    return Reader.objects.with_display().filter(user=user).first()


def reader_exists_for_user(user) -> bool:
    cached = getattr(user, "_is_reader", None)
    if cached is None:
        cached = user.is_authenticated and Reader.objects.filter(user=user).exists()
        user._is_reader = cached
    return cached


def my_library_is_separate_page(user) -> bool:
    """A reader whose home is the desk or the overview reaches their own loans from the menu;
    for everyone else, their own loans are the home page itself."""
    if not reader_exists_for_user(user):
        return False
    return user.has_perm(Capability.USE_DESK.permission) or user.has_perm(
        Capability.VIEW_STATISTICS.permission
    )


def reader_search(query: str) -> tuple[list[Reader], LibraryCard | None]:
    """Readers matching a scan or a typed text: an exact card number, an exact student/staff
    number, or part of a name. A blocked card found by its number is returned beside the result
    so that the desk can say plainly that the card no longer works."""
    query = query.strip()
    if not query:
        return [], None
    card = LibraryCard.objects.select_related("reader").filter(number__iexact=query).first()
    if card is not None:
        readers = list(Reader.objects.with_display().filter(pk=card.reader_id))
        return readers, (None if card.is_active else card)
    readers = list(
        Reader.objects.with_display()
        .filter(Q(number__iexact=query) | Q(user__full_name__icontains=query))
        .order_by("school_class__grade", "school_class__number", "number")[:READER_SEARCH_LIMIT]
    )
    return readers, None


def school_overview() -> dict:
    """Counts for the staff and leader home pages: two queries whatever the school's size."""
    readers = Reader.objects.active().aggregate(
        students=Count("pk", filter=Q(kind=Reader.Kind.STUDENT)),
        teachers=Count("pk", filter=Q(kind__in=[Reader.Kind.TEACHER, Reader.Kind.STAFF])),
        with_card=Count("pk", filter=Q(cards__status=LibraryCard.Status.ACTIVE)),
    )
    grades = list(
        SchoolClass.objects.filter(is_active=True)
        .values("grade")
        .annotate(
            classes=Count("pk", distinct=True),
            students=Count("students", filter=Q(students__status=Reader.Status.ACTIVE), distinct=True),
        )
        .order_by("grade")
    )
    return {
        **readers,
        "classes": sum(row["classes"] for row in grades),
        "grades": [{**row, "name": grade_name(row["grade"])} for row in grades],
    }


def classes_of_head_teacher(user):
    return (
        SchoolClass.objects.filter(head_teacher=user, is_active=True)
        .annotate(student_count=Count("students", filter=Q(students__status=Reader.Status.ACTIVE)))
        .order_by("grade", "number")
    )
