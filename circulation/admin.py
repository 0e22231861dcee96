from django.contrib import admin
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .models import ClassSession, LibraryCard, OpeningHours, Reader, RosterChange, SchoolClass, Visit
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


@admin.register(RosterChange)
class RosterChangeAdmin(admin.ModelAdmin):
    list_display = ("done_at", "kind", "file_name", "done_by")
    list_filter = ("kind",)
    readonly_fields = ("kind", "file_name", "summary", "done_by", "done_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("room", "weekday", "opens_at", "closes_at")
    list_filter = ("room", "weekday")


@admin.register(ClassSession)
class ClassSessionAdmin(admin.ModelAdmin):
    list_display = ("date", "period", "room", "school_class", "booked_by")
    list_filter = ("room",)
    date_hierarchy = "date"


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("entered_at", "room", "reader", "card")
    list_filter = ("room",)
    date_hierarchy = "entered_at"
    list_select_related = ("room", "reader__user", "card")
    readonly_fields = ("room", "reader", "card", "entered_at", "recorded_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
