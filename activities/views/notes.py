"""The pupil's reading notes pages (their notes owed, writing a note with its draft saved as
they type), and a class's pages for its teachers: who owes how many notes (printable), and the
grid of paper notes received.

A pupil reaches only their own notes: another pupil's note id answers 404. A teacher reaches
only the classes they review (head teacher, or named by the administrator); librarians all.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record
from catalog.search import records_matching
from circulation.models import Loan, SchoolClass

from ..exceptions import ActivitiesError, DraftOutdated, NotYours
from ..forms.notes import NoteForm
from ..models import NotePhoto, ReadingNote
from ..policies import AUTOSAVE_SECONDS, PHOTO_MAX_BYTES, rule_for_reader
from ..selectors.notes import (
    class_notes_owed,
    my_loans_for_notes,
    my_notes_page,
    paper_notes_grid,
    reader_of_user,
    works_mark_feedback,
)
from ..selectors.review import class_is_reviewable
from ..services.notes import KEEP, note_save_draft, note_start, note_submit, paper_notes_record

BOOK_SEARCH_LIMIT = 10


def _reader_or_404(request):
    reader = reader_of_user(request.user)
    if reader is None:
        raise Http404(_("Your account is not linked to a reader record."))
    return reader


def _my_note(request, note_id: int):
    reader = _reader_or_404(request)
    note = get_object_or_404(ReadingNote.objects.select_related("record", "loan"), pk=note_id, reader=reader)
    note.reader = reader
    return reader, note


@login_required
def my_notes(request):
    reader = reader_of_user(request.user)
    context = {"reader": reader}
    if reader is not None:
        context.update(my_notes_page(reader))
    return render(request, "activities/notes_mine.html", context)


@login_required
@require_POST
def note_new(request):
    """Start a note: for one of the pupil's loans (``loan``), a record (``record``) or a book
    still to be chosen. Another pupil's loan is refused and nothing is made."""
    reader = _reader_or_404(request)
    loan = record = None
    if request.POST.get("loan", "").isdigit():
        loan = Loan.objects.filter(pk=int(request.POST["loan"]), reader=reader).first()
        if loan is None:
            raise Http404(_("This loan is not yours."))
    elif request.POST.get("record", "").isdigit():
        record = get_object_or_404(Record, pk=int(request.POST["record"]))
    try:
        note = note_start(reader=reader, loan=loan, record=record)
    except ActivitiesError as error:
        messages.error(request, error.message)
        return redirect("activities:notes-mine")
    return redirect("activities:note-edit", note.pk)


def _book_choices(reader, note, query: str) -> dict:
    loans = my_loans_for_notes(reader)
    found = []
    if query.strip():
        matches, _asked = records_matching(Record.objects.all(), query)
        found = list(
            matches.order_by("-relevance", "title_sort", "pk").only("id", "title")[:BOOK_SEARCH_LIMIT]
        )
    current = ""
    if note.loan_id:
        current = f"loan:{note.loan_id}"
    elif note.record_id:
        current = f"record:{note.record_id}"
    return {"loans": loans, "found": found, "current": current, "query": query}


def _edit_context(request, reader, note, form, query: str = "") -> dict:
    rule = rule_for_reader(reader, on=timezone.localdate())
    return {
        "note": note,
        "form": form,
        "books": _book_choices(reader, note, query),
        "min_reflection_chars": rule.min_reflection_chars,
        "autosave_seconds": AUTOSAVE_SECONDS,
    }


