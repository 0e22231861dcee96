from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and statistics")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability

        menu_register(
            MenuEntry(
                key="leaders-report",
                label=_("Report to school leaders"),
                url_name="reports:leaders-report",
                icon="file-earmark-bar-graph",
                order=600,
                capability=Capability.VIEW_STATISTICS,
            )
        )
        menu_register(
            MenuEntry(
                key="public-page-settings",
                group="administration",
                label=_("Public page for screens"),
                url_name="reports:public-page-settings",
                icon="display",
                order=820,
                capability=Capability.MANAGE_POLICIES,
            )
        )
