"""The back office's view of the reading activities, for corrections; the pages are the main UI.
States change through the services only, so they are read-only here, and nothing is deleted."""

from django.contrib import admin

from .models import ActivitiesSettings, ClassReviewer, ExcerptCard, MonthSelection, NotesRule, ReadingNote

WORK_READ_ONLY = (
    "reader", "state", "revision", "created_at", "saved_at", "submitted_at", "month", "grade", "comment",
    "return_reason", "reviewed_at", "reviewed_by", "released_at", "nominated_at", "nominated_by", "selected_at",
    "selected_by", "similar_text", "similar_source", "similarity",
)  # fmt: skip


class WorkAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reader", "record", "state", "grade", "submitted_at", "month")
    list_filter = ("state", "month")
    search_fields = ("reader__number", "reader__user__full_name", "record__title")
    raw_id_fields = ("record",)
    readonly_fields = WORK_READ_ONLY

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ReadingNote)
class ReadingNoteAdmin(WorkAdmin):
    list_display = (*WorkAdmin.list_display, "medium")
    list_filter = (*WorkAdmin.list_filter, "medium")
    readonly_fields = (*WORK_READ_ONLY, "loan", "medium", "recorded_by")


@admin.register(ExcerptCard)
class ExcerptCardAdmin(WorkAdmin):
    readonly_fields = (*WORK_READ_ONLY, "session")


@admin.register(NotesRule)
class NotesRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "reader_group", "grade_from", "grade_to", "term", "loans_per_note", "is_active")
    list_filter = ("reader_group", "is_active")


@admin.register(ClassReviewer)
class ClassReviewerAdmin(admin.ModelAdmin):
    list_display = ("school_class", "teacher", "named_by", "named_at")
    raw_id_fields = ("teacher",)


@admin.register(MonthSelection)
class MonthSelectionAdmin(admin.ModelAdmin):
    list_display = ("month", "published_at", "published_by")
    readonly_fields = ("month", "published_at", "published_by")

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ActivitiesSettings)
