"""The quiz: built from the bank, taken by the pupils of its grades with a time limit kept by the
server, graded, and its winners published.

- ``attempt_start`` fixes the deadline when the attempt begins (the time limit, or the quiz's
  closing time if that comes first); a second call resumes the same attempt; one attempt per
  pupil (and a database constraint besides).
- ``answer_save`` saves one answer as it changes. An answer to a question not in the attempt,
  or after the deadline, is refused and changes nothing; an attempt found past its deadline is
  closed and graded at its deadline there and then. The attempt's row is locked while an answer
  is written, so that closing it cannot miss an answer being saved. ``answer_save_quick`` is
  the page's light way to the same (one read and one guarded upsert on PostgreSQL).
- ``attempt_close`` grades the objective questions; short answers wait for a person
  (``answer_grade``). ``attempts_close_overdue`` is what the beat task and the command run.
- ``question_key_change`` corrects a key: with ``dry_run`` it lists whose score changes.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation.models import Reader, SchoolClass
from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..exceptions import AnswerRefused, AttemptClosed, DeadlinePassed, GradingRefused, QuizRefused
from ..models import Activity, Answer, Attempt, MakeUp, Question, Quiz, QuizQuestion
from ..models.calendar import grades_parse
from ..states import ACTIVITY_STATES, ATTEMPT_STATES

Kind = Question.Kind
State = Attempt.State
TEXT_ANSWER_MAX = 2000
COMMENT_MAX = 500


# --- building a quiz ----------------------------------------------------------------------------


def _check_manager(user: User) -> None:
    if not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise QuizRefused(_("Only a librarian or the administrator sets quizzes."))


@transaction.atomic
def quiz_create(
    *,
    activity: Activity,
    opens_at: datetime,
    closes_at: datetime,
    by: User,
    minutes: int = 20,
    grades: str = "3,4,5,6",
    questions: list[Question] | None = None,
    mode: str = Quiz.Mode.FIXED,
    random_themes: str = "",
    random_count: int = 20,
    shuffle_options: bool = True,
) -> Quiz:
    _check_manager(by)
    if activity.kind != Activity.Kind.QUIZ:
        raise QuizRefused(_("A quiz belongs to an activity of the kind “knowledge quiz”."))
    if closes_at <= opens_at:
        raise QuizRefused(_("The quiz closes after it opens."))
    if not 1 <= minutes <= 240:
        raise QuizRefused(_("The time limit is between 1 and 240 minutes."))
    if not grades_parse(grades):
        raise QuizRefused(_("Name the grades as numbers from 1 to 12 separated by commas, e.g. 3,4,5,6."))
    quiz = Quiz(
        activity=activity,
        opens_at=opens_at,
        closes_at=closes_at,
        minutes=minutes,
        grades=",".join(map(str, grades_parse(grades))),
        mode=mode,
        random_themes=random_themes,
        random_count=random_count,
        shuffle_options=shuffle_options,
    )
    if mode == Quiz.Mode.FIXED:
        if not questions:
            raise QuizRefused(_("Choose the quiz's questions from the bank."))
    else:
        if not quiz.theme_list:
            raise QuizRefused(_("Name the themes the questions are drawn from."))
        available = Question.objects.filter(is_active=True, theme__in=quiz.theme_list).count()
        if available < random_count:
            raise QuizRefused(
                _("The themes hold %(available)s questions in use, fewer than the %(count)s to draw.")
                % {"available": available, "count": random_count}
            )
    quiz.save()
    for position, question in enumerate(questions or []):
        QuizQuestion.objects.create(quiz=quiz, question=question, position=position)
    return quiz


# --- who may take it, and when ------------------------------------------------------------------


def _window(quiz: Quiz, reader: Reader, now: datetime) -> tuple[datetime, datetime] | None:
    """The times between which ``reader`` may start ``quiz`` now: the quiz's own, or a make-up
    time set for them or their class; None when neither is open now."""
    if quiz.opens_at <= now < quiz.closes_at:
        return quiz.opens_at, quiz.closes_at
    make_up = (
        MakeUp.objects.filter(quiz=quiz, opens_at__lte=now, closes_at__gt=now)
        .filter(Q(reader=reader) | Q(school_class_id=reader.school_class_id))
        .order_by("-closes_at")
        .first()
    )
    return (make_up.opens_at, make_up.closes_at) if make_up else None


def quiz_is_for(quiz: Quiz, reader: Reader) -> bool:
    return (
        reader.kind == Reader.Kind.STUDENT
        and reader.is_active
        and reader.school_class_id is not None
        and reader.school_class.grade in quiz.grade_list
    )


def _draw(quiz: Quiz, seed: int) -> tuple[list[int], dict[str, list[int]]]:
    """The attempt's questions (the quiz's own, or drawn from its themes) and each choice
    question's option order, shuffled when the quiz says so; one query."""
    if quiz.mode == Quiz.Mode.FIXED:
        rows = list(
            QuizQuestion.objects.filter(quiz=quiz)
            .order_by("position", "pk")
            .values_list("question_id", "question__kind", "question__options")
        )
    else:
        rows = list(
            Question.objects.filter(is_active=True, theme__in=quiz.theme_list)
            .order_by("pk")
            .values_list("pk", "kind", "options")
        )
        rows = random.Random(seed).sample(rows, min(quiz.random_count, len(rows)))
    rng = random.Random(seed * 7919)
    orders = {}
    for pk, kind, options in rows:
        if kind in Question.CHOICE_KINDS:
            order = list(range(len(options)))
            if quiz.shuffle_options:
                rng.shuffle(order)
            orders[str(pk)] = order
    return [row[0] for row in rows], orders


