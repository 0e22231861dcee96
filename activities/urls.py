from django.urls import path

from .views import cards, notes, review, rules, selection

app_name = "activities"

urlpatterns = [
    # the pupil's own notes
    path("notes/", notes.my_notes, name="notes-mine"),
    path("notes/new/", notes.note_new, name="note-new"),
    path("notes/<int:note_id>/", notes.note_edit, name="note-edit"),
    path("notes/<int:note_id>/autosave/", notes.note_autosave, name="note-autosave"),
    path("notes/<int:note_id>/photo/", notes.note_photo, name="note-photo"),
    # the pupil's excerpt cards
    path("cards/new/", cards.card_new, name="card-new"),
    path("cards/<int:card_id>/", cards.card_edit, name="card-edit"),
    path("cards/<int:card_id>/autosave/", cards.card_autosave, name="card-autosave"),
    path("cards/mine.pdf", cards.my_cards_pdf, name="cards-mine-pdf"),
    # a class's pages for its teachers
    path("classes/<int:class_id>/cards.pdf", cards.class_cards_pdf, name="class-cards-pdf"),
    path("classes/<int:class_id>/owed/", notes.class_owed, name="class-owed"),
    path("classes/<int:class_id>/paper/", notes.paper_notes, name="paper-notes"),
    # the review
    path("review/", review.review_home, name="review"),
    path("review/<int:class_id>/release/", review.review_release, name="review-release"),
    path("review/<int:class_id>/<str:kind>/", review.review_class, name="review-class"),
    path("review/<int:class_id>/<str:kind>/<int:work_id>/", review.review_work, name="review-work"),
    # the month's selection
    path("review/<str:kind>/<int:work_id>/nominate/", selection.work_nominate_view, name="work-nominate"),
    path("selection/", selection.selection, name="selection"),
    path("selection/<str:month>/", selection.selection, name="selection-month"),
    path("selection/<str:month>/publish/", selection.selection_publish_view, name="selection-publish"),
    path("selection/choose/<str:kind>/<int:work_id>/", selection.selection_choose, name="selection-choose"),
    path("results/<str:month>/", selection.results, name="results"),
    path("wall/", selection.wall, name="wall"),
    path("wall/<str:month>/", selection.wall, name="wall-month"),
    path("wall/<str:month>/poster.pdf", selection.wall_poster, name="wall-poster"),
    # the administrator's pages
    path("rules/", rules.rules, name="rules"),
    path("rules/new/", rules.rule_create, name="rule-create"),
    path("rules/<int:pk>/", rules.rule_edit, name="rule-edit"),
    path("reviewers/", rules.reviewers, name="reviewers"),
    path("reviewers/<int:pk>/remove/", rules.reviewer_remove, name="reviewer-remove"),
]
