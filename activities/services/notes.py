"""Writing reading notes: a pupil starts a draft (for one of their loans or any record of the
catalogue), the page saves it as they type, and they hand it in; a teacher records a class's
paper notes as received, with a photo of the page perhaps. Every change of a note's state goes
through ``NOTE_STATES``."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Record
from circulation.models import Loan, Reader, SchoolClass
from library_site.accounts.models import User

from ..exceptions import (
    BookRefused,
    DraftOutdated,
    NotEditable,
    NoteExists,
    NotReviewer,
    NotYours,
    PhotoRefused,
)
from ..models import MonthSelection, NotePhoto, PupilWork, ReadingNote
from ..policies import (
    PHOTO_FORMATS,
    PHOTO_MAX_BYTES,
    PHOTO_MAX_SIDE,
    REFLECTION_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    rule_for_reader,
    text_check_content,
    text_check_length,
)
from ..selectors.review import class_is_reviewable
from ..states import NOTE_STATES

State = ReadingNote.State


def selection_month_for(moment: datetime) -> date:
    """The month a work handed in at ``moment`` takes part in: its own, unless that month's
    selection is already published (then the next month's)."""
    month = timezone.localtime(moment).date().replace(day=1)
    if MonthSelection.objects.filter(month=month, published_at__isnull=False).exists():
        month = (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return month


def _lock_note(note_id: int, reader: Reader | None = None, *, related: bool = True) -> ReadingNote:
    notes = ReadingNote.objects.select_for_update(of=("self",))
    if related:
        notes = notes.select_related("reader__school_class", "record")
    note = notes.get(pk=note_id)
    if reader is not None and note.reader_id != reader.pk:
        raise NotYours()
    return note


def _loan_of(reader: Reader, loan: Loan) -> Loan:
    if loan.reader_id != reader.pk:
        raise BookRefused(_("This loan is not yours: choose one of your own books."))
    if loan.state == Loan.State.UNDONE:
        raise BookRefused(_("This loan was undone at the desk: choose another book."))
    return loan


@transaction.atomic
def note_start(*, reader: Reader, loan: Loan | None = None, record: Record | None = None) -> ReadingNote:
    """A new draft for one of the pupil's loans, for any record, or with the book still to be
    chosen. For a loan that already has the pupil's draft, that draft (a second click opens the
    same note); a loan with a note handed in is refused."""
    if loan is not None:
        _loan_of(reader, loan)
        existing = ReadingNote.objects.filter(loan=loan).first()
        if existing is not None:
            if existing.is_editable:
                return existing
            raise NoteExists()
        record = Record.objects.get(copies__pk=loan.copy_id)
    try:
        with transaction.atomic():
            return ReadingNote.objects.create(
                reader=reader, loan=loan, record=record, medium=ReadingNote.Medium.TYPED
            )
    except IntegrityError as error:  # the same loan started twice at once
        raise NoteExists() from error


KEEP = object()


@transaction.atomic
def note_save_draft(
    *,
    note: ReadingNote,
    reader: Reader,
    title: str,
    summary: str,
    reflection: str,
    revision: int,
    book=KEEP,
) -> ReadingNote:
    """Save what the pupil has typed (every few seconds, on leaving a field, on the save
    button). Only a draft or a note returned for revision changes; ``revision`` is the one the
    page last had, and a newer one on the server (another tab, another device) refuses the save
    rather than lose the newer text. ``book`` is a Loan of the pupil, a Record, or None to
    clear; left out, the book stays. Nothing is checked here but the lengths. Only ``note.pk``
    is read: a page's autosave costs the lock and the update."""
    note = _lock_note(note.pk, reader, related=False)
    if not note.is_editable:
        raise NotEditable()
    if revision != note.revision:
        raise DraftOutdated()
    text_check_length(title, label=_("The title"), maximum=TITLE_MAX)
    text_check_length(summary, label=_("What the book is about"), maximum=SUMMARY_MAX)
    text_check_length(reflection, label=_("The reflection"), maximum=REFLECTION_MAX)
    fields = ["title", "summary", "reflection", "revision", "saved_at"]
    if book is not KEEP:
        _note_set_book(note, reader, book)
        fields += ["loan", "record"]
    note.title, note.summary, note.reflection = title, summary, reflection
    note.revision += 1
    note.saved_at = timezone.now()
    if book is KEEP:
        note.save(update_fields=fields)
        return note
    try:
        with transaction.atomic():  # a loan another note took meanwhile
            note.save(update_fields=fields)
    except IntegrityError as error:
        raise NoteExists() from error
    return note


def _note_set_book(note: ReadingNote, reader: Reader, book) -> None:
    if book is None:
        note.loan, note.record = None, None
    elif isinstance(book, Loan):
        loan = _loan_of(reader, book)
        if ReadingNote.objects.filter(loan=loan).exclude(pk=note.pk).exists():
            raise NoteExists()
        note.loan, note.record = loan, Record.objects.get(copies__pk=loan.copy_id)
    elif isinstance(book, Record):
        note.loan, note.record = None, book
    else:
        raise BookRefused()


def note_check_complete(note: ReadingNote, *, today: date) -> None:
    """What a note needs before it is handed in: a book, a title, what the book is about, and a
    reflection of the pupil's own words at least as long as their rule asks."""
    if note.record_id is None:
        raise BookRefused()
    text_check_content(note.title, label=_("The title"), minimum=1)
    text_check_content(note.summary, label=_("What the book is about"), minimum=10)
    rule = rule_for_reader(note.reader, on=today)
    text_check_content(note.reflection, label=_("The reflection"), minimum=rule.min_reflection_chars)


@transaction.atomic
def note_submit(*, note: ReadingNote, reader: Reader, now: datetime | None = None) -> ReadingNote:
    """Hand the note in (a draft) or in again (a note returned for revision). It counts at once
    against the notes owed, and lifts the desk's block. A second click is refused by the
    state table and changes nothing."""
    now = now or timezone.now()
    note = _lock_note(note.pk, reader)
    target = State.RESUBMITTED if note.state == State.RETURNED else State.SUBMITTED
    NOTE_STATES.check(note.state, target)
    note_check_complete(note, today=timezone.localtime(now).date())
    from .similarity import work_similarity_check

    note.state = target
    if note.submitted_at is None:
        note.submitted_at = now
    if note.month is None:
        note.month = selection_month_for(now)
    note.saved_at = now
    work_similarity_check(work=note)
    note.save()
    return note


# --- paper notes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPhoto:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def photo_prepare(upload) -> PreparedPhoto:
    """An uploaded photo of a page, checked (an image of an allowed format and size), turned
    upright, resized to at most PHOTO_MAX_SIDE pixels and saved again as JPEG, which leaves its
    metadata (place, camera, time) behind."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is None or size > PHOTO_MAX_BYTES or size == 0:
        raise PhotoRefused()
    try:
        upload.seek(0)
        raw = upload.read()
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise PhotoRefused()
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            if image.width * image.height > 60_000_000:
                raise PhotoRefused()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
            return PreparedPhoto(out.getvalue(), image.width, image.height)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise PhotoRefused() from error


@transaction.atomic
def paper_notes_record(
    *,
    school_class: SchoolClass,
    received: list[tuple[int, int]],
    photos: dict[int, object] | None = None,
    user: User,
    now: datetime | None = None,
) -> list[ReadingNote]:
    """Record a class's paper notes as received: ``received`` holds (pupil id, loan id) pairs,
    one per note ticked in the grid; ``photos`` an uploaded photo per pupil id, kept with each of
    that pupil's notes. Every pair must be a loan of a pupil of the class without a note yet;
    one wrong pair, or one photo that is not an image, saves nothing."""
    now = now or timezone.now()
    if not class_is_reviewable(user, school_class.pk):
        raise NotReviewer()
    photos = photos or {}
    prepared = {reader_id: photo_prepare(upload) for reader_id, upload in photos.items() if upload}
    pairs = list(dict.fromkeys(received))
    if not pairs:
        return []
    pupils = {
        reader.pk: reader
        for reader in Reader.objects.select_for_update(of=("self",))
        .filter(pk__in={reader_id for reader_id, _loan in pairs}, school_class=school_class)
        .order_by("pk")
    }
    loans = {
        loan.pk: loan
        for loan in Loan.objects.select_related("copy").filter(pk__in={loan_id for _reader, loan_id in pairs})
    }
    noted = set(ReadingNote.objects.filter(loan_id__in=list(loans)).values_list("loan_id", flat=True))
    month = selection_month_for(now)
    notes = []
    for reader_id, loan_id in pairs:
        reader, loan = pupils.get(reader_id), loans.get(loan_id)
        if reader is None:
            raise NotReviewer(_("This pupil is not in %(class)s.") % {"class": school_class.name})
        if loan is None or loan.reader_id != reader_id or loan.state == Loan.State.UNDONE:
            raise BookRefused(_("This book was not lent to %(pupil)s.") % {"pupil": reader.name})
        if loan_id in noted:
            raise NoteExists(_("%(pupil)s already has a note for this book.") % {"pupil": reader.name})
        notes.append(
            ReadingNote(
                reader=reader,
                loan=loan,
                record_id=loan.copy.record_id,
                medium=ReadingNote.Medium.PAPER,
                state=PupilWork.State.SUBMITTED,
                submitted_at=now,
                saved_at=now,
                month=month,
                recorded_by=user,
            )
        )
    try:
        with transaction.atomic():
            created = ReadingNote.objects.bulk_create(notes)
    except IntegrityError as error:  # recorded at the same time in another grid
        raise NoteExists() from error
    if any(note.pk is None for note in created):  # a backend that does not return keys
        created = list(ReadingNote.objects.filter(loan_id__in=[note.loan_id for note in notes]))
    NotePhoto.objects.bulk_create(
        [
            NotePhoto(
                note=note,
                image=prepared[note.reader_id].data,
                width=prepared[note.reader_id].width,
                height=prepared[note.reader_id].height,
                content_type=prepared[note.reader_id].content_type,
            )
            for note in created
            if note.reader_id in prepared
        ]
    )
    return created
