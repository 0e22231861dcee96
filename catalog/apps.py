from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from library_site.accounts.navigation import MenuEntry, MenuGroup, menu_group_register, menu_register
        from library_site.accounts.roles import Capability
        from library_site.documents.previews import preview_builder_register
        from library_site.system.jobs import Job, jobs_register

        from .marc import marc_preview_build
        from .services.acquisitions import plan_lines_preview_build
        from .services.transfer import records_preview_build

        # The previews of uploads, built by the worker (issue 13).
        preview_builder_register("catalog.records", records_preview_build)
        preview_builder_register("catalog.plan_lines", plan_lines_preview_build)
        preview_builder_register("catalog.marc", marc_preview_build)

        jobs_register(
            Job(
                key="purge_imports",
                task="catalog.tasks.imports_purge_task",
                label=_("Remove abandoned import files"),
                result_labels={"removed": _("files removed")},
            )
        )

        menu_register(
            MenuEntry(
                key="catalog-settings",
                group="administration",
                label=pgettext_lazy("page title", "Library settings"),
                url_name="catalog:settings",
                icon="gear",
                order=790,
                capability=Capability.MANAGE_POLICIES,
            )
        )
        menu_register(
            MenuEntry(
                key="opac",
                label=pgettext_lazy("menu", "Catalogue"),
                url_name="catalog:opac",
                icon="search",
                order=50,
            )
        )
        menu_register(
            MenuEntry(
                key="cataloguing",
                group="collection",
                label=_("Cataloguing"),
                url_name="catalog:cataloguing",
                icon="journal-plus",
                order=200,
                capability=Capability.MANAGE_CATALOGUE,
            )
        )
        # The collection's pages share one drop-down: 馆藏管理.
        menu_group_register(MenuGroup(key="collection", label=_("Collection"), icon="collection"))
        menu_register(
            MenuEntry(
                key="acquisitions",
                group="collection",
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
        menu_register(
            MenuEntry(
                key="collection-care",
                group="collection",
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
                group="collection",
                label=_("Newspapers and periodicals"),
                url_name="catalog:serials",
                icon="newspaper",
                order=230,
                capability=Capability.MANAGE_COLLECTION,
            )
        )
        menu_register(
            MenuEntry(
                key="textbooks",
                group="collection",
                label=_("Textbooks"),
                url_name="catalog:textbooks",
                icon="book-half",
                order=240,
                capability=Capability.MANAGE_COLLECTION,
            )
        )
        menu_register(
            MenuEntry(
                key="my-textbooks",
                label=_("My textbooks"),
                url_name="catalog:textbooks-mine",
                icon="book-half",
                order=245,
                visible=_has_textbooks_handed,
            )
        )


def _has_textbooks_handed(user) -> bool:
    """Teachers who were handed textbooks see the page to confirm them (staff have the full one)."""
    from library_site.accounts.roles import Capability, Role

    from .models import TextbookHandover

    if Role.TEACHER.value not in user.role_names or user.has_perm(Capability.MANAGE_COLLECTION.permission):
        return False
    return TextbookHandover.objects.filter(teacher=user).exists()
