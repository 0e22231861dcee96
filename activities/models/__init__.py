"""The activities app's models, one module per sub-domain (../shared/DESIGN.md: a `models/`
package when it grows). Each module is imported here so that `from activities.models import X`
works for every model and Django finds them all."""

# --- the activity calendar, the quiz, contests and honours (issue 17) ---
from .calendar import Activity, ActivityPlan
from .contests import Contest, Criterion, Entry, Score
from .honours import Honour, HonourTitle
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
from .quiz import Answer, Attempt, MakeUp, Question, Quiz, QuizQuestion

__all__ = [
    "ActivitiesSettings",
    # issue 17
    "Activity",
    "ActivityPlan",
    "Answer",
    "Attempt",
    "ClassReviewer",
    "Contest",
    "Criterion",
    "Entry",
    "ExcerptCard",
    "Honour",
    "HonourTitle",
    "MakeUp",
    "MonthSelection",
    "NotePhoto",
    "NotesRule",
    "PupilWork",
    "Question",
    "Quiz",
    "QuizQuestion",
    "ReadingNote",
    "Score",
    "WorkFingerprint",
]
