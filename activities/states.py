"""The states of a pupil's note and card, and the one guard every service calls before it
writes a new state (``NOTE_STATES.check(note.state, ...)``).

    draft ──hand in──▶ submitted ──review──▶ reviewed ──select──▶ selected
                          │  ▲                  ▲ (grade changed before release)
                 return   ▼  │ hand in again    │
                       returned ──▶ resubmitted ┘

A move not in the table is refused with ``WorkRefused`` and a message that names both states.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from library_site.states import Move, StateTable

from .exceptions import WorkRefused
from .models import ExcerptCard, PupilWork, ReadingNote

State = PupilWork.State
RIGHT_GRADE = "accounts.grade_activities"
RIGHT_MANAGE = "accounts.manage_activities"

WORK_MOVES = [
    Move(State.DRAFT, State.SUBMITTED, _("handed in by the pupil")),
    Move(State.SUBMITTED, State.RETURNED, _("returned for revision with a reason"), right=RIGHT_GRADE),
    Move(State.RESUBMITTED, State.RETURNED, _("returned for revision again"), right=RIGHT_GRADE),
    Move(State.RETURNED, State.RESUBMITTED, _("revised and handed in again by the pupil")),
    Move(State.SUBMITTED, State.REVIEWED, _("graded by a reviewer"), right=RIGHT_GRADE),
    Move(State.RESUBMITTED, State.REVIEWED, _("graded by a reviewer"), right=RIGHT_GRADE),
    Move(State.REVIEWED, State.REVIEWED, _("grade changed before it was released"), right=RIGHT_GRADE),
    Move(State.REVIEWED, State.SELECTED, _("chosen among the month's best"), right=RIGHT_MANAGE),
    Move(
        State.SELECTED,
        State.REVIEWED,
        _("taken off the month's winners before publication"),
        right=RIGHT_MANAGE,
    ),
]

WORK_MESSAGE = _("A note that is “%(current)s” cannot become “%(wanted)s”.")

NOTE_STATES = StateTable(
    "reading note", WORK_MOVES, choices=ReadingNote.State, refused=WorkRefused, message=WORK_MESSAGE
)
CARD_STATES = StateTable(
    "excerpt card",
    WORK_MOVES,
    choices=ExcerptCard.State,
    refused=WorkRefused,
    message=_("A card that is “%(current)s” cannot become “%(wanted)s”."),
)


def states_for(work: PupilWork) -> StateTable:
    return CARD_STATES if isinstance(work, ExcerptCard) else NOTE_STATES


# --- the activity calendar and the quiz (issue 17) ----------------------------------------------
# An activity: planned → open → judging → results published → closed. A quiz attempt: under way →
# handed in by the pupil, or closed at its deadline (by the next request or the beat task).

from .exceptions import ActivityRefused, AttemptRefused  # noqa: E402
from .models import Activity, Attempt  # noqa: E402

ActivityState = Activity.State
ACTIVITY_STATES = StateTable(
    "activity",
    [
        Move(ActivityState.PLANNED, ActivityState.OPEN, _("opened to the pupils"), right=RIGHT_MANAGE),
        Move(
            ActivityState.OPEN, ActivityState.JUDGING, _("entries closed, judging begins"), right=RIGHT_MANAGE
        ),
        Move(
            ActivityState.OPEN,
            ActivityState.PUBLISHED,
            _("results published (no judging)"),
            right=RIGHT_MANAGE,
        ),
        Move(
            ActivityState.JUDGING, ActivityState.PUBLISHED, _("results published (公示)"), right=RIGHT_MANAGE
        ),
        Move(ActivityState.PUBLISHED, ActivityState.CLOSED, _("closed and archived"), right=RIGHT_MANAGE),
        Move(
            ActivityState.OPEN,
            ActivityState.CLOSED,
            _("held, with no results to publish"),
            right=RIGHT_MANAGE,
        ),
    ],
    choices=Activity.State,
    refused=ActivityRefused,
    message=_("An activity that is “%(current)s” cannot become “%(wanted)s”."),
)

AttemptState = Attempt.State
ATTEMPT_STATES = StateTable(
    "quiz attempt",
    [
        Move(AttemptState.OPEN, AttemptState.SUBMITTED, _("handed in by the pupil before the deadline")),
        Move(AttemptState.OPEN, AttemptState.TIMED_OUT, _("closed and graded at the deadline")),
    ],
    choices=Attempt.State,
    refused=AttemptRefused,
    message=_("An attempt that is “%(current)s” cannot become “%(wanted)s”: it has been closed."),
)


# --- promotion and the readers' voice (issue 19) -------------------------------------------------
# A suggestion (评议箱):  received ──▶ in hand ──▶ answered ──▶ closed
#                             └────────────────────▶ answered (answered at once)
# and a review:            pending ──▶ approved ──▶ hidden (after a report) ──▶ approved
#                             └──────▶ rejected

from .exceptions import ReviewRefused, SuggestionRefused  # noqa: E402
from .models import Review, Suggestion  # noqa: E402

SuggestionState = Suggestion.State
SUGGESTION_STATES = StateTable(
    "suggestion",
    [
        Move(
            SuggestionState.RECEIVED,
            SuggestionState.IN_HAND,
            _("given an owner and a deadline"),
            right=RIGHT_MANAGE,
        ),
        Move(SuggestionState.RECEIVED, SuggestionState.ANSWERED, _("answered at once"), right=RIGHT_MANAGE),
        Move(
            SuggestionState.IN_HAND,
            SuggestionState.IN_HAND,
            _("owner, measure or deadline changed"),
            right=RIGHT_MANAGE,
        ),
        Move(
            SuggestionState.IN_HAND,
            SuggestionState.ANSWERED,
            _("answered with the measure taken"),
            right=RIGHT_MANAGE,
        ),
        Move(
            SuggestionState.ANSWERED,
            SuggestionState.CLOSED,
            _("closed when the measure is done"),
            right=RIGHT_MANAGE,
        ),
    ],
    choices=Suggestion.State,
    refused=SuggestionRefused,
    message=_("A suggestion that is “%(current)s” cannot become “%(wanted)s”."),
)

ReviewState = Review.State
REVIEW_STATES = StateTable(
    "review",
    [
        Move(
            ReviewState.PENDING,
            ReviewState.APPROVED,
            _("approved by a teacher or a librarian"),
            right=RIGHT_GRADE,
        ),
        Move(ReviewState.PENDING, ReviewState.REJECTED, _("not approved"), right=RIGHT_GRADE),
        Move(ReviewState.APPROVED, ReviewState.HIDDEN, _("hidden after a report"), right=RIGHT_GRADE),
        Move(ReviewState.HIDDEN, ReviewState.APPROVED, _("shown again after a look"), right=RIGHT_GRADE),
    ],
    choices=Review.State,
    refused=ReviewRefused,
    message=_("A review that is “%(current)s” cannot become “%(wanted)s”."),
)


# --- class book corners (issue 18) ---------------------------------------------------------
# A copy's line in a corner: in the corner until it goes back to the library, passes on in a
# rotation, or is declared lost when the class gives its corner back without it.
# A pupil's donation: reviewed, then placed in the class's corner or in the library, or refused.

from .exceptions import CornerRefused  # noqa: E402
from .models import CornerDonation, CornerLoan  # noqa: E402

_L = CornerLoan.State
CORNER_LOAN_STATES = StateTable(
    "copy in a class corner",
    [
        Move(_L.IN_CORNER, _L.RETURNED, _("given back to the library"), right=RIGHT_MANAGE),
        Move(_L.IN_CORNER, _L.ROTATED, _("passed to the parallel class in a rotation"), right=RIGHT_MANAGE),
        Move(_L.IN_CORNER, _L.LOST, _("missing when the corner was given back"), right=RIGHT_MANAGE),
    ],
    choices=CornerLoan.State,
    refused=CornerRefused,
    message=_("A corner copy that is “%(current)s” cannot become “%(wanted)s”."),
)

_D = CornerDonation.State
CORNER_DONATION_STATES = StateTable(
    "corner donation",
    [
        Move(
            _D.AWAITING_REVIEW,
            _D.IN_CORNER,
            _("passed the review, placed in the class corner"),
            right=RIGHT_MANAGE,
        ),
        Move(
            _D.AWAITING_REVIEW,
            _D.IN_LIBRARY,
            _("passed the review, placed in the library"),
            right=RIGHT_MANAGE,
        ),
        Move(_D.AWAITING_REVIEW, _D.REFUSED, _("refused at the content review"), right=RIGHT_MANAGE),
    ],
    choices=CornerDonation.State,
    refused=CornerRefused,
    message=_("A donation that is “%(current)s” cannot become “%(wanted)s”."),
)
