"""The activities app's models, one module per sub-domain (../shared/DESIGN.md: a `models/`
package when it grows). Each module is imported here so that `from activities.models import X`
works for every model and Django finds them all."""

from .notes import (
    ActivitiesSettings,
    ClassReviewer,
    ExcerptCard,
    MonthSelection,
    NotePhoto,
    NotesRule,
    PupilWork,
    ReadingNote,
    WorkFingerprint,
)

__all__ = [
    "ActivitiesSettings",
    "ClassReviewer",
    "ExcerptCard",
    "MonthSelection",
    "NotePhoto",
    "NotesRule",
    "PupilWork",
    "ReadingNote",
    "WorkFingerprint",
]
