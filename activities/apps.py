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


def _is_student(user) -> bool:
    from circulation.models import Reader

    cached = getattr(user, "_is_student_reader", None)
    if cached is None:
        cached = Reader.objects.filter(user=user, kind=Reader.Kind.STUDENT).exists()
        user._is_student_reader = cached
    return cached
