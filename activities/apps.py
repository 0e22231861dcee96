from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Reading activities")

    def ready(self):
        from library_site.documents.previews import preview_builder_register

        from .services.bank import bank_preview_build

        # The question bank's preview, built by the worker (issue 13).
        preview_builder_register("activities.bank", bank_preview_build)

        from circulation.registries import (
            borrowing_check_register,
            reader_page_section_register,
            reader_panel_line_register,
        )
        from library_site.accounts.navigation import MenuEntry, MenuGroup, menu_group_register, menu_register
        from library_site.accounts.roles import Capability

        from . import policies  # noqa: F401 (connects the signals that drop the cached notes rules)
        from .desk import notes_owed_borrowing_check, notes_owed_panel_line, notes_reader_page_section

        # The desk asks whether a pupil owes reading notes (a block when the loan policy says so)
        # and shows how many in the reader panel and on the pupil's own page, through
        # circulation's registries.
        borrowing_check_register(notes_owed_borrowing_check)
        reader_panel_line_register(notes_owed_panel_line)
        reader_page_section_register(notes_reader_page_section)

        # One drop-down (阅读活动) keeps the bar one row at 1280 px: the bulletin, lists, notes and
        # reviews, then the quiz, contests, corners, the team, questionnaires and suggestions.
        menu_group_register(
            MenuGroup(key="activities", label=pgettext_lazy("menu", "Activities"), icon="stars")
        )
        menu_register(
            MenuEntry(
                key="my-notes",
                group="activities",
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
                group="activities",
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
                group="activities",
                label=_("Review notes"),
                url_name="activities:review",
                icon="check2-square",
                order=520,
                capability=Capability.GRADE_ACTIVITIES,
            )
        )

        # --- class book corners and the service team (issue 18) ---
        _register_corners_and_team()

        # --- promotion and the readers' voice (issue 19) ---
        from catalog.registries import record_page_section_register
        from library_site.system.jobs import Job, jobs_register

        from .promotion import (
            bulletin_reader_page_section,
            recommendations_reader_page_section,
            reviews_record_page_section,
        )

        reader_page_section_register(bulletin_reader_page_section)
        reader_page_section_register(recommendations_reader_page_section)
        record_page_section_register(reviews_record_page_section)
        jobs_register(
            Job(
                key="compute_recommendations",
                task="activities.tasks.compute_recommendations_task",
                label=_("Compute the pupils' recommendations"),
                description=_(
                    "Nightly: which titles the pupils of each grade borrowed together, and each grade's most borrowed titles."
                ),
                result_labels={
                    "grades": _("grades"),
                    "pairs": _("pairs of titles"),
                    "popular": _("popular titles"),
                },
            )
        )
        for entry in [
            MenuEntry(key="bulletin", group="activities", label=_("Library bulletin"), url_name="activities:bulletin", icon="megaphone", order=400),
            MenuEntry(key="reading-lists", group="activities", label=_("Reading lists"), url_name="activities:lists", icon="list-stars", order=410),
            MenuEntry(key="my-surveys", group="activities", label=_("Questionnaires"), url_name="activities:surveys-mine", icon="ui-checks", order=540, visible=_is_reader),
            MenuEntry(key="suggestion-box", group="activities", label=_("Suggestion box"), url_name="activities:suggestions", icon="mailbox", order=545, visible=_is_reader),
            MenuEntry(key="bulletin-manage", group="administration", label=_("Bulletin and library pages"), url_name="activities:bulletin-manage", icon="megaphone", order=820, capability=Capability.MANAGE_ACTIVITIES),
            MenuEntry(key="picks", group="administration", label=_("Librarians' picks"), url_name="activities:picks", icon="hand-thumbs-up", order=825, capability=Capability.MANAGE_ACTIVITIES),
            MenuEntry(key="surveys-manage", group="administration", label=_("Questionnaires"), url_name="activities:surveys-manage", icon="ui-checks", order=830, capability=Capability.MANAGE_ACTIVITIES),
            MenuEntry(key="suggestions-manage", group="administration", label=_("Suggestions and complaints"), url_name="activities:suggestions-manage", icon="mailbox", order=835, capability=Capability.MANAGE_ACTIVITIES),
            MenuEntry(key="promotion-settings", group="administration", label=_("Public pages"), url_name="activities:promotion-settings", icon="globe", order=840, capability=Capability.MANAGE_POLICIES),
            MenuEntry(key="reviews", group="activities", label=_("Approve reviews"), url_name="activities:reviews", icon="star-half", order=525, capability=Capability.GRADE_ACTIVITIES),
        ]:  # fmt: skip
            menu_register(entry)

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
                group="activities",
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
                group="activities",
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
                group="activities",
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
                group="activities",
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
                group="activities",
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
                group="activities",
                label=_("Honour roll"),
                url_name="activities:honour-roll",
                icon="star",
                order=555,
                capability=Capability.MANAGE_ACTIVITIES,
            )
        )


