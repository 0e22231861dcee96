from django.contrib import admin

from .models import CatalogSettings, ClassificationClass, Contributor, Copy, LabelSheet, Location, Record


class ContributorInline(admin.TabularInline):
    model = Contributor
    extra = 0


class CopyInline(admin.TabularInline):
    model = Copy
    extra = 0
    fields = ("barcode", "accession_number", "location", "shelf", "status", "acquired_on", "source")
    readonly_fields = ("barcode", "accession_number", "status")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Copies are added by the cataloguing pages, which number them.
        return False


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ("title", "isbn", "call_number", "publisher", "year", "material_type")
    list_filter = ("material_type", "language")
    search_fields = ("title", "isbn", "call_number", "contributors__name")
    readonly_fields = ("classification", "created_at", "updated_at", "created_by")
    inlines = [ContributorInline, CopyInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Copy)
class CopyAdmin(admin.ModelAdmin):
    list_display = ("barcode", "accession_number", "record", "location", "shelf", "status")
    list_filter = ("status", "location", "source")
    search_fields = ("barcode", "accession_number", "record__title")
    list_select_related = ("record", "location")
    readonly_fields = ("barcode", "accession_number", "status", "record", "created_at", "created_by")

    def has_delete_permission(self, request, obj=None):
        # Copies are withdrawn, never deleted.
        return False


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "position")
    list_editable = ("position",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClassificationClass)
class ClassificationClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "level")
    search_fields = ("code", "name_zh", "name_en")
    readonly_fields = ("parent", "level", "position")


@admin.register(LabelSheet)
class LabelSheetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "rows", "columns", "label_width_mm", "label_height_mm")

    def has_delete_permission(self, request, obj=None):
        # A sheet is corrected or replaced by a new one, never deleted: labels were printed on it.
        return False


@admin.register(CatalogSettings)
class CatalogSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CatalogSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
