from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SystemConfig(AppConfig):
    name = "library_site.system"
    label = "system"
    verbose_name = _("System")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability

        from .jobs import Job, jobs_register

        jobs_register(
            Job(
                key="clear_sessions",
                task="library_site.accounts.tasks.clear_expired_sessions_task",
                label=_("Remove expired sign-ins"),
            )
        )

        jobs_register(
            Job(
                key="backup",
                task="library_site.system.tasks.backup_task",
                label=_("Back up the library"),
                description=_(
                    "The database, the uploaded files and the secret key in one archive, checked as "
                    "it is written; 7 daily, 4 weekly and 12 monthly backups are kept."
                ),
                result_labels={
                    "file": pgettext_lazy("backup", "file"),
                    "size": pgettext_lazy("backup", "bytes"),
                    "tables": pgettext_lazy("backup", "tables"),
                    "rows": pgettext_lazy("backup", "rows"),
                    "verified": pgettext_lazy("backup", "verified"),
                    "removed": _("old backups removed"),
                },
            )
        )

        menu_register(
            MenuEntry(
                key="system-status",
                group="administration",
                label=_("System status"),
                url_name="system:status",
                icon="activity",
                order=950,
                capability=Capability.VIEW_SYSTEM_STATUS,
            )
        )
        menu_register(
            MenuEntry(
                key="system-jobs",
                group="administration",
                label=_("Background jobs"),
                url_name="system:jobs",
                icon="clock-history",
                order=955,
                capability=Capability.VIEW_SYSTEM_STATUS,
            )
        )
