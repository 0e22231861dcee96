"""Reads of the quiz: a pupil's quizzes and their attempt page (the questions in their order, the
options shuffled, their saved answers; never a key while the attempt is open), the grading queue
(one short-answer question across all attempts at a time), and the results per pupil, class and
grade. Each in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from circulation.models import Reader, SchoolClass
from library_site.school import grade_name

from ..models import Answer, Attempt, Question, Quiz
from .review import reviewable_classes, reviews_all_classes

Kind = Question.Kind


def pupil_quizzes(reader: Reader, *, now=None) -> list[Quiz]:
    """The quizzes for the pupil's grade that are open now, or that they have taken or a
    make-up time lets them take, each with ``my_attempt`` (two queries)."""
    now = now or timezone.now()
    if reader.school_class_id is None:
        return []
    grade = str(reader.school_class.grade)
    quizzes = [
        quiz
        for quiz in Quiz.objects.select_related("activity")
        .filter(opens_at__lte=now)
        .order_by("-opens_at")[:50]
        if grade in quiz.grades.split(",")
    ]
    attempts = {
        attempt.quiz_id: attempt for attempt in Attempt.objects.filter(reader=reader, quiz__in=quizzes)
    }
    shown = []
    for quiz in quizzes:
        quiz.my_attempt = attempts.get(quiz.pk)
        quiz.is_open_now = quiz.opens_at <= now < quiz.closes_at
        if (
            quiz.my_attempt
            or quiz.is_open_now
            or quiz.make_ups.filter(opens_at__lte=now, closes_at__gt=now)
            .filter(Q(reader=reader) | Q(school_class_id=reader.school_class_id))
            .exists()
        ):
            shown.append(quiz)
    return shown


def attempt_page(attempt: Attempt, *, now=None) -> dict:
    """What the pupil's page shows of their attempt: each question with its options in the
    pupil's order and their saved answer; the key, the right answer and the score only once the
    attempt is closed. Two queries."""
    now = now or timezone.now()
    questions = {question.pk: question for question in Question.objects.filter(pk__in=attempt.question_ids)}
    answers = {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    closed = not attempt.is_open
    items = []
    for number, pk in enumerate(attempt.question_ids, start=1):
        question = questions.get(pk)
        if question is None:
            continue
        order = attempt.option_orders.get(str(pk)) or list(range(len(question.options)))
        answer = answers.get(pk)
        response = answer.response if answer else []
        item = {
            "number": number,
            "id": pk,
            "kind": question.kind,
            "kind_label": question.get_kind_display(),
            "text": question.text,
            "points": question.points,
            "options": [
                {
                    "value": shown,
                    "letter": chr(65 + shown),
                    "text": question.options[index],
                    "chosen": index in response,
                    "right": closed and index in question.key,
                }
                for shown, index in enumerate(order)
                if index < len(question.options)
            ],
            "text_answer": response[0] if response and question.kind in (Kind.FILL, Kind.SHORT) else "",
            "true_false": (response[0] if response and question.kind == Kind.TRUE_FALSE else None),
        }
        if closed:
            item["score"] = answer.score if answer else Decimal(0)
            item["comment"] = answer.comment if answer else ""
            item["key_text"] = (
                "、".join(str(item) for item in question.key)
                if question.kind == Kind.FILL
                else ("√" if question.key == [True] else "×")
                if question.kind == Kind.TRUE_FALSE
                else question.key[0]
                if question.kind == Kind.SHORT and question.key
                else ""
            )
        items.append(item)
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "closed": closed,
        "seconds_left": attempt.seconds_left(now),
        "answered": sum(1 for pk in attempt.question_ids if answers.get(pk) and answers[pk].response),
    }


def _grader_attempts(quiz: Quiz, user):
    attempts = Attempt.objects.filter(quiz=quiz)
    if reviews_all_classes(user):
        return attempts
    return attempts.filter(reader__school_class__in=reviewable_classes(user))


def grading_queue(quiz: Quiz, user) -> list[dict]:
    """The quiz's short-answer questions, each with how many of the grader's classes' answers
    wait (two queries)."""
    question_ids = set()
    for ids in _grader_attempts(quiz, user).values_list("question_ids", flat=True):
        question_ids.update(ids)
    shorts = Question.objects.filter(pk__in=question_ids, kind=Kind.SHORT).order_by("pk")
    counts = dict(
        Answer.objects.filter(
            attempt__in=_grader_attempts(quiz, user).exclude(state=Attempt.State.OPEN), question__in=shorts
        )
        .values_list("question_id")
        .annotate(waiting=Count("pk", filter=Q(score__isnull=True)))
        .order_by()
    )
    return [{"question": question, "waiting": counts.get(question.pk, 0)} for question in shorts]


def grading_answers(quiz: Quiz, question: Question, user) -> list[Answer]:
    """The short answers to ``question`` in the grader's classes' closed attempts, the ungraded
    first (one query)."""
    return list(
        Answer.objects.filter(
            question=question, attempt__in=_grader_attempts(quiz, user).exclude(state=Attempt.State.OPEN)
        )
        .select_related("attempt__reader__user", "attempt__reader__school_class", "graded_by")
        .order_by(
            F("score").asc(nulls_first=True),
            "attempt__reader__school_class__grade",
            "attempt__reader__school_class__number",
            "attempt__reader__number",
        )
    )


def quiz_results(quiz: Quiz, user=None) -> dict:
    """Per class (average, completion, who has not taken it yet) and per grade, and the ranked
    attempts: four queries whatever the number of pupils."""
    grades = quiz.grade_list
    classes = SchoolClass.objects.filter(is_active=True, grade__in=grades).order_by("grade", "number")
    if user is not None and not reviews_all_classes(user) and not user.has_perm("accounts.view_statistics"):
        classes = classes.filter(pk__in=reviewable_classes(user))
    classes = list(classes)
    class_ids = [school_class.pk for school_class in classes]
    pupils = list(
        Reader.objects.filter(
            kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE, school_class_id__in=class_ids
        )
        .select_related("user")
        .order_by("number")
    )
    attempts = list(
        Attempt.objects.filter(quiz=quiz, reader__school_class_id__in=class_ids)
        .select_related("reader__user", "reader__school_class")
        .order_by("-score", "closed_at", "pk")
    )
    taken = {attempt.reader_id: attempt for attempt in attempts}
    by_class: dict[int, list[Reader]] = defaultdict(list)
    for pupil in pupils:
        by_class[pupil.school_class_id].append(pupil)
    lines, grade_lines = [], {}
    for school_class in classes:
        members = by_class[school_class.pk]
        done = [taken[pupil.pk] for pupil in members if pupil.pk in taken and not taken[pupil.pk].is_open]
        scores = [attempt.score for attempt in done if attempt.score is not None]
        line = {
            "school_class": school_class,
            "pupils": len(members),
            "taken": len(done),
            "average": (sum(scores) / len(scores)).quantize(Decimal("0.1")) if scores else None,
            "missing": [pupil for pupil in members if pupil.pk not in taken],
            "under_way": [pupil for pupil in members if pupil.pk in taken and taken[pupil.pk].is_open],
        }
        lines.append(line)
        grade = grade_lines.setdefault(
            school_class.grade,
            {
                "grade": school_class.grade,
                "name": grade_name(school_class.grade),
                "pupils": 0,
                "taken": 0,
                "scores": [],
            },
        )
        grade["pupils"] += line["pupils"]
        grade["taken"] += line["taken"]
        grade["scores"] += scores
    for grade in grade_lines.values():
        scores = grade.pop("scores")
        grade["average"] = (sum(scores) / len(scores)).quantize(Decimal("0.1")) if scores else None
    ranked = [attempt for attempt in attempts if not attempt.is_open]
    return {
        "quiz": quiz,
        "classes": lines,
        "grades": sorted(grade_lines.values(), key=lambda line: line["grade"]),
        "ranked": ranked,
        "winners": sorted(
            (attempt for attempt in ranked if attempt.winner_rank), key=lambda attempt: attempt.winner_rank
        ),
        "ungraded": sum(attempt.ungraded for attempt in ranked),
        "open": sum(1 for attempt in attempts if attempt.is_open),
    }


def quiz_overview() -> list[Quiz]:
    """Every quiz with its counts of attempts (one query)."""
    return list(
        Quiz.objects.select_related("activity")
        .annotate(
            attempts_count=Count("attempts"),
            open_count=Count("attempts", filter=Q(attempts__state=Attempt.State.OPEN)),
            ungraded_count=Count("attempts", filter=Q(attempts__ungraded__gt=0)),
        )
        .order_by("-opens_at")
    )


def question_bank(*, theme: str = "", kind: str = "") -> list[Question]:
    questions = Question.objects.filter(is_active=True)
    if theme:
        questions = questions.filter(theme=theme)
    if kind:
        questions = questions.filter(kind=kind)
    return list(questions.order_by("theme", "pk")[:500])


def bank_themes() -> list[str]:
    return list(
        Question.objects.filter(is_active=True).values_list("theme", flat=True).distinct().order_by("theme")
    )
