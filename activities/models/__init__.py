"""The activities app's models, one module per sub-domain (../shared/DESIGN.md: a `models/`
package when it grows). Each module is imported here so that `from activities.models import X`
works for every model and Django finds them all."""

# Class book corners and the student service team (issue 18)
from .corners import (
    ClassCorner,
    CornerBatch,
    CornerDonation,
    CornerLending,
    CornerLoan,
    CornerRotation,
    CornerRotationPlan,
    CornerStocktake,
)
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
from .team import (
    BestMember,
    MonthlyRating,
    RatingCriterion,
    RotaSlot,
    Shift,
    ShiftWork,
    TeamMeeting,
    TeamMember,
    TrainingSession,
)

__all__ = [
    "ActivitiesSettings",
    # issue 18
    "BestMember",
    "ClassCorner",
    "ClassReviewer",
    "CornerBatch",
    "CornerDonation",
    "CornerLending",
    "CornerLoan",
    "CornerRotation",
    "CornerRotationPlan",
    "CornerStocktake",
    "ExcerptCard",
    "MonthSelection",
    "MonthlyRating",
    "NotePhoto",
    "NotesRule",
    "PupilWork",
    "RatingCriterion",
    "ReadingNote",
    "RotaSlot",
    "Shift",
    "ShiftWork",
    "TeamMeeting",
    "TeamMember",
    "TrainingSession",
    "WorkFingerprint",
]
