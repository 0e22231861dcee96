"""Textbooks (教材征订和发放): a term's orders by grade and class, the supplier's deliveries,
handing them to a class's teacher (who confirms), and collecting recycled ones at the end of
the term."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import TextbookError
from catalog.isbn import isbn_normalise
from catalog.models import Textbook, TextbookDelivery, TextbookHandover, TextbookOrderLine, TextbookTerm

if TYPE_CHECKING:
    from library_site.accounts.models import User


def _textbook_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or not 1 <= quantity <= 100_000:
        raise TextbookError(_("Give a quantity of at least 1."))
    return quantity


@transaction.atomic
def textbook_term_create(*, year: int, season: str, starts_on: date, ends_on: date) -> TextbookTerm:
    if ends_on <= starts_on:
        raise TextbookError(_("A term ends after it starts."))
    if TextbookTerm.objects.filter(year=year, season=season).exists():
        raise TextbookError(_("This term exists already."))
    return TextbookTerm.objects.create(
        year=year, season=TextbookTerm.Season(season), starts_on=starts_on, ends_on=ends_on
    )


@transaction.atomic
def textbook_create(
    *,
    title: str,
    subject: str,
    grade: int,
    publisher: str = "",
    isbn: str = "",
    price: Decimal = Decimal("0"),
    is_recycled: bool = False,
) -> Textbook:
    title, subject = " ".join((title or "").split()), (subject or "").strip()
    if not title or not subject:
        raise TextbookError(_("A textbook needs its title and subject."))
    if not 1 <= grade <= 12:
        raise TextbookError(_("Grades go from 1 to 12."))
    textbook = Textbook(
        title=title,
        subject=subject,
        grade=grade,
        publisher=(publisher or "").strip(),
        isbn=isbn_normalise(isbn) if (isbn or "").strip() else "",
        price=price,
        is_recycled=is_recycled,
    )
    textbook.full_clean()
    textbook.save()
    return textbook


@transaction.atomic
def textbook_order_set(
    *,
    term: TextbookTerm,
    textbook: Textbook,
    class_numbers: Sequence[int],
    quantity: int,
    user: User | None = None,
) -> list[TextbookOrderLine]:
    """Order ``quantity`` copies of a textbook for each of the textbook's grade's classes given
    (征订); a class ordered before gets the new quantity."""
    _textbook_quantity(quantity)
    numbers = sorted(set(class_numbers))
    if not numbers or any(not 1 <= number <= 50 for number in numbers):
        raise TextbookError(_("Name the classes, for example 1-6 or 1,3,5."))
    lines = []
    for number in numbers:
        line, _created = TextbookOrderLine.objects.update_or_create(
            term=term,
            textbook=textbook,
            grade=textbook.grade,
            class_number=number,
            defaults={"quantity": quantity, "ordered_by": user, "ordered_at": timezone.now()},
        )
        lines.append(line)
    return lines


@transaction.atomic
def textbook_delivery_record(
    *,
    term: TextbookTerm,
    textbook: Textbook,
    quantity: int,
    user: User | None = None,
    received_on: date | None = None,
    note: str = "",
) -> TextbookDelivery:
    """Copies the supplier delivered. Only a textbook ordered for the term is received."""
    _textbook_quantity(quantity)
    if not TextbookOrderLine.objects.filter(term=term, textbook=textbook).exists():
        raise TextbookError(_("“%(title)s” was not ordered for this term.") % {"title": textbook.title})
    return TextbookDelivery.objects.create(
        term=term,
        textbook=textbook,
        quantity=quantity,
        received_on=received_on or timezone.localdate(),
        received_by=user,
        note=(note or "").strip()[:200],
    )


@transaction.atomic
def textbook_handover_create(
    *,
    term: TextbookTerm,
    textbook: Textbook,
    class_number: int,
    quantity: int,
    teacher: User,
    user: User | None = None,
) -> TextbookHandover:
    """Hand textbooks to a class's teacher (发放). No more than the library has received and not
    yet handed over; the textbook (locked) keeps two handovers from sharing the same copies."""
    _textbook_quantity(quantity)
    Textbook.objects.select_for_update().get(pk=textbook.pk)
    if not TextbookOrderLine.objects.filter(
        term=term, textbook=textbook, grade=textbook.grade, class_number=class_number
    ).exists():
        raise TextbookError(
            _("This class did not order “%(title)s” for the term.") % {"title": textbook.title}
        )
    if teacher is None or not teacher.is_active:
        raise TextbookError(_("Choose the teacher who receives the textbooks."))
    delivered = (
        TextbookDelivery.objects.filter(term=term, textbook=textbook).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )
    handed = (
        TextbookHandover.objects.filter(term=term, textbook=textbook).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )
    if quantity > delivered - handed:
        raise TextbookError(
            _("Only %(count)s copies of “%(title)s” are in the library to hand over.")
            % {"count": delivered - handed, "title": textbook.title}
        )
    return TextbookHandover.objects.create(
        term=term,
        textbook=textbook,
        grade=textbook.grade,
        class_number=class_number,
        quantity=quantity,
        teacher=teacher,
        handed_by=user,
    )


@transaction.atomic
def textbook_handover_confirm(*, handover: TextbookHandover, user: User) -> TextbookHandover:
    """The receiving teacher confirms the textbooks came; a second confirmation changes nothing."""
    handover = TextbookHandover.objects.select_for_update().get(pk=handover.pk)
    if handover.teacher_id != getattr(user, "pk", None):
        raise TextbookError(_("Only the teacher who received the textbooks confirms them."))
    if handover.confirmed_at is None:
        handover.confirmed_at = timezone.now()
        handover.save(update_fields=["confirmed_at"])
    return handover


@transaction.atomic
def textbook_handover_collect(
    *,
    handover: TextbookHandover,
    good: int,
    worn: int,
    damaged: int,
    note: str = "",
    user: User | None = None,
    on: date | None = None,
) -> TextbookHandover:
    """Recycled textbooks collected from a class at the end of the term, with their condition;
    the rest are recorded as not returned. Collected once."""
    handover = TextbookHandover.objects.select_for_update().select_related("textbook").get(pk=handover.pk)
    if not handover.textbook.is_recycled:
        raise TextbookError(_("Only recycled textbooks are collected at the end of the term."))
    if handover.collected_on is not None:
        raise TextbookError(_("These textbooks were collected already."))
    counts = (good, worn, damaged)
    if any(not isinstance(count, int) or count < 0 for count in counts) or sum(counts) > handover.quantity:
        raise TextbookError(
            _("The copies back can be at most the %(count)s handed over.") % {"count": handover.quantity}
        )
    handover.returned_good, handover.returned_worn, handover.returned_damaged = counts
    handover.condition_note = (note or "").strip()[:200]
    handover.collected_on = on or timezone.localdate()
    handover.collected_by = user
    handover.save()
    return handover