def attempt_start(*, quiz: Quiz, reader: Reader, now: datetime | None = None) -> Attempt:
    """The pupil's attempt: started now with its deadline fixed, or the one already under way
    (a closed tab, another device). A pupil who has taken the quiz cannot start it again."""
    now = now or timezone.now()
    existing = Attempt.objects.filter(quiz=quiz, reader=reader).first()
    if existing is not None:
        existing = attempt_close_if_overdue(existing, now=now)
        if not existing.is_open:
            raise QuizRefused(_("You have already taken this quiz: there is one attempt per pupil."))
        return existing
    if not quiz_is_for(quiz, reader):
        raise QuizRefused(_("This quiz is not for your grade."))
    window = _window(quiz, reader, now)
    if window is None:
        if now < quiz.opens_at:
            raise QuizRefused(_("The quiz has not opened yet."))
        raise QuizRefused(_("The quiz has closed."))
    seed = reader.pk * 1_000_003 + quiz.pk
    question_ids, option_orders = _draw(quiz, seed)
    if not question_ids:
        raise QuizRefused(_("The quiz has no questions yet."))
    deadline = min(now + timedelta(minutes=quiz.minutes), window[1])
    attempt = Attempt(
        quiz=quiz,
        reader=reader,
        started_at=now,
        deadline=deadline,
        question_ids=question_ids,
        option_orders=option_orders,
    )
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                attempt.save()
        else:  # one INSERT, without a transaction of its own
            attempt.save()
    except IntegrityError:
        # The same pupil started in two tabs at once: the other request's attempt is theirs.
        return Attempt.objects.get(quiz=quiz, reader=reader)
    return attempt


# --- answers ------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Full-width and half-width alike, spaces ignored, case ignored: ＡＢＣ １２ == abc12."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _response_parse(question: Question, order: list[int] | None, value) -> list:
    """What the pupil sent (their displayed option numbers, 对/错, text) as it is kept: the
    options' indexes in the bank's order, [True]/[False], or [text]."""
    if question.kind in Question.CHOICE_KINDS:
        values = value if isinstance(value, list) else [value]
        order = order or list(range(len(question.options)))
        chosen = set()
        for item in values:
            text = str(item).strip()
            if text == "":
                continue
            if not text.isdigit() or int(text) >= len(order):
                raise AnswerRefused(_("Choose one of the question's options."))
            chosen.add(order[int(text)])
        if question.kind == Kind.SINGLE and len(chosen) > 1:
            raise AnswerRefused(_("Choose one option only."))
        return sorted(chosen)
    if question.kind == Kind.TRUE_FALSE:
        text = str(value[0] if isinstance(value, list) and value else value).strip().lower()
        if text in ("", "none"):
            return []
        if text not in ("true", "false"):
            raise AnswerRefused(_("Answer true or false."))
        return [text == "true"]
    text = str(value[0] if isinstance(value, list) and value else value)
    if len(text) > TEXT_ANSWER_MAX:
        raise AnswerRefused(_("The answer is longer than %(max)s characters.") % {"max": TEXT_ANSWER_MAX})
    return [text.strip()] if text.strip() else []


