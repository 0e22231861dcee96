"""The pupil's excerpt cards (文摘卡): writing one (saved as they type, like a note), and printing
their cards as a PDF; a class's cards printed for its teachers. A pupil reaches only their own
cards: another pupil's card id answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record
from catalog.search import records_matching
from library_site.documents.exceptions import DocumentError

from ..exceptions import ActivitiesError, DraftOutdated
from ..forms.cards import CardForm
from ..models import ExcerptCard
from ..policies import AUTOSAVE_SECONDS
from ..printing import cards_pdf
from ..selectors.cards import cards_for_printing, class_cards_for_printing
from ..selectors.notes import my_loans_for_notes, reader_of_user, works_mark_feedback
from ..services.cards import card_save_draft, card_start, card_submit
from ..services.notes import KEEP
from .notes import BOOK_SEARCH_LIMIT, _reader_or_404, _reviewed_class_or_404


def _my_card(request, card_id: int):
    reader = _reader_or_404(request)
    card = get_object_or_404(
        ExcerptCard.objects.select_related("record", "session__room"), pk=card_id, reader=reader
    )
    card.reader = reader
    return reader, card


@login_required
@require_POST
def card_new(request):
    reader = _reader_or_404(request)
    record = None
    if request.POST.get("record", "").isdigit():
        record = get_object_or_404(Record, pk=int(request.POST["record"]))
    card = card_start(reader=reader, record=record)
    return redirect("activities:card-edit", card.pk)


def _form_context(reader, card, form, query: str) -> dict:
    found = []
    if query.strip():
        matches, _asked = records_matching(Record.objects.all(), query)
        found = list(
            matches.order_by("-relevance", "title_sort", "pk").only("id", "title")[:BOOK_SEARCH_LIMIT]
        )
    return {
        "card": card,
        "form": form,
        "books": {"loans": my_loans_for_notes(reader), "found": found, "query": query},
        "autosave_seconds": AUTOSAVE_SECONDS,
    }


def _save(card, reader, data):
    return card_save_draft(
        card=card,
        reader=reader,
        page=data["page"],
        passage=data["passage"],
        thoughts=data["thoughts"],
        revision=data["revision"],
        record=data["book"] if data["book"] is not None else KEEP,
    )


@login_required
def card_edit(request, card_id: int):
    reader, card = _my_card(request, card_id)
    if not card.is_editable:
        works_mark_feedback([card])
        return render(request, "activities/card_detail.html", {"card": card})
    if request.method != "POST":
        form = CardForm(
            initial={
                "page": card.page,
                "passage": card.passage,
                "thoughts": card.thoughts,
                "revision": card.revision,
            },
            reader=reader,
        )
        return render(
            request, "activities/card_form.html", _form_context(reader, card, form, request.GET.get("q", ""))
        )
    form = CardForm(request.POST, reader=reader)
    query = request.POST.get("q", "")
    if form.is_valid():
        try:
            card = _save(card, reader, form.cleaned_data)
            if "submit" in request.POST:
                card_submit(card=card, reader=reader)
                messages.success(request, _("Your excerpt card is handed in. Thank you!"))
                return redirect("activities:notes-mine")
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            if "find" not in request.POST:
                messages.success(request, _("Draft saved."))
                return redirect("activities:card-edit", card.pk)
            form = CardForm(
                initial={**form.cleaned_data, "revision": card.revision, "book": ""}, reader=reader
            )
    card.refresh_from_db()
    return render(request, "activities/card_form.html", _form_context(reader, card, form, query))


@login_required
@require_POST
def card_autosave(request, card_id: int):
    reader, card = _my_card(request, card_id)
    form = CardForm(request.POST, reader=reader)
    if not form.is_valid():
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    try:
        card = _save(card, reader, form.cleaned_data)
    except ActivitiesError as error:
        return JsonResponse(
            {"error": str(error.message)}, status=409 if isinstance(error, DraftOutdated) else 400
        )
    saved = formats.time_format(timezone.localtime(card.saved_at), "H:i:s")
    return JsonResponse({"revision": card.revision, "saved_at": saved})


def _pdf(request, cards, filename: str):
    try:
        data = cards_pdf(cards)
    except DocumentError as error:
        messages.error(request, error.message)
        return None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def my_cards_pdf(request):
    """The pupil's own cards handed in, as printable cards."""
    reader = reader_of_user(request.user)
    if reader is None:
        raise Http404()
    return _pdf(request, cards_for_printing(reader), "excerpt-cards.pdf") or redirect("activities:notes-mine")


@login_required
def class_cards_pdf(request, class_id: int):
    """A class's cards of a month (``?month=2026-03``, this month by default), for its teachers."""
    school_class = _reviewed_class_or_404(request, class_id)
    month = _month_param(request.GET.get("month", ""))
    response = _pdf(
        request, class_cards_for_printing(school_class, month=month), f"excerpt-cards-{month:%Y-%m}.pdf"
    )
    return response or redirect("activities:review-class", school_class.pk, "card")


def _month_param(text: str):
    import datetime

    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)
