"""The reading activities' spreadsheets: notes owed per pupil, and a month's selection. Every
cell goes through ``spreadsheet_safe``: a title or a name that begins with = + - @ never runs as
a formula, and a pupil's HTML is written as the text they typed."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from circulation.models import SchoolClass
from library_site.dates import month_text
from library_site.documents.sheets import spreadsheet_safe
from library_site.documents.xlsx import XlsxStreamWriter

from .models import ExcerptCard, PupilWork, ReadingNote
from .selectors.notes import school_notes_owed
from .selectors.selection import month_start

TEXT_MAX = 32_000


def _safe(row):
    return [spreadsheet_safe(value) for value in row]


def notes_owed_write(target, *, on: date, school_class: SchoolClass | None = None) -> int:
    """Per pupil: class, number, name, books counted, notes handed in, notes owed. Returns the
    number of pupils written."""
    lines = school_notes_owed(on=on, school_class=school_class)
    header = [
        pgettext("school class", "Class"),
        pgettext("student number", "No."),
        _("Pupil"),
        _("Books counted"),
        _("Notes handed in"),
        _("Notes owed"),
    ]
    rows = [header]
    for line in lines:
        reader = line.reader
        rows.append(
            _safe(
                [
                    reader.school_class.name if reader.school_class_id else "",
                    reader.number,
                    reader.name,
                    line.loans_counted,
                    line.notes_handed_in,
                    line.owed,
                ]
            )
        )
    with XlsxStreamWriter(target) as writer:
        writer.add_sheet(_("Notes owed"), rows, widths=[16, 14, 14, 12, 12, 12], header_rows=1)
    return len(lines)


def _work_rows(model, month: date):
    works = (
        model.objects.filter(month=month, state__in=[PupilWork.State.REVIEWED, PupilWork.State.SELECTED])
        .select_related("reader__user", "reader__school_class", "record")
        .defer("record__search_text", "record__search_grams", "record__summary")
        .order_by("reader__school_class__grade", "reader__school_class__number", "reader__number", "pk")
    )
    for work in works:
        reader = work.reader
        text = work.reflection if model is ReadingNote else work.passage
        yield _safe(
            [
                reader.school_class.name if reader.school_class_id else "",
                reader.number,
                reader.name,
                work.record.title if work.record_id else "",
                (work.title if model is ReadingNote else work.page) or "",
                work.grade,
                _("yes") if work.nominated_at else "",
                _("yes") if work.state == PupilWork.State.SELECTED else "",
                text[:TEXT_MAX],
            ]
        )


def notes_selection_write(target, *, month: date) -> int:
    """A month's reviewed notes and cards with their grades, nominations and winners, one sheet
    each. Returns the number of rows written."""
    month = month_start(month)
    header = [
        pgettext("school class", "Class"),
        pgettext("student number", "No."),
        _("Pupil"),
        pgettext("reading note", "Book"),
        _("Title or page"),
        pgettext("mark", "Grade"),
        _("Nominated"),
        _("Winner"),
        _("Text"),
    ]
    written = 0
    with XlsxStreamWriter(target) as writer:
        for name, model in ((_("Reading notes"), ReadingNote), (_("Excerpt cards"), ExcerptCard)):
            written += writer.add_sheet(
                name,
                [header, *_work_rows(model, month)],
                widths=[16, 14, 12, 24, 20, 8, 8, 8, 60],
                header_rows=1,
            )
    return written - 2


# --- issue 17: a quiz's results, and the year's activity calendar ---


def quiz_results_write(target, *, quiz) -> int:
    """A quiz's results: per pupil (class, number, name, state, score, full marks, rank of the
    winners), per class and per grade, one sheet each. Returns the number of pupils written."""
    from .selectors.quiz import quiz_results

    data = quiz_results(quiz)
    attempts = {attempt.reader_id: attempt for attempt in data["ranked"]}
    pupil_rows = [
        [
            pgettext("school class", "Class"),
            pgettext("student number", "No."),
            _("Pupil"),
            _("State"),
            _("Score"),
            _("Full marks"),
            _("Winner"),
        ]
    ]
    written = 0
    for line in data["classes"]:
        for attempt in sorted(
            (a for a in data["ranked"] if a.reader.school_class_id == line["school_class"].pk),
            key=lambda a: a.reader.number,
        ):
            pupil_rows.append(_safe([line["school_class"].name, attempt.reader.number, attempt.reader.name,
                                     attempt.get_state_display(), attempt.score, attempt.max_score, attempt.winner_rank or ""]))  # fmt: skip
            written += 1
        for pupil in line["missing"]:
            pupil_rows.append(
                _safe([line["school_class"].name, pupil.number, pupil.name, _("not taken"), "", "", ""])
            )
            written += 1
    del attempts
    class_rows = [[pgettext("school class", "Class"), _("Pupils"), _("Taken"), _("Average")]] + [
        _safe(
            [
                line["school_class"].name,
                line["pupils"],
                line["taken"],
                line["average"] if line["average"] is not None else "",
            ]
        )
        for line in data["classes"]
    ]
    grade_rows = [[pgettext("school", "Grade"), _("Pupils"), _("Taken"), _("Average")]] + [
        _safe(
            [
                line["name"],
                line["pupils"],
                line["taken"],
                line["average"] if line["average"] is not None else "",
            ]
        )
        for line in data["grades"]
    ]
    with XlsxStreamWriter(target) as writer:
        writer.add_sheet(
            pgettext("sheet", "Pupils"), pupil_rows, widths=[16, 14, 12, 14, 8, 8, 8], header_rows=1
        )
        writer.add_sheet(_("Classes"), class_rows, widths=[16, 8, 8, 8], header_rows=1)
        writer.add_sheet(_("Grades"), grade_rows, widths=[12, 8, 8, 8], header_rows=1)
    return written


def activities_calendar_write(target, *, year: int) -> int:
    """The school year's activities (kind, title, theme, dates, state, results), and its months
    with the themed activity's presence flagged. Returns the number of activities written."""
    from .selectors.calendar import calendar_year

    data = calendar_year(year)
    rows = [
        [
            _("Kind"),
            pgettext("activity", "Title"),
            _("Theme"),
            _("First day"),
            _("Last day"),
            _("State"),
            _("Results published"),
            _("Results"),
        ]
    ]
    for activity in data["activities"]:
        rows.append(_safe([activity.get_kind_display(), activity.title, activity.theme, activity.starts_on, activity.ends_on,
                           activity.get_state_display(),
                           activity.published_at.date() if activity.published_at else "", activity.results[:TEXT_MAX]]))  # fmt: skip
    months = [[pgettext("calendar", "Month"), _("School month"), _("Activities"), _("Themed activity")]]
    for line in data["months"]:
        themed = (
            ""
            if not line.counts
            else (_("missing") if line.flagged else _("held") if line.themed_held else _("planned"))
        )
        months.append(
            _safe([month_text(line.month), _("yes") if line.counts else "", len(line.activities), themed])
        )
    summary = [
        [_("Reader activities held"), data["reader_held"]],
        [_("Target"), data["plan"].reader_activities],
        [
            _("Months without a themed activity"),
            "、".join(month_text(month) for month in data["flagged_months"]),
        ],
    ]
    with XlsxStreamWriter(target) as writer:
        writer.add_sheet(_("Activities"), rows, widths=[18, 30, 20, 12, 12, 14, 14, 60], header_rows=1)
        writer.add_sheet(_("Months"), months, widths=[10, 10, 10, 16], header_rows=1)
        writer.add_sheet(_("Targets"), summary, widths=[30, 40])
    return len(rows) - 1