def _is_reader(user) -> bool:
    from circulation.models import Reader
    from library_site.accounts.roles import Role

    cached = getattr(user, "_is_any_reader", None)
    if cached is None:
        # Readers are pupils, teachers and the service team's pupils: the staff pay no query.
        reader_roles = (Role.STUDENT, Role.TEACHER, Role.VOLUNTEER)
        cached = (
            any(user.has_role(role) for role in reader_roles) and Reader.objects.filter(user=user).exists()
        )
        user._is_any_reader = cached
    return cached


def _heads_a_corner(user) -> bool:
    """The class's head teacher, or its pupil librarian (本班图书角 in their menu)."""
    from library_site.accounts.roles import Role

    from .selectors.corners import corners_of_teacher

    cached = getattr(user, "_heads_a_corner", None)
    if cached is None:
        # Head teachers are teachers and a class's pupil librarian is a pupil of that class:
        # nobody else (the staff) pays a query for this entry.
        cached = (user.has_role(Role.TEACHER) or user.has_role(Role.STUDENT)) and bool(
            corners_of_teacher(user)
        )
        user._heads_a_corner = cached
    return cached


def _is_team_member(user) -> bool:
    from library_site.accounts.roles import Role

    from .selectors.team import member_of

    cached = getattr(user, "_is_team_member", None)
    if cached is None:
        # Members hold the volunteer role (given when they join): nobody else pays a query.
        cached = user.has_role(Role.VOLUNTEER) and member_of(user) is not None
        user._is_team_member = cached
    return cached


def _register_corners_and_team() -> None:
    """Class book corners and the service team (issue 18): the desk's "Shift" mode and menus."""
    from circulation.registries import DeskMode, desk_mode_register, reader_page_section_register
    from library_site.accounts.navigation import MenuEntry, menu_register
    from library_site.accounts.roles import Capability
    from library_site.system.jobs import Job, jobs_register

    from .desk import corner_reader_page_section, shift_desk_scan

    # The head teacher's own page (and the pupil librarian's) shows the class's corner and the
    # next rotation's day.
    reader_page_section_register(corner_reader_page_section)
    desk_mode_register(
        DeskMode("shift", pgettext_lazy("desk mode", "Shift"), "person-badge", shift_desk_scan)
    )
    jobs_register(
        Job(
            key="mark_missed_shifts",
            task="activities.tasks.mark_missed_shifts_task",
            label=_("Mark the service team's missed shifts"),
            param=Job.Param.DATE,
            description=_(
                "Every 30 minutes: a shift that ended with nobody checked in is marked missed "
                "(today's and yesterday's; give a day to mark that day's)."
            ),
            result_labels={"days": _("days looked at"), "missed": _("shifts marked missed")},
        )
    )
    menu_register(
        MenuEntry(
            key="corners",
            group="activities",
            label=_("Class book corners"),
            url_name="activities:corners",
            icon="bookshelf",
            order=540,
            capability=Capability.MANAGE_ACTIVITIES,
        )
    )
    menu_register(
        MenuEntry(
            key="my-corner",
            group="activities",
            label=_("Our class book corner"),
            url_name="activities:corners",
            icon="bookshelf",
            order=541,
            visible=lambda user: (
                not user.has_perm(Capability.MANAGE_ACTIVITIES.permission) and _heads_a_corner(user)
            ),
        )
    )
    menu_register(
        MenuEntry(
            key="team",
            group="activities",
            label=_("Service team"),
            url_name="activities:team",
            icon="people",
            order=545,
            capability=Capability.MANAGE_ACTIVITIES,
        )
    )
    menu_register(
        MenuEntry(
            key="team-mine",
            group="activities",
            label=_("My service shifts"),
            url_name="activities:team-mine",
            icon="person-badge",
            order=546,
            visible=_is_team_member,
        )
    )
    menu_register(
        MenuEntry(
            key="team-criteria",
            group="administration",
            label=_("Service team rating criteria"),
            url_name="activities:team-criteria",
            icon="star",
            order=820,
            capability=Capability.MANAGE_POLICIES,
        )
    )


def _is_student(user) -> bool:
    from circulation.models import Reader

    cached = getattr(user, "_is_student_reader", None)
    if cached is None:
        cached = Reader.objects.filter(user=user, kind=Reader.Kind.STUDENT).exists()
        user._is_student_reader = cached
    return cached