def answer_score(question: Question, response: list) -> Decimal | None:
    """The objective score of an answer; None for a short answer (a person grades it)."""
    if question.kind == Kind.SHORT:
        return None
    if not response:
        return Decimal(0)
    if question.kind in Question.CHOICE_KINDS or question.kind == Kind.TRUE_FALSE:
        right = list(response) == list(question.key)
    else:
        accepted = {_normalise(str(item)) for item in question.key}
        right = _normalise(str(response[0])) in accepted
    return question.points if right else Decimal(0)


def answer_save(
    *, attempt_id: int, reader: Reader, question_id: int, value, now: datetime | None = None
) -> Answer:
    """Save one answer of the pupil's open attempt (replacing their earlier answer to it)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, reader=reader).first()
        if attempt is None:
            raise AnswerRefused(_("This attempt is not yours."))
        overdue = attempt.is_open and now >= attempt.deadline
        if overdue:
            # Closed and graded at its deadline, and kept so: the refusal comes after the commit.
            _close(attempt, now=now)
        else:
            answer = _answer_write(attempt, question_id, value, now)
    if overdue:
        raise DeadlinePassed()
    return answer


# The answer written only while its attempt is open and before its deadline, in one statement:
# the attempt's row is read FOR SHARE (saves of one attempt do not wait for each other; closing
# it, which locks the row FOR UPDATE, waits for the saves in flight and the saves after it find
# it closed), and the answer row is inserted or replaced on (attempt, question).
_UPSERT_GUARDED = """
INSERT INTO activities_answer (attempt_id, question_id, response, saved_at, saves, comment)
SELECT attempt.id, %s, %s::jsonb, %s, 1, ''
FROM activities_attempt AS attempt
WHERE attempt.id = %s AND attempt.state = %s AND attempt.deadline > %s
FOR SHARE
ON CONFLICT (attempt_id, question_id)
DO UPDATE SET response = EXCLUDED.response, saved_at = EXCLUDED.saved_at,
              saves = activities_answer.saves + 1
