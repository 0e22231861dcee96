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
                key="collection-care",
                label=_("Collection care"),
                url_name="catalog:repairs",
                icon="bandaid",
                order=220,
                capability=Capability.MANAGE_COLLECTION,
            )
        )
        menu_register(
            MenuEntry(
                key="serials",
                label=_("Newspapers and periodicals"),
                url_name="catalog:serials",
                icon="newspaper",
                order=230,
                capability=Capability.MANAGE_COLLECTION,
            )
        )
