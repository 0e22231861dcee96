"""The activities app's models, one module per sub-domain (../shared/DESIGN.md: a `models/`
package when it grows). Each module is imported here so that `from activities.models import X`
works for every model and Django finds them all."""

from .bulletin import (
    BulletinPost,
    LibraryPage,
    PromotionSettings,
)
from .calendar import (
    Activity,
    ActivityPlan,
)
from .contests import (
    Contest,
    Criterion,
    Entry,
    Score,
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
from .honours import (
    Honour,
    HonourTitle,
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
from .quiz import (
    Answer,
    Attempt,
    MakeUp,
    Question,
    Quiz,
    QuizQuestion,
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
    "Activity",
    "ActivityPlan",
    "Answer",
    "Attempt",
    "BestMember",
    "BulletinPost",
    "ClassCorner",
    "ClassReviewer",
    "CoBorrowing",
    "Contest",
    "CornerBatch",
    "CornerDonation",
    "CornerLending",
    "CornerLoan",
    "CornerRotation",
    "CornerRotationPlan",
    "CornerStocktake",
    "Criterion",
    "Entry",
    "ExcerptCard",
    "GradePopularity",
    "Honour",
    "HonourTitle",
    "LibrarianPick",
    "LibraryPage",
    "MakeUp",
    "MonthSelection",
    "MonthlyRating",
    "NotePhoto",
    "NotesRule",
    "PromotionSettings",
    "PupilWork",
    "Question",
    "Quiz",
    "QuizQuestion",
    "RatingCriterion",
    "ReadingList",
    "ReadingListItem",
    "ReadingNote",
    "Review",
    "ReviewReport",
    "RotaSlot",
    "Score",
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
