from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and statistics")

    def ready(self):
        from library_site.accounts.home import HomePage, home_register
        from library_site.accounts.navigation import MenuEntry, MenuGroup, menu_group_register, menu_register
        from library_site.accounts.roles import Capability
        from library_site.system.jobs import Job, jobs_register

        # For those who read the statistics (school leaders): what waits for them, and the month's figures.
        home_register(
            HomePage(
                key="leader-home",
                view="reports.views.leaders.leader_home_page",
                order=150,
                capability=Capability.VIEW_STATISTICS,
            )
        )
        jobs_register(
            Job(
                key="monthly_stats",
                task="reports.tasks.compute_monthly_stats_task",
                label=_("Monthly statistics"),
                param=Job.Param.MONTH,
                description=_(
                    "Counts a month's loans, returns, renewals, readers, visits and new copies into "
                    "its snapshot; without a month, the month before."
                ),
                result_labels={
                    "month": _("month"),
                    "loans": _("loans"),
                    "returns": _("returns"),
                    "renewals": _("renewals"),
                    "active_readers": _("active readers"),
                    "visits": _("reading-room visits"),
                    "new_copies": _("new copies"),
                    "duration_ms": _("time to compute (ms)"),
                },
            )
        )
        jobs_register(
            Job(
                key="purge_register_files",
                task="reports.tasks.register_exports_purge_task",
                label=_("Remove register files older than a day"),
                result_labels={"removed": _("files removed")},
            )
        )
        # Statistics and reports open the management drop-down (馆务管理), before the plans: one
        # drop-down keeps the bar one row at 1280 px.
        menu_group_register(
            MenuGroup(key="management", label=pgettext_lazy("menu", "Management"), icon="clipboard-check")
        )
        menu_register(
            MenuEntry(
                key="statistics",
                group="management",
                label=_("Statistics"),
                url_name="reports:statistics",
                icon="bar-chart-line",
                order=300,
                capability=Capability.VIEW_STATISTICS,
            )
        )
        menu_register(
            MenuEntry(
                key="registers",
                group="management",
                label=_("Registers (Excel)"),
                url_name="reports:registers",
                icon="file-earmark-spreadsheet",
                order=320,
                capability=Capability.EXPORT_REGISTERS,
            )
        )
        menu_register(
            MenuEntry(
                key="leaders-report",
                group="management",
                label=_("Report to school leaders"),
                url_name="reports:leaders-report",
                icon="file-earmark-bar-graph",
                order=310,
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
        # --- The library's management (issue 20): plans, targets, compliance, equipment, safety,
        # staff and the term summary, after the statistics in the same drop-down (馆务管理).
        for key, label, url_name, icon, order, capability in (
            ("plans", _("Work plans"), "reports:plans", "journal-check", 400, Capability.VIEW_STATISTICS),
            (
                "targets-board",
                _("Targets board"),
                "reports:targets-board",
                "bullseye",
                405,
                Capability.VIEW_STATISTICS,
            ),
            (
                "compliance",
                _("Compliance with the regulation"),
                "reports:compliance",
                "patch-check",
                410,
                Capability.VIEW_STATISTICS,
            ),
            (
                "equipment",
                _("Equipment register"),
                "reports:equipment",
                "pc-display",
                415,
                Capability.VIEW_STATISTICS,
            ),
            (
                "safety",
                _("Safety and hygiene"),
                "reports:safety",
                "shield-check",
                420,
                Capability.VIEW_STATISTICS,
            ),
            (
                "staff",
                pgettext_lazy("library staff", "Staff"),
                "reports:staff",
                "people",
                425,
                Capability.VIEW_STATISTICS,
            ),
            (
                "study-sessions",
                _("Study sessions"),
                "reports:study-sessions",
                "easel",
                430,
                Capability.VIEW_STATISTICS,
            ),
            (
                "term-summary",
                _("Term summary"),
                "reports:term-summary",
                "file-earmark-text",
                435,
                Capability.VIEW_STATISTICS,
            ),
            (
                "criteria",
                _("Evaluation criteria"),
                "reports:criteria",
                "list-check",
                440,
                Capability.MANAGE_POLICIES,
            ),
        ):
            menu_register(
                MenuEntry(
                    key=key,
                    group="management",
                    label=label,
                    url_name=url_name,
                    icon=icon,
                    order=order,
                    capability=capability,
                )
            )