@login_required
def note_edit(request, note_id: int):
    """The note's page: its form while it is a draft or returned for revision (saved as the pupil
    types, by notes.js), otherwise the note as handed in, with its grade once released."""
    reader, note = _my_note(request, note_id)
    if not note.is_editable:
        works_mark_feedback([note])
        has_photo = NotePhoto.objects.filter(note=note).exists()
        note.photo_url = reverse("activities:note-photo", args=[note.pk]) if has_photo else ""
        return render(request, "activities/note_detail.html", {"note": note, "reader": reader})
    if request.method != "POST":
        form = NoteForm(
            initial={
                "title": note.title,
                "summary": note.summary,
                "reflection": note.reflection,
                "revision": note.revision,
            },
            reader=reader,
        )
        return render(
            request,
            "activities/note_form.html",
            _edit_context(request, reader, note, form, request.GET.get("q", "")),
        )
    form = NoteForm(request.POST, reader=reader)
    query = request.POST.get("q", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            note = note_save_draft(
                note=note,
                reader=reader,
                title=data["title"],
                summary=data["summary"],
                reflection=data["reflection"],
                revision=data["revision"],
                book=data["book"] if data["book"] is not None else KEEP,
            )
            if "submit" in request.POST:
                note_submit(note=note, reader=reader)
                messages.success(request, _("Your reading note is handed in. Thank you!"))
                return redirect("activities:notes-mine")
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            if "find" not in request.POST:
                messages.success(request, _("Draft saved."))
                return redirect("activities:note-edit", note.pk)
            form = NoteForm(initial={**data, "revision": note.revision, "book": ""}, reader=reader)
    note.refresh_from_db()
    return render(
        request, "activities/note_form.html", _edit_context(request, reader, note, form, query), status=200
    )


@login_required
@require_POST
def note_autosave(request, note_id: int):
    """What notes.js posts every few seconds and when a field is left: the draft's text saved,
    answered in JSON with the new revision (409 when another device saved a newer one). The
    note is read once, locked, by the service, which refuses another pupil's (404 here)."""
    reader = _reader_or_404(request)
    form = NoteForm(request.POST, reader=reader)
    if not form.is_valid():
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    data = form.cleaned_data
    try:
        note = note_save_draft(
            note=ReadingNote(pk=note_id),
            reader=reader,
            title=data["title"],
            summary=data["summary"],
            reflection=data["reflection"],
            revision=data["revision"],
            book=data["book"] if data["book"] is not None else KEEP,
        )
    except (ReadingNote.DoesNotExist, NotYours) as error:
        raise Http404() from error
    except ActivitiesError as error:
        status = 409 if isinstance(error, DraftOutdated) else 400
        return JsonResponse({"error": str(error.message)}, status=status)
    saved = formats.time_format(timezone.localtime(note.saved_at), "H:i:s")
    return JsonResponse({"revision": note.revision, "saved_at": saved})


# --- a class's pages for its teachers -----------------------------------------------------------


def _reviewed_class_or_404(request, class_id: int) -> SchoolClass:
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=class_id)
    if not class_is_reviewable(request.user, school_class.pk):
        raise Http404(_("You do not review this class."))
    return school_class


@login_required
def class_owed(request, class_id: int):
    """The head teacher's list: who owes how many notes (printable)."""
    school_class = _reviewed_class_or_404(request, class_id)
    return render(
        request,
        "activities/class_owed.html",
        {"school_class": school_class, "today": timezone.localdate(), **class_notes_owed(school_class)},
    )


@login_required
def paper_notes(request, class_id: int):
    """The grid of a class's paper notes: a tick per pupil and book received, and a photo of the
    page per pupil if the teacher has one. One mistake saves nothing."""
    school_class = _reviewed_class_or_404(request, class_id)
    if request.method == "POST":
        received = []
        for value in request.POST.getlist("received"):
            reader_id, _sep, loan_id = value.partition(":")
            if reader_id.isdigit() and loan_id.isdigit():
                received.append((int(reader_id), int(loan_id)))
        photos = {
            int(name.removeprefix("photo-")): upload
            for name, upload in request.FILES.items()
            if name.startswith("photo-") and name.removeprefix("photo-").isdigit()
        }
        try:
            created = paper_notes_record(
                school_class=school_class, received=received, photos=photos, user=request.user
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            if created:
                messages.success(
                    request, _("%(count)s paper note(s) recorded as received.") % {"count": len(created)}
                )
            else:
                messages.info(request, _("Tick the notes received first."))
            return redirect("activities:paper-notes", school_class.pk)
    return render(
        request,
        "activities/paper_notes.html",
        {
            "school_class": school_class,
            "grid": paper_notes_grid(school_class),
            "photo_max_mb": PHOTO_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
def note_photo(request, note_id: int):
    """A paper note's photo, for its pupil and the class's reviewers only."""
    from django.http import HttpResponse

    photo = get_object_or_404(NotePhoto.objects.select_related("note__reader"), note_id=note_id)
    reader = reader_of_user(request.user)
    own = reader is not None and photo.note.reader_id == reader.pk
    if not own and not class_is_reviewable(request.user, photo.note.reader.school_class_id):
        raise Http404()
    response = HttpResponse(bytes(photo.image), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
