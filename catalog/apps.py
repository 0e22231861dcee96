from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, menu_register
        from library_site.accounts.roles import Capability

        menu_register(
            MenuEntry(
                key="opac", label=_("Catalogue search"), url_name="catalog:opac", icon="search", order=50
            )
        )
        menu_register(
            MenuEntry(
                key="cataloguing",
                label=_("Cataloguing"),
                url_name="catalog:cataloguing",
                icon="journal-plus",
                order=200,
                capability=Capability.MANAGE_CATALOGUE,
            )
        )
        menu_register(
            MenuEntry(
                key="acquisitions",
                label=_("Acquisitions"),
                url_name="catalog:purchase-plans",
                icon="cart-check",
                order=210,
                # Librarians draft the plans; leaders approve them.
                visible=lambda user: (
                    user.has_perm(Capability.MANAGE_COLLECTION.permission)
                    or user.has_perm(Capability.APPROVE_PURCHASE_PLANS.permission)
                ),
            )
        )
