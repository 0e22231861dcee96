"""Reads of readers: the signed-in person's reader record, the desk's and the staff's search,
and the staff's list of readers, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from library_site.accounts.models import User

from ..models import LibraryCard, Reader, Suspension
from .charges import reader_charges
from .desk import reader_panel
from .loans import reader_history

READER_SEARCH_LIMIT = 20


def reader_for_user(user: User) -> Reader | None:
    if not user.is_authenticated:
        return None
    return Reader.objects.with_display().filter(user=user).first()


def reader_exists_for_user(user: User) -> bool:
    cached = getattr(user, "_is_reader", None)
    if cached is None:
        cached = user.is_authenticated and Reader.objects.filter(user=user).exists()
        user._is_reader = cached
    return cached


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


def reader_list(*, query: str = "", kind: str = "", school_class: int | None = None, status: str = ""):
    """Readers for the staff's list, filtered; display data in a constant number of queries."""
    readers = Reader.objects.with_display()
    query = " ".join(query.split())
    if query:
        readers = readers.filter(
            Q(number__iexact=query) | Q(user__full_name__icontains=query) | Q(cards__number__iexact=query)
        ).distinct()
    if kind:
        readers = readers.filter(kind=kind)
    if school_class:
        readers = readers.filter(school_class_id=school_class)
    if status:
        readers = readers.filter(status=status)
    return readers.order_by("kind", "school_class__grade", "school_class__number", "number")


def reader_suspensions(reader_id: int, *, today=None) -> dict:
    """A reader's suspensions, for the page that lifts or shortens them: those still running
    (``current``, each with ``changeable``) and the earlier ones (``past``), with the book
    returned late and who changed them. Two queries whatever the history."""
    today = today or timezone.localdate()
    suspensions = list(
        Suspension.objects.filter(reader_id=reader_id)
        .select_related("loan__copy__record", "changed_by")
        .order_by("-ends_on", "-pk")
    )
    current, past = [], []
    for suspension in suspensions:
        running = suspension.cancelled_at is None and suspension.ends_on >= today
        suspension.changeable = running
        (current if running else past).append(suspension)
    return {"current": current, "past": past, "today": today}


def reader_story(reader_id: int, *, today=None, history_limit: int = 200) -> dict | None:
    """The reader's whole story for staff, on one page: what the desk's panel shows (the
    reader, their blocks, open and overdue loans, holds, the registered lines such as notes
    owed), every card they held, their suspensions, what they owe or paid for lost books and
    their returned loans (the latest ``history_limit``). A constant number of queries whatever
    the history. None when there is no such reader."""
    today = today or timezone.localdate()
    panel = reader_panel(reader_id, today=today)
    if panel is None:
        return None
    cards = list(
        LibraryCard.objects.filter(reader_id=reader_id).select_related("issued_by").order_by("-issued_at")
    )
    money = reader_charges(reader_id)  # what they owe and paid (lost, damaged, fines)
    history = reader_history(reader_id, limit=history_limit)
    return {
        "panel": panel,
        **panel,
        "cards": cards,
        "suspensions": reader_suspensions(reader_id, today=today),
        "charges": money["owed"] + money["settled"],
        "owed_total": money["owed_total"],
        "history": history,
        "history_cut": len(history) == history_limit,
    }
