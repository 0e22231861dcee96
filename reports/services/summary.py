"""The one write of the term summary: the librarian's own text, versioned as the leaders' note is."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import NoteConflict, ReportsError
from ..models import TermSummaryText

SUMMARY_MAX_LENGTH = 20000


@transaction.atomic
def term_summary_text_save(*, term, text: str, version: int, user) -> TermSummaryText:
    """Save the summary's text; ``version`` is the one the writer started from (someone who saved
    meanwhile wins: ``NoteConflict``, nothing changes)."""
    if term.starts_on > timezone.localdate():
        raise ReportsError(
            _("%(term)s has not begun: its summary is written at its end.") % {"term": term.name}
        )
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > SUMMARY_MAX_LENGTH:
        raise ReportsError(
            _("The text is %(length)s characters long: at most %(limit)s, please.")
            % {"length": len(text), "limit": SUMMARY_MAX_LENGTH}
        )
    row, _created = TermSummaryText.objects.get_or_create(term=term)
    row = TermSummaryText.objects.select_for_update().get(pk=row.pk)
    if row.version != version:
        raise NoteConflict()
    if row.text != text:
        row.text, row.version, row.written_by, row.written_at = text, row.version + 1, user, timezone.now()
        row.save(update_fields=["text", "version", "written_by", "written_at"])
    return row