# --- questionnaires (issue 19) -------------------------------------------------------------------


def survey_results_write(target, *, survey) -> int:
    """Two sheets: the results per question and choice, then every response's answers, one row
    per response in the order of their random keys (never the order they came in); the reader
    is named only for a named questionnaire. Returns the number of responses written."""
    from .models import SurveyAnswer, SurveyQuestion
    from .selectors.surveys import survey_results

    results = survey_results(survey, texts_per_page=None)
    summary = [[_("Question"), pgettext("questionnaire", "Answer"), _("Responses"), _("Share (%)")]]
    for row in results["rows"]:
        question = row["question"]
        for bar in row["bars"]:
            summary.append(_safe([question.text, bar["label"], bar["count"], bar["share"]]))
        if row["average"] is not None:
            summary.append(_safe([question.text, _("Average rating"), row["answered"], row["average"]]))
        for text in row["texts"]:
            summary.append(_safe([question.text, text[:TEXT_MAX], "", ""]))
    questions = list(survey.questions.all())
    header = ([] if survey.anonymous else [pgettext("school class", "Class"), _("Reader")]) + [
        question.text for question in questions
    ]
    responses: dict = {}
    answers = (
        SurveyAnswer.objects.filter(question__survey=survey)
        .select_related(None)
        .values_list("response_id", "question_id", "choices", "rating", "text")
    )
    for response_id, question_id, choices, rating, text in answers:
        responses.setdefault(response_id, {})[question_id] = (choices, rating, text)
    names: dict = {}
    if not survey.anonymous:
        for response in survey.responses.select_related("reader__school_class", "reader__user"):
            reader = response.reader
            names[response.pk] = [
                reader.school_class.name if reader and reader.school_class_id else "",
                reader.name if reader else "",
            ]
    rows = [header]
    for response_id in sorted(responses, key=str):
        given = responses[response_id]
        cells = list(names.get(response_id, ["", ""])) if not survey.anonymous else []
        for question in questions:
            choices, rating, text = given.get(question.pk, ([], None, ""))
            if question.kind in {SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE}:
                cells.append(
                    "；".join(question.choices[index] for index in choices if index < len(question.choices))
                )
            elif question.kind == SurveyQuestion.Kind.RATING:
                cells.append(rating or "")
            else:
                cells.append(text[:TEXT_MAX])
        rows.append(_safe(cells))
    with XlsxStreamWriter(target) as writer:
        writer.add_sheet(_("Results"), summary, widths=[40, 30, 12, 12], header_rows=1)
        writer.add_sheet(_("Responses"), rows, header_rows=1)
    return len(responses)
