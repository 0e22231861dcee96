from django.contrib import admin
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .models import (
    ClassSession,
    ClearanceCertificate,
    ClosedPeriod,
    Compensation,
    DeskAction,
    Hold,
    LibraryCard,
    Loan,
    LoanPolicy,
    OpeningHours,
    Reader,
    RosterChange,
    SchoolClass,
    Suspension,
    Term,
    Visit,
)
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


# --- loans, holds, policies: for back-office look-ups; changes go through the services ------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("copy", "reader", "state", "lent_at", "due_on", "returned_at", "desk")
    list_filter = ("state",)
    search_fields = ("copy__barcode", "reader__number", "reader__user__full_name")
    list_select_related = ("copy", "reader__user")


@admin.register(ClearanceCertificate)
class ClearanceCertificateAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "reader", "issued_at", "issued_by")
    list_select_related = ("reader__user", "issued_by")


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("record", "reader", "state", "placed_at", "collect_by")
    list_filter = ("state",)
    list_select_related = ("record", "reader__user")


@admin.register(DeskAction)
class DeskActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "desk", "action", "outcome", "scanned", "message")
    list_filter = ("action", "outcome", "desk")
    search_fields = ("scanned", "message")
    list_select_related = ("user",)


@admin.register(Compensation)
class CompensationAdmin(ReadOnlyAdmin):
    list_display = ("loan", "amount", "price", "multiplier", "recorded_at", "recorded_by")


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ("reader", "ends_on", "reason", "cancelled_at")


@admin.register(LoanPolicy)
class LoanPolicyAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "reader_group",
        "grade_from",
        "grade_to",
        "material_type",
        "loan_days",
        "max_loans",
    )


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "starts_on", "ends_on", "withdrawn_at", "withdrawn_by")


admin.site.register(Term, ReadOnlyAdmin)


# Opening hours and class sessions are ended or cancelled on the room's page, with who and why,
# and never deleted: the back office only reads them.
@admin.register(OpeningHours)
class OpeningHoursAdmin(ReadOnlyAdmin):
    list_display = ("room", "weekday", "opens_at", "closes_at", "ended_at", "ended_by")
    list_filter = ("room", "weekday")


@admin.register(ClassSession)
class ClassSessionAdmin(ReadOnlyAdmin):
    list_display = ("date", "period", "room", "school_class", "status", "booked_by", "cancelled_by")
    list_filter = ("room", "status")
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
