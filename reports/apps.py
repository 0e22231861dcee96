from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and statistics")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, MenuGroup, menu_group_register, menu_register
        from library_site.accounts.roles import Capability

        # Statistics and reports share one drop-down: 统计报表.
        menu_group_register(
            MenuGroup(key="reports", label=_("Statistics and reports"), icon="bar-chart-line")
        )
        menu_register(
            MenuEntry(
                key="registers",
                group="reports",
                label=_("Registers (Excel)"),
                url_name="reports:registers",
                icon="file-earmark-spreadsheet",
                order=320,
                capability=Capability.EXPORT_REGISTERS,
            )
        )
