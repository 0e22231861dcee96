from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("Circulation")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability
        from library_site.system.jobs import Job, jobs_register

        from . import policies  # noqa: F401 (connects the signals that drop the cached lending rules)
        from .selectors import my_library_is_separate_page

        jobs_register(
            Job(
                key="anonymise_leavers",
                task="circulation.tasks.anonymise_leavers_task",
                label=_("Anonymise the loan history of leavers"),
                result_labels={"loans": _("loans anonymised"), "readers": _("leavers")},
            )
        )

        menu_register(
            MenuEntry(
                key="desk",
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
