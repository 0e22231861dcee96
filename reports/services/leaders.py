"""The one write of the report to school leaders: saving the librarian's note of a period."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User

from ..exceptions import NoteConflict, ReportsError
from ..models import LeadersReportNote
from ..selectors.leaders import period_key
from ..selectors.periods import Period

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def leaders_note_save(*, period: Period, text: str, version: int, user: User) -> LeadersReportNote:
    """Save the librarian's note of ``period``. ``version`` is the version the writer started
    from: if someone saved in the meantime, ``NoteConflict`` and nothing changes. An empty
    text removes the note from the report (the row stays, with who emptied it)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise ReportsError(
            _("The note is %(length)s characters long: at most %(limit)s, please.")
            % {"length": len(text), "limit": NOTE_MAX_LENGTH}
        )
    key = period_key(period)
    note, _created = LeadersReportNote.objects.get_or_create(
        period_key=key,
        defaults={
            "period_kind": period.kind,
            "first_month": period.first_month,
            "last_month": period.last_month,
            "term_id": period.term_id,
        },
    )
    note = LeadersReportNote.objects.select_for_update().get(pk=note.pk)
    if note.version != version:
        raise NoteConflict()
    if note.text == text:
        return note
    note.text = text
    note.version += 1
    note.written_by = user
    note.written_at = timezone.now()
    note.save(update_fields=["text", "version", "written_by", "written_at"])
    return note
