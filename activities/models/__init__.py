"""The activities app's models, one module per sub-domain (../shared/DESIGN.md: a `models/`
package when it grows). Each module is imported here so that `from activities.models import X`
works for every model and Django finds them all."""

# --- promotion and the readers' voice (issue 19) ---
from .bulletin import BulletinPost, LibraryPage, PromotionSettings
from .lists import CoBorrowing, GradePopularity, LibrarianPick, ReadingList, ReadingListItem
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
from .reviews import Review, ReviewReport
from .suggestions import Suggestion, SuggestionEvent
from .surveys import Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse

__all__ = [
    "ActivitiesSettings",
    # promotion and the readers' voice
    "BulletinPost",
    "ClassReviewer",
    "CoBorrowing",
    "ExcerptCard",
    "GradePopularity",
    "LibrarianPick",
    "LibraryPage",
    "MonthSelection",
    "NotePhoto",
    "NotesRule",
    "PromotionSettings",
    "PupilWork",
    "ReadingList",
    "ReadingListItem",
    "ReadingNote",
    "Review",
    "ReviewReport",
    "Suggestion",
    "SuggestionEvent",
    "Survey",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyQuestion",
    "SurveyResponse",
    "WorkFingerprint",
]
