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


# --- promotion and the readers' voice (issue 19) -------------------------------------------------
# Back-office corrections only. An anonymous response or suggestion shows nothing that names its
# sender: participations (the keyed hashes) are not in the admin at all, a response shows no
# reader for an anonymous questionnaire (there is none stored), and a suggestion's reader field is
# empty when anonymous and cannot be set here.
from .models import (  # noqa: E402
    BulletinPost,
    LibrarianPick,
    LibraryPage,
    ReadingList,
    Review,
    Suggestion,
    Survey,
    SurveyResponse,
)


@admin.register(BulletinPost)
class BulletinPostAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "pinned", "publish_at", "expires_at", "withdrawn_at"]
    exclude = ["image"]
    readonly_fields = ["body_html", "created_by", "withdrawn_by"]


admin.site.register(LibraryPage)
admin.site.register(ReadingList)
admin.site.register(LibrarianPick)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["record", "rating", "state", "reports", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["record", "reader"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "anonymous", "opens_at", "closes_at"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "submitted_on"]
    fields = ["survey", "submitted_on"]
    readonly_fields = ["survey", "submitted_on"]

    def has_add_permission(self, request):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["kind", "category", "state", "received_on", "owner", "published_at"]
    list_filter = ["kind", "state"]
    readonly_fields = ["reader", "anonymous", "received_on", "text"]
    exclude = []

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The owner is one of the library's staff; a list of every account would also list the
        # sender among them.
        if db_field.name == "owner":
            from library_site.accounts.models import User
            from library_site.accounts.roles import STAFF_ROLES

            kwargs["queryset"] = User.objects.filter(
                groups__name__in=[str(role) for role in STAFF_ROLES]
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [
            "kind",
            "category",
            "text",
            "anonymous",
            "received_on",
            "state",
            "owner",
            "measure",
            "deadline",
            "answer",
        ]
        if obj is not None and not obj.anonymous:
            fields.insert(4, "reader")
        return fields
