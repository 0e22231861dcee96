from django.contrib import admin
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .models import LibraryCard, Reader, SchoolClass
from .resources import ReaderResource


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("__str__", "grade", "number", "head_teacher", "is_active")
    list_filter = ("is_active", "grade")
    autocomplete_fields = ("head_teacher",)


class LibraryCardInline(admin.TabularInline):
    model = LibraryCard
    extra = 0
    fields = ("number", "status", "issued_at", "blocked_at", "block_reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Cards are issued and replaced through the circulation services, which block the old one.
        return False


@admin.register(Reader)
class ReaderAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [ReaderResource]
    export_formats = [XLSX, CSV]
    list_display = ("number", "name", "kind", "school_class", "status")
    list_filter = ("kind", "status", "school_class__grade")
    search_fields = ("number", "user__full_name", "cards__number")
    list_select_related = ("user", "school_class")
    autocomplete_fields = ("user",)
    inlines = [LibraryCardInline]

    def has_delete_permission(self, request, obj=None):
        # A reader is never deleted: their loans must stay accounted for. Mark them as left.
        return False
