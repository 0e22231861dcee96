"""What circulation asks the reading activities, through its registries
(``circulation/registries.py``): whether owed notes stop a reader borrowing, the line the
reader panel shows, and the reading-notes section of the reader's own page. Each costs one query at most (none when the reader's rule asks no notes or
the policy does not block); the rules and terms come from the shared cache."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext

from circulation.registries import ReaderPageSection
from library_site.dates import date_text, datetime_text

from .selectors.notes import reader_notes_owed_count


def notes_owed_borrowing_check(reader, policy) -> str | None:
    """The one-line reason ``reader`` may not borrow under ``policy``, or None: only a policy
    with ``block_on_owed_notes`` on blocks, and a note handed in lifts the block at once."""
    if not getattr(policy, "block_on_owed_notes", False):
        return None
    owed, _rule = reader_notes_owed_count(reader)
    if not owed:
        return None
    return ngettext(
        "%(count)s reading note owed blocks borrowing: the pupil hands it in first.",
        "%(count)s reading notes owed block borrowing: the pupil hands them in first.",
        owed,
    ) % {"count": owed}


def notes_owed_panel_line(reader) -> str | None:
    """The reader panel's line ("还需交 1 篇读书笔记"), or None when nothing is owed."""
    owed, _rule = reader_notes_owed_count(reader)
    if not owed:
        return None
    return ngettext(
        "%(count)s reading note still to hand in", "%(count)s reading notes still to hand in", owed
    ) % {"count": owed}


def notes_reader_page_section(reader) -> ReaderPageSection | None:
    """The reading-notes section of the reader's own page: how many notes they owe under their
    rule, with the way to their notes; None when their rule asks no notes (teachers, staff)."""
    owed, rule = reader_notes_owed_count(reader)
    if not rule.asks_notes:
        return None
    every = ngettext(
        "The library asks for one reading note for every book you borrow.",
        "The library asks for one reading note for every %(count)s books you borrow.",
        rule.loans_per_note,
    ) % {"count": rule.loans_per_note}
    if owed:
        text = ngettext(
            "You still owe %(count)s reading note.", "You still owe %(count)s reading notes.", owed
        ) % {"count": owed}
    else:
        text = gettext("You owe no reading notes.")
    return ReaderPageSection(
        title=gettext("Reading notes"),
        # Two sentences: a space between them in English, none in Chinese.
        text=gettext("%(owed)s %(rule)s") % {"owed": text, "rule": every},
        url=reverse("activities:notes-mine"),
        link_label=gettext("Write or read your notes") if owed else gettext("Your reading notes"),
        urgent=bool(owed),
    )


# --- issue 17: the pupil's quizzes and honours on their own page ---


def quiz_reader_page_section(reader) -> ReaderPageSection | None:
    """The quiz the pupil can take now (or resume), with the way to it; None otherwise. Two
    queries at most."""
    from django.utils import timezone

    from .models import Attempt, Quiz

    if not reader.is_student or reader.school_class_id is None:
        return None
    now = timezone.now()
    grade = str(reader.school_class.grade)
    open_quizzes = [
        quiz
        for quiz in Quiz.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("activity")
        if grade in quiz.grades.split(",")
    ]
    if not open_quizzes:
        return None
    taken = set(
        Attempt.objects.filter(reader=reader, quiz__in=open_quizzes)
        .exclude(state=Attempt.State.OPEN)
        .values_list("quiz_id", flat=True)
    )
    waiting = [quiz for quiz in open_quizzes if quiz.pk not in taken]
    if not waiting:
        return None
    return ReaderPageSection(
        title=gettext("Knowledge quiz"),
        text=gettext("%(title)s is open until %(closes)s.")
        % {
            "title": waiting[0].activity.title,
            "closes": datetime_text(waiting[0].closes_at),
        },
        url=reverse("activities:quizzes-mine"),
        link_label=gettext("Take the quiz"),
        urgent=True,
    )


def honours_reader_page_section(reader) -> ReaderPageSection | None:
    """The pupil's honorary titles (one query); None when they have none."""
    from .selectors.honours import reader_honours

    honours = reader_honours(reader)
    if not honours:
        return None
    return ReaderPageSection(
        title=gettext("Honorary titles"),
        text="、".join(f"{honour.title.name}（{honour.period_label}）" for honour in honours),
        url=reverse("activities:honour-certificate", args=[honours[0].pk]),
        link_label=gettext("Print the certificate"),
    )


# --- the service team's shifts at the desk (issue 18) --------------------------------------


def shift_desk_scan(card, user, desk):
    """The desk's "Shift" mode (circulation.registries.desk_mode_register): a member's card
    checks them in to their shift, or out of it."""
    from django.utils import timezone
    from django.utils.translation import gettext

    from circulation.registries import DeskModeAnswer

    from .exceptions import ActivitiesError
    from .services.team import shift_scan

    if card is None:
        return DeskModeAnswer(False, gettext("Scan a service-team member's library card."))
    try:
        shift, direction = shift_scan(reader=card.reader, user=user)
    except ActivitiesError as error:
        return DeskModeAnswer(False, str(error.message))
    moment = timezone.localtime(shift.checked_out_at if direction == "out" else shift.checked_in_at)
    if direction == "out":
        return DeskModeAnswer(
            True,
            gettext("%(name)s checked out at %(time)s: %(actions)s desk actions in this shift.")
            % {"name": card.reader.name, "time": f"{moment:%H:%M}", "actions": shift.desk_actions},
        )
    if shift.state == shift.State.LATE:
        text = gettext("%(name)s checked in late at %(time)s.")
    else:
        text = gettext("%(name)s checked in at %(time)s.")
    return DeskModeAnswer(True, text % {"name": card.reader.name, "time": f"{moment:%H:%M}"})


def corner_reader_page_section(reader) -> ReaderPageSection | None:
    """The head teacher's (or the class's pupil librarian's) own page: their class's book
    corner, its books, its missing ones and the next rotation's day, with the way to it; None
    for everybody else. Two queries for a teacher or a pupil, and one more per corner."""
    from .models import CornerLoan
    from .selectors.corners import corner_next_rotation, corners_of_teacher

    if reader.kind not in (reader.Kind.TEACHER, reader.Kind.STUDENT) or reader.user_id is None:
        return None
    corners = corners_of_teacher(reader.user)
    if not corners:
        return None
    lines = []
    for corner in corners:
        books = CornerLoan.objects.filter(corner=corner, state=CornerLoan.State.IN_CORNER)
        count, missing = books.count(), books.filter(missing_since__isnull=False).count()
        parts = [
            ngettext(
                "%(class)s: %(count)s library book in the corner",
                "%(class)s: %(count)s library books in the corner",
                count,
            )
            % {"class": corner.school_class.name, "count": count}
        ]
        if missing:
            parts.append(gettext("%(missing)s missing") % {"missing": missing})
        next_on = corner_next_rotation(corner.school_class)
        if next_on:
            parts.append(gettext("next rotation on %(day)s") % {"day": date_text(next_on)})
        # A sentence per corner: "…, next rotation on 14 Dec 2026. " / "…，下次交换 2026-12-14。"
        lines.append(pgettext("list separator", ", ").join(parts) + pgettext("end of a sentence", ". "))
    return ReaderPageSection(
        title=gettext("Our class book corner"),
        text="".join(lines).strip(),
        url=reverse("activities:corners"),
        link_label=gettext("Open the corner"),
        icon="bookshelf",
    )
