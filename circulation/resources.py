"""Export of readers with django-import-export (Excel and CSV), from the back office.

Importing readers is not offered here: rosters come in through the roster import, which
checks every row and saves all or nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from library_site.spreadsheets import spreadsheet_safe

from .models import Reader


class SafeExportResource(resources.ModelResource):
    """A resource whose exported cells cannot run as formulas."""

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))


class ReaderResource(SafeExportResource):
    number = fields.Field(attribute="number", column_name=_("student or staff number"))
    name = fields.Field(attribute="user__full_name", column_name=_("full name"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("reader type"))
    school_class = fields.Field(attribute="school_class__name", column_name=_("class"))
    department = fields.Field(attribute="department", column_name=_("department"))
    gender = fields.Field(attribute="get_gender_display", column_name=_("gender"))
    status = fields.Field(attribute="get_status_display", column_name=_("status"))
    card = fields.Field(column_name=_("card number"))

    class Meta:
        model = Reader
        fields = ("number", "name", "kind", "school_class", "department", "gender", "status", "card")
        export_order = fields

    def dehydrate_card(self, reader: Reader) -> str:
        cards = getattr(reader, "active_cards", None)
        if cards is None:
            cards = list(reader.cards.active())
        return cards[0].number if cards else ""

    def filter_export(self, queryset, **kwargs):
        return queryset.with_display()
