"""The activities app's models, one module per sub-domain (../shared/DESIGN.md: a `models/`
package when it grows). Each module is imported here so that `from activities.models import X`
works for every model and Django finds them all."""

from .bulletin import (
    BulletinPost,
    LibraryPage,
    PromotionSettings,
)
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
from .lists import (
    CoBorrowing,
    GradePopularity,
    LibrarianPick,
    ReadingList,
    ReadingListItem,
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
from .reviews import (
    Review,
    ReviewReport,
)
from .suggestions import (
    Suggestion,
    SuggestionEvent,
)
from .surveys import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
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
    "BestMember",
    "BulletinPost",
    "ClassCorner",
    "ClassReviewer",
    "CoBorrowing",
    "CornerBatch",
    "CornerDonation",
    "CornerLending",
    "CornerLoan",
    "CornerRotation",
    "CornerRotationPlan",
    "CornerStocktake",
    "ExcerptCard",
    "GradePopularity",
    "LibrarianPick",
    "LibraryPage",
    "MonthSelection",
    "MonthlyRating",
    "NotePhoto",
    "NotesRule",
    "PromotionSettings",
    "PupilWork",
    "RatingCriterion",
    "ReadingList",
    "ReadingListItem",
    "ReadingNote",
    "Review",
    "ReviewReport",
    "RotaSlot",
    "Shift",
    "ShiftWork",
    "Suggestion",
    "SuggestionEvent",
    "Survey",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyQuestion",
    "SurveyResponse",
    "TeamMeeting",
    "TeamMember",
    "TrainingSession",
    "WorkFingerprint",
]
