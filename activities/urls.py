from django.urls import path

# --- issue 17: the calendar, the question bank, the quiz, contests and honours ---
from .views import bank, calendar, cards, contests, honours, notes, quiz, review, rules, selection

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
    # --- issue 17: the activity calendar and the published results (公示) ---
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<int:year>/", calendar.calendar, name="calendar-year"),
    path("calendar/<int:year>/plan/", calendar.plan_edit, name="plan"),
    path("activity/new/", calendar.activity_new, name="activity-new"),
    path("activity/<int:pk>/", calendar.activity_detail, name="activity"),
    path("activity/<int:pk>/move/", calendar.activity_move_view, name="activity-move"),
    path("published/", calendar.results_board, name="results-board"),
    # the question bank
    path("bank/", bank.bank, name="bank"),
    path("bank/export.xlsx", bank.bank_export_view, name="bank-export"),
    path("bank/template.xlsx", bank.bank_template, name="bank-template"),
    # the quiz: the pupil's pages
    path("quizzes/", quiz.my_quizzes, name="quizzes-mine"),
    path("quizzes/<int:quiz_id>/start/", quiz.quiz_start, name="quiz-start"),
    path("attempts/<int:attempt_id>/", quiz.attempt_view, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", quiz.attempt_answer, name="attempt-answer"),
    path("attempts/<int:attempt_id>/submit/", quiz.attempt_submit_view, name="attempt-submit"),
    # the quiz: the staff's pages
    path("quiz/", quiz.quiz_list, name="quizzes"),
    path("quiz/new/", quiz.quiz_new, name="quiz-new"),
    path("quiz/<int:quiz_id>/", quiz.quiz_results_view, name="quiz-results"),
    path("quiz/<int:quiz_id>/grading/", quiz.grading_home, name="grading"),
    path("quiz/<int:quiz_id>/grading/<int:question_id>/", quiz.grading_question, name="grading-question"),
    path("quiz/<int:quiz_id>/regrade/<int:question_id>/", quiz.question_regrade, name="question-regrade"),
    path("quiz/<int:quiz_id>/winners/", quiz.quiz_winners, name="quiz-winners"),
    path("quiz/<int:quiz_id>/make-up/", quiz.quiz_make_up, name="quiz-make-up"),
    path("quiz/<int:quiz_id>/paper/<int:class_id>/", quiz.paper_answers, name="paper-answers"),
    # contests
    path("contests/", contests.contest_list, name="contests"),
    path("contests/new/", contests.contest_new, name="contest-new"),
    path("contests/<int:contest_id>/", contests.contest_detail, name="contest"),
    path("contests/<int:contest_id>/register/", contests.contest_register, name="contest-register"),
    path(
        "contests/<int:contest_id>/register-class/",
        contests.contest_register_class,
        name="contest-register-class",
    ),
    path("contests/entries/<int:entry_id>/", contests.entry_edit, name="entry"),
    path("contests/entries/<int:entry_id>/file/", contests.entry_file, name="entry-file"),
    path("contests/<int:contest_id>/judge/", contests.judge_sheet_view, name="judge"),
    path(
        "contests/<int:contest_id>/resolve/<int:entry_id>/", contests.entry_resolve_view, name="entry-resolve"
    ),
    path("contests/<int:contest_id>/publish/", contests.contest_publish_view, name="contest-publish"),
    # honours
    path("honours/", honours.honour_roll, name="honour-roll"),
    path("honours/award/", honours.honours_award_page, name="honours-award"),
    path("honours/<int:honour_id>/revoke/", honours.honour_revoke_view, name="honour-revoke"),
    path("honours/<int:honour_id>/certificate.pdf", honours.certificate, name="honour-certificate"),
    path("honours/certificates.pdf", honours.certificates_batch, name="honour-certificates"),
]
