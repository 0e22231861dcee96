from django.urls import path

from .views import notes, review

app_name = "activities"

urlpatterns = [
    # the pupil's own notes
    path("notes/", notes.my_notes, name="notes-mine"),
    path("notes/new/", notes.note_new, name="note-new"),
    path("notes/<int:note_id>/", notes.note_edit, name="note-edit"),
    path("notes/<int:note_id>/autosave/", notes.note_autosave, name="note-autosave"),
    path("notes/<int:note_id>/photo/", notes.note_photo, name="note-photo"),
    # a class's pages for its teachers
    path("classes/", notes.classes_mine, name="classes-mine"),
    path("classes/<int:class_id>/owed/", notes.class_owed, name="class-owed"),
    path("classes/<int:class_id>/paper/", notes.paper_notes, name="paper-notes"),
    # the review
    path("review/", review.review_home, name="review"),
    path("review/<int:class_id>/release/", review.review_release, name="review-release"),
    path("review/<int:class_id>/<str:kind>/", review.review_class, name="review-class"),
    path("review/<int:class_id>/<str:kind>/<int:work_id>/", review.review_work, name="review-work"),
]
