"""The quiz's pages. The pupil's: their quizzes, the attempt (questions in their order, each
answer saved as it changes by quiz.js, the clock kept by the server), the hand-in and their
results once closed. The staff's: the quizzes, building one from the bank, the results per class
and grade, the grading queue, the key correction with its dry run, make-up times, paper answers,
the winners.

A pupil reaches only their own attempts (another's id answers 404); a teacher grades and reads
only the classes they review; librarians every class."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation.models import Reader, SchoolClass
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError, AttemptClosed
from ..forms.quiz import MakeUpForm, QuizForm
from ..models import Attempt, Question, Quiz
from ..selectors.notes import reader_of_user
from ..selectors.quiz import (
    attempt_page,
    grading_answers,
    grading_queue,
    pupil_quizzes,
    quiz_overview,
    quiz_results,
)
from ..selectors.review import class_is_reviewable, reviewable_classes
from ..services.quiz import (
    answer_save,
    answer_save_quick,
    answers_grade,
    attempt_close_if_overdue,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
    make_up_set,
    paper_answers_enter,
    question_key_change,
    quiz_create,
    winners_by_rank,
    winners_choose,
    winners_publish,
)

grade_activities = capability_required(Capability.GRADE_ACTIVITIES)
manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)


def _reader_or_404(request) -> Reader:
    reader = reader_of_user(request.user)
    if reader is None:
        raise Http404(_("Your account is not linked to a reader record."))
    return reader


def _my_attempt(request, attempt_id: int) -> tuple[Reader, Attempt]:
    reader = _reader_or_404(request)
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz__activity"), pk=attempt_id, reader=reader
    )
    return reader, attempt


# --- the pupil's pages --------------------------------------------------------------------------


@login_required
def my_quizzes(request):
    reader = reader_of_user(request.user)
    quizzes = pupil_quizzes(reader) if reader else []
    return render(request, "activities/quiz_mine.html", {"quizzes": quizzes, "reader": reader})


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    reader = _reader_or_404(request)
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    try:
        attempt = attempt_start(quiz=quiz, reader=reader)
    except ActivitiesError as error:
        messages.error(request, error.message)
        return redirect("activities:quizzes-mine")
    return redirect("activities:attempt", attempt.pk)


@login_required
def attempt_view(request, attempt_id: int):
    _reader, attempt = _my_attempt(request, attempt_id)
    attempt = attempt_close_if_overdue(attempt)
    context = attempt_page(attempt)
    return render(request, "activities/attempt.html", context)


def _posted_value(request, question_id: int):
    name = f"q{question_id}"
    values = request.POST.getlist(name)
    return values if len(values) != 1 else values[0]


@login_required
@require_POST
def attempt_answer(request, attempt_id: int):
    """One answer saved (quiz.js posts it as it changes): {saved, seconds_left}, or the refusal
    with 409 when the time is up (the attempt is closed) and 400 otherwise. The light way: no
    reader lookup, no session write, one read and one write (``answer_save_quick``)."""
    question = request.POST.get("question", "")
    if not question.isdigit():
        return JsonResponse({"error": _("Which question?")}, status=400)
    values = request.POST.getlist("value")
    value = values if request.POST.get("many") else (values[0] if values else "")
    try:
        seconds_left = answer_save_quick(
            attempt_id=attempt_id, user_id=request.user.pk, question_id=int(question), value=value
        )
    except AttemptClosed as error:
        return JsonResponse({"error": str(error.message), "closed": True}, status=409)
    except ActivitiesError as error:
        return JsonResponse({"error": str(error.message)}, status=400)
    return JsonResponse({"saved": True, "seconds_left": seconds_left})


@login_required
@require_POST
def attempt_submit_view(request, attempt_id: int):
    """Hand in: the answers in the form are saved first (so that the page works without
    JavaScript too), then the attempt is closed and graded."""
    reader, attempt = _my_attempt(request, attempt_id)
    try:
        if attempt.is_open:
            for question_id in attempt.question_ids:
                if f"q{question_id}" in request.POST:
                    answer_save(
                        attempt_id=attempt.pk,
                        reader=reader,
                        question_id=question_id,
                        value=_posted_value(request, question_id),
                    )
        attempt_submit(attempt_id=attempt.pk, reader=reader)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your answers are handed in."))
    return redirect("activities:attempt", attempt.pk)


# --- the staff's pages --------------------------------------------------------------------------


@grade_activities
def quiz_list(request):
    return render(
        request,
        "activities/quiz_list.html",
        {
            "quizzes": quiz_overview(),
            "may_manage": request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission),
        },
    )


@manage_activities
def quiz_new(request):
    form = QuizForm(request.POST or None, initial={"activity": request.GET.get("activity")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quiz = quiz_create(
                activity=data["activity"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                by=request.user,
                minutes=data["minutes"],
                grades=data["grades"],
                questions=list(data["questions"]),
                mode=data["mode"],
                random_themes=data["random_themes"],
                random_count=data["random_count"],
                shuffle_options=data["shuffle_options"],
            )
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The quiz is set."))
            return redirect("activities:quiz-results", quiz.pk)
    return render(request, "activities/quiz_form.html", {"form": form})


def _may_read_results(user) -> bool:
    return user.has_perm(Capability.GRADE_ACTIVITIES.permission) or user.has_perm(
        Capability.VIEW_STATISTICS.permission
    )


@login_required
def quiz_results_view(request, quiz_id: int):
    if not _may_read_results(request.user):
        raise PermissionDenied()
    quiz = get_object_or_404(Quiz.objects.select_related("activity"), pk=quiz_id)
    attempts_close_overdue(quiz=quiz)
    context = quiz_results(quiz, request.user)
    context["may_manage"] = request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission)
    context["may_grade"] = request.user.has_perm(Capability.GRADE_ACTIVITIES.permission)
    context["proposal"] = set(winners_by_rank(quiz=quiz, count=3)) if context["may_manage"] else set()
    return render(request, "activities/quiz_results.html", context)


@grade_activities
def grading_home(request, quiz_id: int):
    quiz = get_object_or_404(Quiz.objects.select_related("activity"), pk=quiz_id)
    attempts_close_overdue(quiz=quiz)
    return render(
        request, "activities/grading_home.html", {"quiz": quiz, "queue": grading_queue(quiz, request.user)}
    )


@grade_activities
def grading_question(request, quiz_id: int, question_id: int):
    """One short-answer question across all the grader's attempts (as Moodle's manual grading
    report does): a score and a comment per answer, Enter to the next, Ctrl+Enter to save."""
    quiz = get_object_or_404(Quiz.objects.select_related("activity"), pk=quiz_id)
    question = get_object_or_404(Question, pk=question_id, kind=Question.Kind.SHORT)
    answers = grading_answers(quiz, question, request.user)
    if not answers and not class_is_reviewable(request.user, None):
        raise Http404()
    error = None
    if request.method == "POST":
        scores = {}
        for answer in answers:
            if f"score-{answer.pk}" in request.POST:
                scores[answer.pk] = (
                    request.POST[f"score-{answer.pk}"],
                    request.POST.get(f"comment-{answer.pk}", ""),
                )
        forged = {int(key[6:]) for key in request.POST if key.startswith("score-") and key[6:].isdigit()} - {
            a.pk for a in answers
        }
        try:
            if forged:
                raise ActivitiesError(_("An answer is not one of those you grade."))
            count = answers_grade(question=question, scores=scores, grader=request.user)
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("%(count)s answer(s) graded.") % {"count": count})
            return redirect("activities:grading-question", quiz.pk, question.pk)
    return render(
        request,
        "activities/grading_question.html",
        {
            "quiz": quiz,
            "question": question,
            "answers": answers,
            "error": error,
            "posted": request.POST,
        },
        status=400 if error else 200,
    )


@manage_activities
def question_regrade(request, quiz_id: int, question_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    question = (
        get_object_or_404(Question, pk=question_id, quizzes=quiz)
        if quiz.mode == Quiz.Mode.FIXED
        else get_object_or_404(Question, pk=question_id)
    )
    changes = None
    error = None
    if request.method == "POST":
        raw = request.POST.getlist("key")
        if question.kind in Question.CHOICE_KINDS:
            key = [int(item) for item in raw if item.isdigit()]
        elif question.kind == Question.Kind.TRUE_FALSE:
            key = [raw[0] == "true"] if raw and raw[0] in ("true", "false") else []
        else:
            key = request.POST.get("accepted", "").split("|")
        apply = request.POST.get("apply") == "1"
        try:
            changes = question_key_change(question=question, key=key, by=request.user, dry_run=not apply)
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            if apply:
                messages.success(
                    request, _("The key is corrected: %(count)s score(s) changed.") % {"count": len(changes)}
                )
                return redirect("activities:quiz-results", quiz.pk)
    return render(
        request,
        "activities/question_regrade.html",
        {
            "quiz": quiz,
            "question": question,
            "changes": changes,
            "error": error,
            "posted_key": request.POST.getlist("key"),
            "accepted": request.POST.get("accepted", "|".join(map(str, question.key))),
        },
    )


@manage_activities
@require_POST
def quiz_winners(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    ids = [int(item) for item in request.POST.getlist("attempt") if item.isdigit()]
    try:
        if request.POST.get("publish"):
            winners_publish(quiz=quiz, by=request.user)
            messages.success(request, _("The winners are published."))
        else:
            count = winners_choose(quiz=quiz, attempt_ids=ids, by=request.user)
            messages.success(request, _("%(count)s winner(s) chosen.") % {"count": count})
    except ActivitiesError as error:
        messages.error(request, error.message)
    return redirect("activities:quiz-results", quiz.pk)


@grade_activities
def quiz_make_up(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    form = MakeUpForm(
        request.POST or None, classes=reviewable_classes(request.user).filter(grade__in=quiz.grade_list)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reader = None
        if data["reader_number"]:
            reader = Reader.objects.filter(
                number=data["reader_number"].strip(), kind=Reader.Kind.STUDENT
            ).first()
            if reader is None:
                form.add_error("reader_number", _("No pupil has this number."))
        if not form.errors:
            try:
                make_up_set(
                    quiz=quiz,
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    by=request.user,
                    reader=reader,
                    school_class=None if reader else data["school_class"],
                )
            except ActivitiesError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The make-up time is set."))
                return redirect("activities:quiz-results", quiz.pk)
    return render(request, "activities/quiz_make_up.html", {"quiz": quiz, "form": form})


@grade_activities
def paper_answers(request, quiz_id: int, class_id: int):
    """The grid of a class for pupils without a device: one row per pupil who has not taken the
    quiz, one column per question; a row filled is entered as that pupil's attempt."""
    quiz = get_object_or_404(Quiz, pk=quiz_id, mode=Quiz.Mode.FIXED)
    school_class = get_object_or_404(SchoolClass, pk=class_id)
    if not class_is_reviewable(request.user, school_class.pk):
        raise Http404()
    questions = list(quiz.questions.order_by("quizquestion__position", "pk"))
    pupils = list(
        Reader.objects.filter(
            school_class=school_class, kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE
        )
        .exclude(quiz_attempts__quiz=quiz)
        .select_related("user")
        .order_by("number")
    )
    errors = []
    if request.method == "POST":
        entered = 0
        for pupil in pupils:
            values = {}
            for question in questions:
                name = f"p{pupil.pk}-q{question.pk}"
                raw = request.POST.get(name, "").strip()
                if not raw:
                    continue
                if question.kind in Question.CHOICE_KINDS:
                    letters = [char for char in raw.upper() if char.isalpha()]
                    raw = [str(ord(char) - 65) for char in letters]
                elif question.kind == Question.Kind.TRUE_FALSE:
                    raw = (
                        "true"
                        if raw in ("对", "√", "T", "t", "true")
                        else "false"
                        if raw in ("错", "×", "F", "f", "false")
                        else raw
                    )
                values[question.pk] = raw
            if not values:
                continue
            try:
                paper_answers_enter(quiz=quiz, reader=pupil, answers=values, by=request.user)
                entered += 1
            except ActivitiesError as error:
                errors.append(_("%(name)s: %(message)s") % {"name": pupil.name, "message": error.message})
        if not errors:
            messages.success(request, _("%(count)s pupil(s)' paper answers entered.") % {"count": entered})
            return redirect("activities:quiz-results", quiz.pk)
    return render(
        request,
        "activities/paper_answers.html",
        {
            "quiz": quiz,
            "school_class": school_class,
            "questions": questions,
            "pupils": pupils,
            "errors": errors,
        },
    )
