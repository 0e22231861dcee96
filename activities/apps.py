from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Reading activities")

    def ready(self):
        from circulation.registries import (
            borrowing_check_register,
            reader_page_section_register,
            reader_panel_line_register,
        )
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability

        from . import policies  # noqa: F401 (connects the signals that drop the cached notes rules)
        from .desk import notes_owed_borrowing_check, notes_owed_panel_line, notes_reader_page_section

        # The desk asks whether a pupil owes reading notes (a block when the loan policy says so)
        # and shows how many in the reader panel and on the pupil's own page, through
        # circulation's registries.
        borrowing_check_register(notes_owed_borrowing_check)
        reader_panel_line_register(notes_owed_panel_line)
        reader_page_section_register(notes_reader_page_section)

        menu_register(
            MenuEntry(
                key="my-notes",
                label=_("Reading notes"),
                url_name="activities:notes-mine",
                icon="pencil-square",
                order=510,
                visible=_is_student,
            )
        )
        menu_register(
            MenuEntry(
                key="notes-rules",
                group="administration",
                label=_("Reading notes rules"),
                url_name="activities:rules",
                icon="journal-check",
                order=810,
                capability=Capability.MANAGE_POLICIES,
            )
        )
        menu_register(
            MenuEntry(
                key="class-reviewers",
                group="administration",
                label=_("Class reviewers"),
                url_name="activities:reviewers",
                icon="person-check",
                order=815,
                capability=Capability.MANAGE_ACTIVITIES,
            )
        )
        menu_register(
            MenuEntry(
                key="selection",
                label=_("Month's selection"),
                url_name="activities:selection",
                icon="trophy",
                order=530,
                capability=Capability.MANAGE_ACTIVITIES,
            )
        )
        menu_register(
            MenuEntry(
                key="review",
                label=_("Review notes"),
                url_name="activities:review",
                icon="check2-square",
                order=520,
                capability=Capability.GRADE_ACTIVITIES,
            )
        )

        # --- issue 17: the calendar, the quiz, contests and honours ---
        self._ready_issue_17()

    def _ready_issue_17(self):
        from circulation.registries import reader_page_section_register
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability
        from library_site.system.jobs import Job, jobs_register

        from .desk import honours_reader_page_section, quiz_reader_page_section
        from .services.honours import rules_register_defaults

        rules_register_defaults()
        reader_page_section_register(quiz_reader_page_section)
        reader_page_section_register(honours_reader_page_section)
        jobs_register(
            Job(
                key="close_overdue_attempts",
                task="activities.tasks.close_overdue_attempts_task",
                label=_("Close the quiz attempts whose time ran out"),
                description=_(
                    "Every minute: an attempt past its deadline is closed and graded at its deadline."
                ),
                result_labels={"closed": _("attempts closed")},
            )
        )
        menu_register(
            MenuEntry(
                key="my-quizzes",
                label=_("Quizzes"),
                url_name="activities:quizzes-mine",
                icon="patch-question",
                order=512,
                visible=_is_student,
            )
        )
        menu_register(
            MenuEntry(
                key="my-contests",
                label=_("Contests"),
                url_name="activities:contests",
                icon="award",
                order=514,
                visible=_is_student,
            )
        )
        menu_register(
            MenuEntry(
                key="activity-calendar",
                label=_("Activity calendar"),
                url_name="activities:calendar",
                icon="calendar-event",
                order=540,
                capability=Capability.MANAGE_ACTIVITIES,
            )
        )
        menu_register(
            MenuEntry(
                key="quizzes",
                label=_("Knowledge quizzes"),
                url_name="activities:quizzes",
                icon="patch-question",
                order=545,
                capability=Capability.GRADE_ACTIVITIES,
            )
        )
        menu_register(
            MenuEntry(
                key="contests",
                label=_("Contests"),
                url_name="activities:contests",
                icon="award",
                order=550,
                capability=Capability.GRADE_ACTIVITIES,
            )
        )
        menu_register(
            MenuEntry(
                key="honour-roll",
                label=_("Honour roll"),
                url_name="activities:honour-roll",
                icon="star",
                order=555,
                capability=Capability.MANAGE_ACTIVITIES,
            )
        )


def _is_student(user) -> bool:
    from circulation.models import Reader

    cached = getattr(user, "_is_student_reader", None)
    if cached is None:
        cached = Reader.objects.filter(user=user, kind=Reader.Kind.STUDENT).exists()
        user._is_student_reader = cached
    return cached