RETURNING saves
"""


def answer_save_quick(
    *, attempt_id: int, user_id: int, question_id: int, value, now: datetime | None = None
) -> int:
    """``answer_save`` for the page's saves, which come about every ten seconds from every pupil
    of a grade at once: one read (the attempt, only if it is this user's, with the question) and,
    on PostgreSQL, one guarded upsert, no transaction of its own. Anything but a plain save (an
    attempt past its deadline or closed, another's attempt) goes the locked way of
    ``answer_save`` with its refusals. Returns the seconds left."""
    now = now or timezone.now()
    question_rows = Question.objects.filter(pk=question_id)
    row = (
        Attempt.objects.filter(pk=attempt_id, reader__user_id=user_id)
        .annotate(
            kind=Subquery(question_rows.values("kind")[:1]),
            options=Subquery(question_rows.values("options")[:1]),
        )
        .values("state", "deadline", "question_ids", "option_orders", "kind", "options", "reader_id")
        .first()
    )
    if row is None:
        raise AnswerRefused(_("This attempt is not yours."))
    if row["state"] == State.OPEN and now < row["deadline"] and connection.vendor == "postgresql":
        if question_id not in row["question_ids"] or row["kind"] is None:
            raise AnswerRefused(_("This question is not in your quiz."))
        options = row["options"]
        if isinstance(options, str):  # a JSON subquery comes back as text on some backends
            options = json.loads(options)
        question = Question(pk=question_id, kind=row["kind"], options=options or [])
        response = _response_parse(question, row["option_orders"].get(str(question_id)), value)
        with connection.cursor() as cursor:
            cursor.execute(
                _UPSERT_GUARDED,
                [question_id, json.dumps(response), now, attempt_id, State.OPEN, now],
            )
            if cursor.fetchone() is not None:
                return max(0, int((row["deadline"] - now).total_seconds()))
    # Closed, past its deadline, closed meanwhile, or not PostgreSQL: the locked way.
    reader = Reader.objects.get(pk=row["reader_id"])
    answer = answer_save(attempt_id=attempt_id, reader=reader, question_id=question_id, value=value, now=now)
    return answer.attempt.seconds_left(now)


def _answer_write(attempt: Attempt, question_id: int, value, now: datetime) -> Answer:
    ATTEMPT_STATES.check(
        attempt.state,
        State.SUBMITTED,
        refused=AttemptClosed,
        message=_("The attempt is “%(current)s”: no answer can be saved any more."),
    )
    if question_id not in attempt.question_ids:
        raise AnswerRefused(_("This question is not in your quiz."))
    question = Question.objects.only("kind", "options", "key", "points").get(pk=question_id)
    response = _response_parse(question, attempt.option_orders.get(str(question_id)), value)
    updated = Answer.objects.filter(attempt=attempt, question_id=question_id).update(
        response=response, saved_at=now, saves=F("saves") + 1
    )
    if not updated:
        # The attempt's row is locked: no other request can insert this answer meanwhile.
        Answer.objects.create(attempt=attempt, question=question, response=response, saved_at=now)
    return Answer(attempt=attempt, question=question, response=response, saved_at=now)


# --- closing and grading ------------------------------------------------------------------------


def _totals(attempt: Attempt, answers: list[Answer], questions: dict[int, Question]) -> None:
    attempt.max_score = sum(
        (questions[pk].points for pk in attempt.question_ids if pk in questions), Decimal(0)
    )
    attempt.score = sum((answer.score for answer in answers if answer.score is not None), Decimal(0))
    attempt.ungraded = sum(1 for answer in answers if answer.score is None)


def _close(attempt: Attempt, *, now: datetime) -> Attempt:
    """Close a locked open attempt: handed in now, or (past its deadline) at its deadline; the
    objective answers graded, the unanswered questions scored 0, short answers left to a
    person."""
    target = State.TIMED_OUT if now >= attempt.deadline else State.SUBMITTED
    ATTEMPT_STATES.check(attempt.state, target)
    questions = {question.pk: question for question in Question.objects.filter(pk__in=attempt.question_ids)}
    answers = {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    closed_at = attempt.deadline if target == State.TIMED_OUT else now
    changed, missing = [], []
    for pk in attempt.question_ids:
        question = questions.get(pk)
        if question is None:
            continue
        answer = answers.get(pk)
        if answer is None:
            # Nothing answered: 0, for short answers too (there is nothing to grade).
            answer = Answer(
                attempt=attempt,
                question=question,
                response=[],
                saved_at=closed_at,
                saves=0,
                score=Decimal(0),
                graded_at=closed_at,
            )
            missing.append(answer)
            answers[pk] = answer
            continue
        if question.kind == Kind.SHORT and answer.response:
            continue
        answer.score = answer_score(question, answer.response) if question.kind != Kind.SHORT else Decimal(0)
        answer.graded_at = closed_at
        changed.append(answer)
    Answer.objects.bulk_update(changed, ["score", "graded_at"])
    Answer.objects.bulk_create(missing)
    attempt.state = target
    attempt.closed_at = closed_at
    _totals(attempt, list(answers.values()), questions)
    attempt.save(update_fields=["state", "closed_at", "score", "max_score", "ungraded"])
    return attempt


def attempt_submit(*, attempt_id: int, reader: Reader, now: datetime | None = None) -> Attempt:
    """The pupil hands in. A second submit (a double click) is refused; past the deadline the
    attempt is closed at its deadline instead (and the refusal says so)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, reader=reader).first()
        if attempt is None:
            raise AnswerRefused(_("This attempt is not yours."))
        overdue = attempt.is_open and now >= attempt.deadline
        if not overdue:
            ATTEMPT_STATES.check(
                attempt.state,
                State.SUBMITTED,
                message=_("The attempt has already been handed in (“%(current)s”)."),
            )
        attempt = _close(attempt, now=now)
    if overdue:
        raise DeadlinePassed()
    return attempt


def attempt_close_if_overdue(attempt: Attempt, *, now: datetime | None = None) -> Attempt:
    """The attempt as it is, closed at its deadline first if its time ran out."""
    now = now or timezone.now()
    if not attempt.is_open or now < attempt.deadline:
        return attempt
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_open:
            _close(locked, now=now)
        return locked


def attempts_close_overdue(*, now: datetime | None = None, quiz: Quiz | None = None) -> int:
    """Close and grade, at its deadline, every open attempt whose time ran out (a pupil who
    closed the laptop is counted). Safe to run any number of times, and beside the requests."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(state=State.OPEN, deadline__lte=now)
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    closed = 0
    for pk in overdue.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(skip_locked=True).filter(pk=pk, state=State.OPEN).first()
            )
            if attempt is not None:
                _close(attempt, now=now)
                closed += 1
    return closed


# --- grading by a person ------------------------------------------------------------------------


def _recount(attempt_ids) -> None:
    """Each attempt's score and answers to grade, from its answers."""
    for attempt in Attempt.objects.filter(pk__in=set(attempt_ids)).select_for_update():
        answers = list(Answer.objects.filter(attempt=attempt))
        questions = {
            question.pk: question for question in Question.objects.filter(pk__in=attempt.question_ids)
        }
        _totals(attempt, answers, questions)
        attempt.save(update_fields=["score", "max_score", "ungraded"])


def _check_grader(user: User, reader: Reader) -> None:
    from ..selectors.review import class_is_reviewable

    if not user.has_perm(Capability.GRADE_ACTIVITIES.permission) or not class_is_reviewable(
        user, reader.school_class_id
    ):
        raise GradingRefused(_("You do not grade this pupil's class."))


def _points(text, maximum: Decimal) -> Decimal:
    try:
        points = Decimal(str(text).strip().replace("，", "."))
    except (InvalidOperation, ValueError):
        raise GradingRefused(_("The score is a number.")) from None
    if not (0 <= points <= maximum) or points != points.quantize(Decimal("0.1")):
        raise GradingRefused(_("The score is between 0 and %(max)s, in steps of 0.1.") % {"max": maximum})
    return points


@transaction.atomic
def answers_grade(*, question: Question, scores: dict[int, tuple[str, str]], grader: User, now=None) -> int:
    """Grade short answers to ``question``: {answer id: (points, comment)}. Every score is
    checked first; one wrong one refuses them all. Returns how many were graded."""
    now = now or timezone.now()
    if question.kind != Kind.SHORT:
        raise GradingRefused(_("Only short answers are graded by hand; the others are graded at submit."))
    answers = list(
        Answer.objects.filter(pk__in=list(scores), question=question)
        .select_related("attempt__reader")
        .select_for_update(of=("self",))
    )
    if len(answers) != len(scores):
        raise GradingRefused(_("An answer is not one of this question's."))
    for answer in answers:
        _check_grader(grader, answer.attempt.reader)
        if answer.attempt.is_open:
            raise GradingRefused(_("An attempt still under way cannot be graded."))
    planned = []
    for answer in answers:
        points_text, comment = scores[answer.pk]
        if str(points_text).strip() == "":
            continue
        if len(comment) > COMMENT_MAX:
            raise GradingRefused(_("A comment is at most %(max)s characters.") % {"max": COMMENT_MAX})
        planned.append((answer, _points(points_text, question.points), comment.strip()))
    for answer, points, comment in planned:
        answer.score, answer.comment, answer.graded_at, answer.graded_by = points, comment, now, grader
    Answer.objects.bulk_update([row[0] for row in planned], ["score", "comment", "graded_at", "graded_by"])
    _recount(answer.attempt_id for answer, _points_given, _comment in planned)
    return len(planned)


@dataclass
class ScoreChange:
    attempt: Attempt
    before: Decimal
    after: Decimal


def question_key_change(
    *, question: Question, key: list, by: User, dry_run: bool = True
) -> list[ScoreChange]:
    """Correct a question's key and regrade every closed attempt with it. With ``dry_run`` only
    the list of whose score changes (nothing is written)."""
    _check_manager(by)
    if question.kind == Kind.SHORT:
        raise GradingRefused(_("A short answer has no key to correct: its answers are graded by hand."))
    if question.kind in Question.CHOICE_KINDS:
        if not key or any(not isinstance(item, int) or not 0 <= item < len(question.options) for item in key):
            raise GradingRefused(_("Choose the right options."))
        if question.kind == Kind.SINGLE and len(key) != 1:
            raise GradingRefused(_("A single choice question has exactly one right option."))
        key = sorted(set(key))
    elif question.kind == Kind.TRUE_FALSE and key not in ([True], [False]):
        raise GradingRefused(_("Answer true or false."))
    elif question.kind == Kind.FILL:
        key = [str(item).strip() for item in key if str(item).strip()]
        if not key:
            raise GradingRefused(_("Give at least one accepted answer."))
    corrected = Question(kind=question.kind, options=question.options, key=key, points=question.points)
    with transaction.atomic():
        answers = list(
            Answer.objects.filter(question=question, attempt__state__in=Attempt.CLOSED)
            .select_related("attempt__reader__user", "attempt__reader__school_class")
            .order_by(
                "attempt__reader__school_class__grade",
                "attempt__reader__school_class__number",
                "attempt__reader__number",
            )
        )
        changes, changed = [], []
        for answer in answers:
            new = answer_score(corrected, answer.response)
            old = answer.score or Decimal(0)
            if new != old:
                attempt = answer.attempt
                changes.append(
                    ScoreChange(
                        attempt=attempt,
                        before=attempt.score or Decimal(0),
                        after=(attempt.score or Decimal(0)) - old + new,
                    )
                )
                answer.score = new
                changed.append(answer)
        if dry_run:
            return changes
        question = Question.objects.select_for_update().get(pk=question.pk)
        question.key = key
        question.changed_at = timezone.now()
        question.changed_by = by
        question.save(update_fields=["key", "changed_at", "changed_by"])
        Answer.objects.bulk_update(changed, ["score"])
        _recount(answer.attempt_id for answer in changed)
    return changes


# --- make-up times and paper answers ------------------------------------------------------------


@transaction.atomic
def make_up_set(
    *,
    quiz: Quiz,
    opens_at: datetime,
    closes_at: datetime,
    by: User,
    reader: Reader | None = None,
    school_class: SchoolClass | None = None,
) -> MakeUp:
    from ..selectors.review import class_is_reviewable

    if (reader is None) == (school_class is None):
        raise QuizRefused(_("Set a make-up time for one pupil or for one class."))
    class_id = school_class.pk if school_class else reader.school_class_id
    if not by.has_perm(Capability.GRADE_ACTIVITIES.permission) or not class_is_reviewable(by, class_id):
        raise QuizRefused(_("You do not teach this class."))
    if closes_at <= opens_at:
        raise QuizRefused(_("The make-up time closes after it opens."))
    return MakeUp.objects.create(
        quiz=quiz, reader=reader, school_class=school_class, opens_at=opens_at, closes_at=closes_at, set_by=by
    )


@transaction.atomic
def paper_answers_enter(
    *, quiz: Quiz, reader: Reader, answers: dict[int, object], by: User, now=None
) -> Attempt:
    """A teacher enters the answers a pupil without a device wrote on paper (the quiz's fixed
    questions): an attempt of its own, handed in at once and graded as any other."""
    from ..selectors.review import class_is_reviewable

    now = now or timezone.now()
    if not by.has_perm(Capability.GRADE_ACTIVITIES.permission) or not class_is_reviewable(
        by, reader.school_class_id
    ):
        raise QuizRefused(_("You do not teach this class."))
    if quiz.mode != Quiz.Mode.FIXED:
        raise QuizRefused(_("Paper answers can be entered for a quiz with the same questions for everyone."))
    if not quiz_is_for(quiz, reader):
        raise QuizRefused(_("This quiz is not for the pupil's grade."))
    if Attempt.objects.filter(quiz=quiz, reader=reader).exists():
        raise QuizRefused(_("%(name)s has already taken this quiz.") % {"name": reader.name})
    question_ids, _orders = _draw(quiz, 0)
    questions = {question.pk: question for question in Question.objects.filter(pk__in=question_ids)}
    parsed = {}
    for pk, value in answers.items():
        if pk not in questions:
            raise AnswerRefused(_("This question is not in the quiz."))
        parsed[pk] = _response_parse(questions[pk], None, value)
    attempt = Attempt.objects.create(
        quiz=quiz,
        reader=reader,
        started_at=now,
        deadline=now + timedelta(seconds=1),
        question_ids=question_ids,
        on_paper=True,
        entered_by=by,
    )
    Answer.objects.bulk_create(
        [
            Answer(attempt=attempt, question=questions[pk], response=response, saved_at=now)
            for pk, response in parsed.items()
        ]
    )
    return _close(attempt, now=now)


# --- winners ------------------------------------------------------------------------------------


@transaction.atomic
def winners_choose(*, quiz: Quiz, attempt_ids: list[int], by: User) -> int:
    """The librarian's winners, ranked in the order given. Before publication only; every
    attempt must be closed and fully graded."""
    _check_manager(by)
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.winners_published_at:
        raise QuizRefused(_("The winners have been published and can no longer change."))
    attempts = {attempt.pk: attempt for attempt in Attempt.objects.filter(quiz=quiz, pk__in=attempt_ids)}
    if len(attempts) != len(set(attempt_ids)):
        raise QuizRefused(_("A winner must be one of this quiz's attempts."))
    if any(attempt.is_open or attempt.ungraded for attempt in attempts.values()):
        raise QuizRefused(_("A winner's attempt must be closed and fully graded."))
    Attempt.objects.filter(quiz=quiz).update(winner_rank=None, chosen_by=None)
    for rank, pk in enumerate(dict.fromkeys(attempt_ids), start=1):
        Attempt.objects.filter(pk=pk).update(winner_rank=rank, chosen_by=by)
    return len(attempts)


def winners_by_rank(*, quiz: Quiz, count: int) -> list[int]:
    """The ``count`` best closed attempts (score, then the earlier hand-in), as a proposal."""
    return list(
        Attempt.objects.filter(quiz=quiz, state__in=Attempt.CLOSED, ungraded=0)
        .order_by(F("score").desc(nulls_last=True), "closed_at", "pk")
        .values_list("pk", flat=True)[:count]
    )


@transaction.atomic
def winners_publish(*, quiz: Quiz, by: User, now=None) -> Quiz:
    """Publish the winners (公示): the quiz's activity moves to “results published”."""
    _check_manager(by)
    now = now or timezone.now()
    quiz = Quiz.objects.select_for_update().select_related("activity").get(pk=quiz.pk)
    if quiz.winners_published_at:
        raise QuizRefused(_("The winners have already been published."))
    if not Attempt.objects.filter(quiz=quiz, winner_rank__isnull=False).exists():
        raise QuizRefused(_("Choose the winners first."))
    if Attempt.objects.filter(quiz=quiz, ungraded__gt=0).exists():
        raise QuizRefused(_("Some short answers are still to be graded."))
    activity = Activity.objects.select_for_update().get(pk=quiz.activity_id)
    if activity.state == Activity.State.OPEN:
        ACTIVITY_STATES.check(activity.state, Activity.State.JUDGING)
        activity.state = Activity.State.JUDGING
    ACTIVITY_STATES.check(activity.state, Activity.State.PUBLISHED)
    activity.state = Activity.State.PUBLISHED
    activity.published_at = now
    activity.published_by = by
    activity.save(update_fields=["state", "published_at", "published_by"])
    quiz.winners_published_at = now
    quiz.winners_published_by = by
    quiz.save(update_fields=["winners_published_at", "winners_published_by"])
    return quiz
