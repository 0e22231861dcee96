from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "library_site.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from .navigation import MenuEntry, MenuGroup, menu_group_register, menu_register
        from .roles import Capability

        # The administrator's pages share one drop-down (系统管理): rules, roles, status, back office.
        menu_group_register(MenuGroup(key="administration", label=_("Administration"), icon="sliders"))

        menu_register(
            MenuEntry(
                key="roles",
                group="administration",
                label=_("Roles"),
                url_name="accounts:role-matrix",
                icon="shield-lock",
                order=900,
                capability=Capability.MANAGE_ACCOUNTS,
            )
        )
        menu_register(
            MenuEntry(
                key="login-lockouts",
                group="administration",
                label=pgettext_lazy("menu", "Paused sign-ins"),
                url_name="accounts:login-lockouts",
                icon="hourglass-split",
                order=910,
                capability=Capability.MANAGE_READERS,
            )
        )
        menu_register(
            MenuEntry(
                key="back-office",
                group="administration",
                label=_("Back office"),
                url_name="admin:index",
                icon="gear",
                order=990,
                visible=lambda user: user.is_staff,
            )
        )
