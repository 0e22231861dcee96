from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("Circulation")

    def ready(self):
        from library_site.accounts.home import HomePage, home_register
        from library_site.accounts.navigation import MenuEntry, MenuGroup, menu_group_register, menu_register
        from library_site.accounts.roles import Capability
        from library_site.accounts.signin import identifier_resolver_register
        from library_site.documents.previews import preview_builder_register
        from library_site.system.jobs import Job, jobs_register

        from .services.school import roster_preview_build

        # The roster's preview, built by the worker (issue 13).
        preview_builder_register("circulation.roster", roster_preview_build)

        from . import policies  # noqa: F401 (connects the signals that drop the cached lending rules)
        from .auth import account_for_identifier
        from .selectors.reader_pages import MY_LIBRARY_HOME, my_library_is_separate_page

        # Failed sign-ins under a card or student number count against the reader's account.
        identifier_resolver_register(account_for_identifier)

        # The home pages circulation offers, first match wins: the desk for those who lend,
        # the school's overview for those who read the statistics, and every reader's own page.
        home_register(
            HomePage(
                key="desk", view="circulation.views.desk.desk", order=100, capability=Capability.USE_DESK
            )
        )
        home_register(
            HomePage(key=MY_LIBRARY_HOME, view="circulation.views.reader_pages.my_library", order=900)
        )

        jobs_register(
            Job(
                key="anonymise_leavers",
                task="circulation.tasks.anonymise_leavers_task",
                label=_("Anonymise the loan history of leavers"),
                result_labels={"loans": _("loans anonymised"), "readers": _("leavers")},
            )
        )
        jobs_register(
            Job(
                key="send_notices",
                task="circulation.tasks.send_notices_task",
                label=_("Due-date reminders and overdue notices"),
                param=Job.Param.DATE,
                description=_(
                    "Reminders before the due date, overdue notices at the stages set in the lending "
                    "settings, hold-ready notices still missing and the head teachers' class lists; "
                    "each once, e-mailed to readers with an address."
                ),
                result_labels={
                    "reminders": _("reminders"),
                    "overdue": _("overdue notices"),
                    "hold_ready": _("hold-ready notices"),
                    "class_lists": _("class lists"),
                    "emailed": _("e-mails sent"),
                    "email_failed": _("e-mails failed"),
                },
            )
        )
        jobs_register(
            Job(
                key="expire_holds",
                task="circulation.tasks.expire_holds_task",
                label=_("Expire holds not collected"),
                param=Job.Param.DATE,
                description=_(
                    "Holds not collected by their last day expire; the copy goes to the next reader "
                    "in line, who is notified, or back to the shelf."
                ),
                result_labels={
                    "expired": _("holds expired"),
                    "issues_expired": _("reservations of issues expired"),
                },
            )
        )

        # The desk's pages share one drop-down (流通), so the bar stays one row at 1280 px.
        menu_group_register(MenuGroup(key="circulation", label=_("Circulation"), icon="upc-scan"))
        menu_register(
            MenuEntry(
                key="desk",
                group="circulation",
                label=_("Circulation desk"),
                url_name="circulation:desk",
                icon="upc-scan",
                order=100,
                capability=Capability.USE_DESK,
            )
        )
        menu_register(
            MenuEntry(
                key="school",
                group="circulation",
                label=_("Readers and classes"),
                url_name="circulation:class-list",
                icon="people",
                order=150,
                capability=Capability.MANAGE_READERS,
            )
        )
        menu_register(
            MenuEntry(
                key="policies",
                group="administration",
                label=_("Loan policies"),
                url_name="circulation:policies",
                icon="sliders",
                order=800,
                capability=Capability.MANAGE_POLICIES,
            )
        )
        # Moving from the old library system (views/old_system.py).
        menu_register(
            MenuEntry(
                key="old-system",
                group="administration",
                label=_("Move from the old system"),
                url_name="circulation:old-system",
                icon="box-arrow-in-down",
                order=850,
                capability=Capability.MANAGE_POLICIES,
            )
        )
        menu_register(
            MenuEntry(
                key="my-library",
                label=_("My library"),
                url_name="circulation:my-library",
                icon="book",
                order=500,
                visible=my_library_is_separate_page,
            )
        )

        # --- reservations of periodical issues and the reading-room timetable (issue 14) ---
        from catalog.registries import issue_listener_register

        from .registries import reader_page_section_register
        from .selectors.issue_reservations import issue_reservations_section, reader_is_teacher
        from .selectors.timetables import timetable_section
        from .services.issue_reservations import issue_checked_in

        issue_listener_register(issue_checked_in)
        reader_page_section_register(issue_reservations_section)
        reader_page_section_register(timetable_section)
        menu_register(
            MenuEntry(
                key="issue-reservations-desk",
                group="circulation",
                label=_("Reserved periodical issues"),
                url_name="circulation:issue-reservations-desk",
                icon="journal-bookmark",
                order=130,
                capability=Capability.USE_DESK,
            )
        )
        menu_register(
            MenuEntry(
                key="issue-reservations-mine",
                label=_("Reserve periodicals"),
                url_name="circulation:issue-reservations-mine",
                icon="journal-bookmark",
                order=520,
                capability=Capability.RESERVE_ITEMS,
                visible=reader_is_teacher,
            )
        )
        menu_register(
            MenuEntry(
                key="room-timetables",
                group="circulation",
                label=_("Reading-room timetables"),
                url_name="circulation:timetable-list",
                icon="calendar-week",
                order=160,
                capability=Capability.MANAGE_READERS,
            )
        )

        # Money (issue 14 point 10): the day's cash list, for those who take payments.
        menu_register(
            MenuEntry(
                key="cash-list",
                group="circulation",
                label=_("Cash list"),
                url_name="circulation:cash-list",
                icon="cash-stack",
                order=160,
                capability=Capability.TAKE_PAYMENTS,
            )
        )
