"""What the circulation desk asks the reading activities, through circulation's registries
(``circulation/registries.py``): whether owed notes stop a reader borrowing, and the line the
reader panel shows. Each costs one query at most (none when the reader's rule asks no notes or
the policy does not block); the rules and terms come from the shared cache."""

from __future__ import annotations

from django.utils.translation import ngettext

from .selectors.notes import reader_notes_owed_count


def notes_owed_borrowing_check(reader, policy) -> str | None:
    """The one-line reason ``reader`` may not borrow under ``policy``, or None: only a policy
    with ``block_on_owed_notes`` on blocks, and a note handed in lifts the block at once."""
    if not getattr(policy, "block_on_owed_notes", False):
        return None
    owed, _rule = reader_notes_owed_count(reader)
    if not owed:
        return None
    return ngettext(
        "%(count)s reading note owed blocks borrowing: the pupil hands it in first.",
        "%(count)s reading notes owed block borrowing: the pupil hands them in first.",
        owed,
    ) % {"count": owed}


def notes_owed_panel_line(reader) -> str | None:
    """The reader panel's line ("还需交 1 篇读书笔记"), or None when nothing is owed."""
    owed, _rule = reader_notes_owed_count(reader)
    if not owed:
        return None
    return ngettext(
        "%(count)s reading note still to hand in", "%(count)s reading notes still to hand in", owed
    ) % {"count": owed}
