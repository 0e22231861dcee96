"""The reading activities' refusals: one base error, each child with a message a pupil, a
teacher or a librarian understands."""

from django.utils.translation import gettext_lazy as _


class ActivitiesError(Exception):
    """A refusal the reader can read: the message says what is wrong and what to do."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class WorkRefused(ActivitiesError):
    """A note or a card asked to move to a state its table does not allow."""

    default_message = _("This note cannot be changed that way now.")


class NotEditable(ActivitiesError):
    default_message = _(
        "This note has been handed in and can no longer be changed, unless it is returned for revision."
    )


class DraftOutdated(ActivitiesError):
    default_message = _(
        "This draft was changed on another device or in another tab since this page was opened: "
        "reload the page to continue with the latest text."
    )


class TextRefused(ActivitiesError):
    default_message = _("The text cannot be accepted.")


class BookRefused(ActivitiesError):
    default_message = _("Choose a book from your loans or from the catalogue.")


class NoteExists(ActivitiesError):
    default_message = _("A reading note for this loan has already been written.")


class PhotoRefused(ActivitiesError):
    default_message = _("The photo must be an image (JPEG, PNG or WebP) of at most 8 MB.")


class GradeRefused(ActivitiesError):
    default_message = _("Choose one of the grades of the scale.")


class NotReviewer(ActivitiesError):
    default_message = _("You do not review this class.")


class SelectionRefused(ActivitiesError):
    default_message = _("The month's selection cannot be changed that way.")


class NotYours(ActivitiesError):
    default_message = _("This note belongs to another pupil.")


# --- the activity calendar, the quiz, contests and honours (issue 17) ---


class ActivityRefused(ActivitiesError):
    default_message = _("The activity cannot be changed that way now.")


class AttemptRefused(ActivitiesError):
    default_message = _("This quiz attempt has been closed.")


class QuizRefused(ActivitiesError):
    default_message = _("You cannot take this quiz now.")


class AnswerRefused(ActivitiesError):
    default_message = _("This answer cannot be saved.")


class AttemptClosed(AnswerRefused):
    default_message = _("Your attempt has been closed: no answer can be saved any more.")


class DeadlinePassed(AttemptClosed):
    default_message = _(
        "Your time is up: the quiz was closed at its deadline and your answers so far were graded."
    )


class BankRefused(ActivitiesError):
    default_message = _("The question bank file cannot be imported.")


class GradingRefused(ActivitiesError):
    default_message = _("This answer cannot be graded that way.")


class ContestRefused(ActivitiesError):
    default_message = _("The contest cannot be changed that way now.")


class UploadRefused(ContestRefused):
    default_message = _("The file must be a .docx, a .pdf or an image (JPEG or PNG) of at most 10 MB.")


class HonourRefused(ActivitiesError):
    default_message = _("The honour cannot be awarded or revoked that way.")


# --- promotion and the readers' voice (issue 19) -------------------------------------------------


class PromotionRefused(ActivitiesError):
    """A post, page, list, pick, review, questionnaire or suggestion that cannot be saved as sent."""

    default_message = _("This cannot be saved: check what you entered.")


class ReviewRefused(ActivitiesError):
    default_message = _("You cannot review this title.")


class SurveyRefused(ActivitiesError):
    default_message = _("This questionnaire cannot take your answers.")


class SuggestionRefused(ActivitiesError):
    default_message = _("This suggestion cannot be changed that way now.")


# --- class book corners and the service team (issue 18) ------------------------------------


class CornerRefused(ActivitiesError):
    default_message = _("The class book corner cannot be changed that way.")


class TeamRefused(ActivitiesError):
    default_message = _("The service team cannot be changed that way.")


class ShiftRefused(ActivitiesError):
    default_message = _("This shift cannot be changed that way.")


class RatingRefused(ActivitiesError):
    default_message = _("The rating cannot be saved.")
