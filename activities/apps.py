from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Reading activities")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability

        from . import policies  # noqa: F401 (connects the signals that drop the cached notes rules)

        # At the merge: register activities.desk.notes_owed_borrowing_check with
        # circulation.registries.borrowing_check_register and activities.desk.notes_owed_panel_line
        # with circulation.registries.reader_panel_line_register.

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
