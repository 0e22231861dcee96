"""Reading lists and the librarians' picks: made by librarians and teachers (the right to grade
activities covers teachers), retired rather than deleted."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Record
from library_site.accounts.models import User

from ..exceptions import PromotionRefused
from ..models import LibrarianPick, ReadingList, ReadingListItem


def _grade(value) -> int | None:
    if value in (None, ""):
        return None
    grade = int(value)
    if not 1 <= grade <= 12:
        raise PromotionRefused(_("A grade is a number from 1 to 12."))
    return grade


@transaction.atomic
def reading_list_save(
    *, user: User, title: str, description: str = "", grade=None, theme: str = "", is_published: bool = False,
    reading_list: ReadingList | None = None,
) -> ReadingList:  # fmt: skip
    title = (title or "").strip()
    if not title:
        raise PromotionRefused(_("Give the list a title."))
    reading_list = reading_list or ReadingList(created_by=user)
    reading_list.title, reading_list.description, reading_list.theme = title, description, theme
    reading_list.grade = _grade(grade)
    reading_list.is_published = is_published
    reading_list.save()
    return reading_list


@transaction.atomic
def reading_list_add(*, reading_list: ReadingList, record: Record, note: str = "") -> ReadingListItem:
    position = (reading_list.items.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            return ReadingListItem.objects.create(
                reading_list=reading_list, record=record, note=note.strip(), position=position
            )
    except IntegrityError as error:
        raise PromotionRefused(_("This title is on the list already.")) from error


@transaction.atomic
def reading_list_remove(*, item: ReadingListItem) -> None:
    # A line of a list is the librarian's draft, not something the library accounts for.
    item.delete()


@transaction.atomic
def reading_list_retire(*, reading_list: ReadingList) -> ReadingList:
    reading_list.retired_at = reading_list.retired_at or timezone.now()
    reading_list.is_published = False
    reading_list.save(update_fields=["retired_at", "is_published"])
    return reading_list


@transaction.atomic
def librarian_pick_save(
    *, user: User, record: Record, blurb: str, grade_from=1, grade_to=12
) -> LibrarianPick:
    blurb = (blurb or "").strip()
    if not blurb:
        raise PromotionRefused(_("Write a short blurb for the pick."))
    low, high = _grade(grade_from) or 1, _grade(grade_to) or 12
    if low > high:
        raise PromotionRefused(_("The first grade must not be above the last."))
    return LibrarianPick.objects.create(
        record=record, blurb=blurb, grade_from=low, grade_to=high, created_by=user
    )


@transaction.atomic
def librarian_pick_hide(*, pick: LibrarianPick) -> LibrarianPick:
    pick.is_active = False
    pick.save(update_fields=["is_active"])
    return pick
