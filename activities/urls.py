from django.urls import path

from .views import cards, corners, notes, review, rules, selection, team

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
    # --- class book corners (issue 18) ---
    path("corners/", corners.corners_home, name="corners"),
    path("corners/class/<int:class_id>/setup/", corners.corner_setup, name="corner-setup"),
    path("corners/<int:corner_id>/", corners.corner_page, name="corner"),
    path("corners/<int:corner_id>/lend/", corners.corner_lend_view, name="corner-lend"),
    path("corners/<int:corner_id>/return/", corners.corner_return_view, name="corner-return"),
    path("corners/<int:corner_id>/stocktake/", corners.corner_stocktake_view, name="corner-stocktake"),
    path("corners/<int:corner_id>/lending/", corners.corner_lending_view, name="corner-lending"),
    path("corners/<int:corner_id>/keeper/", corners.corner_keeper_view, name="corner-keeper"),
    path("corners/<int:corner_id>/donate/", corners.corner_donate_view, name="corner-donate"),
    path(
        "corners/lending/<int:lending_id>/return/",
        corners.corner_lending_return_view,
        name="corner-lending-return",
    ),
    path("corners/batches/<int:batch_id>.pdf", corners.corner_batch_pdf, name="corner-batch-pdf"),
    path("corners/rotations/", corners.rotations, name="rotations"),
    path("corners/rotations/<int:plan_id>/", corners.rotation_page, name="rotation"),
    path(
        "corners/rotations/<int:plan_id>/<int:class_id>.pdf",
        corners.rotation_class_pdf,
        name="rotation-class-pdf",
    ),
    path("corners/rotations/done/<int:rotation_id>/", corners.rotation_done, name="rotation-done"),
    path("corners/donations/", corners.donations, name="corner-donations"),
    path(
        "corners/donations/<int:donation_id>/review/",
        corners.donation_review_view,
        name="corner-donation-review",
    ),
    # --- the student service team (issue 18) ---
    path("team/", team.team_home, name="team"),
    path("team/members/<int:member_id>/leave/", team.member_leave, name="team-member-leave"),
    path("team/trainings/", team.trainings, name="team-trainings"),
    path("team/meetings/", team.meetings, name="team-meetings"),
    path("team/rota/", team.rota, name="team-rota"),
    path("team/rota/<int:slot_id>/", team.rota, name="team-rota-slot"),
    path("team/rota.pdf", team.rota_pdf, name="team-rota-pdf"),
    path("team/shifts/", team.shifts, name="team-shifts"),
    path("team/shifts/<int:shift_id>/", team.shift_page, name="team-shift"),
    path("team/ratings/", team.ratings, name="team-ratings"),
    path("team/ratings/<str:month>/", team.ratings, name="team-ratings-month"),
    path("team/ratings/<str:month>/best/", team.best_member, name="team-best"),
    path("team/ratings/<str:month>/<int:member_id>/", team.rate, name="team-rate"),
    path("team/criteria/", team.criteria, name="team-criteria"),
    path("team/criteria/<int:criterion_id>/", team.criteria, name="team-criterion"),
    path("team/mine/", team.my_team, name="team-mine"),
]

# --- promotion and the readers' voice (issue 19) ---
from .views import bulletin, lists, reviews, suggestions, surveys  # noqa: E402

urlpatterns += [
    path("bulletin/", bulletin.bulletin, name="bulletin"),
    path("bulletin/<int:post_id>/image.jpg", bulletin.post_image, name="post-image"),
    path("bulletin/manage/", bulletin.bulletin_manage, name="bulletin-manage"),
    path("bulletin/new/", bulletin.post_edit, name="post-new"),
    path("bulletin/<int:post_id>/edit/", bulletin.post_edit, name="post-edit"),
    path("bulletin/<int:post_id>/withdraw/", bulletin.post_withdraw_view, name="post-withdraw"),
    path("library/hours/", bulletin.opening_hours, name="opening-hours"),
    path("library/collection/", bulletin.collection, name="collection"),
    path("library/settings/", bulletin.promotion_settings_edit, name="promotion-settings"),
    path("library/<str:key>/", bulletin.library_page, name="library-page"),
    path("library/<str:key>/edit/", bulletin.library_page_edit, name="library-page-edit"),
    path("lists/", lists.reading_lists, name="lists"),
    path("lists/new/", lists.reading_list_edit, name="list-new"),
    path("lists/<int:list_id>/", lists.reading_list, name="list"),
    path("lists/<int:list_id>/print/", lists.reading_list, {"printable": True}, name="list-print"),
    path("lists/<int:list_id>/edit/", lists.reading_list_edit, name="list-edit"),
    path("lists/<int:list_id>/retire/", lists.reading_list_retire_view, name="list-retire"),
    path("lists/items/<int:item_id>/remove/", lists.reading_list_item_remove, name="list-item-remove"),
    path("picks/", lists.picks, name="picks"),
    path(
        "classes/<int:class_id>/recommendations/", lists.class_recommendations, name="class-recommendations"
    ),
    path("reviews/", reviews.reviews_moderate, name="reviews"),
    path("reviews/write/<int:record_id>/", reviews.review_write_view, name="review-write"),
    path("reviews/<int:review_id>/report/", reviews.review_report_view, name="review-report"),
    path("surveys/", surveys.my_surveys, name="surveys-mine"),
    path("surveys/manage/", surveys.surveys_manage, name="surveys-manage"),
    path("surveys/<int:survey_id>/", surveys.survey_answer, name="survey-answer"),
    path("surveys/<int:survey_id>/results/", surveys.survey_results_view, name="survey-results"),
    path("surveys/<int:survey_id>/results.xlsx", surveys.survey_export, name="survey-export"),
    path("suggestions/", suggestions.suggestion_box, name="suggestions"),
    path("suggestions/manage/", suggestions.suggestions_manage, name="suggestions-manage"),
    path("suggestions/<int:suggestion_id>/", suggestions.suggestion_handle, name="suggestion-handle"),
]
