from django.urls import path

from . import (
    class_set_views,
    desk_views,
    leaver_views,
    notice_views,
    policy_views,
    reader_views,
    room_views,
    school_views,
    views,
)

app_name = "circulation"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/scan/", desk_views.desk_scan_view, name="desk-scan"),
    path("desk/pile/", desk_views.desk_pile, name="desk-pile"),
    path("desk/reader/<int:reader_id>/", desk_views.desk_reader_choose, name="desk-reader"),
    path("desk/reader/clear/", desk_views.desk_reader_clear, name="desk-reader-clear"),
    path("desk/undo/<int:action_id>/", desk_views.desk_undo, name="desk-undo"),
    path("desk/renew-all/", desk_views.desk_renew_all, name="desk-renew-all"),
    path("desk/name/", desk_views.desk_name_set, name="desk-name"),
    path("loans/<int:loan_id>/lost/", desk_views.loan_lost, name="loan-lost"),
    path(
        "compensations/<int:compensation_id>/receipt/",
        desk_views.compensation_receipt,
        name="compensation-receipt",
    ),
    path("readers/<int:reader_id>/loans/", desk_views.reader_loans, name="reader-loans"),
    path("copies/<int:copy_id>/loans/", desk_views.copy_loans, name="copy-loans"),
    path("me/", views.my_library, name="my-library"),
    path("me/loans/<int:loan_id>/renew/", reader_views.my_loan_renew, name="my-loan-renew"),
    path("me/holds/<int:hold_id>/cancel/", reader_views.my_hold_cancel, name="my-hold-cancel"),
    path("me/notices/", notice_views.my_notices, name="my-notices"),
    path("me/notices/read/", notice_views.my_notices_read, name="my-notices-read"),
    path("me/notices/<int:notice_id>/read/", notice_views.my_notice_read, name="my-notice-read"),
    path("classes/<int:pk>/overdue/", notice_views.class_overdue_page, name="class-overdue"),
    path("classes/<int:pk>/overdue.pdf", notice_views.class_overdue_pdf, name="class-overdue-pdf"),
    path("policies/notices/<str:kind>/", notice_views.notice_template_edit, name="notice-template"),
    path("holds/place/<int:record_id>/", reader_views.hold_place_view, name="hold-place"),
    path("class-sets/", class_set_views.class_set_list, name="class-sets"),
    path("class-sets/new/<int:record_id>/", class_set_views.class_set_new, name="class-set-new"),
    path("class-sets/<int:booking_id>/lend/", class_set_views.class_set_lend_view, name="class-set-lend"),
    path(
        "class-sets/<int:booking_id>/cancel/", class_set_views.class_set_cancel_view, name="class-set-cancel"
    ),
    path("policies/", policy_views.policy_list, name="policies"),
    path("policies/new/", policy_views.policy_create, name="policy-create"),
    path("policies/<int:pk>/", policy_views.policy_edit, name="policy-edit"),
    path("policies/settings/", policy_views.settings_edit, name="policy-settings"),
    path("calendar/closed/new/", policy_views.closed_create, name="closed-create"),
    path("calendar/closed/<int:pk>/", policy_views.closed_edit, name="closed-edit"),
    path("calendar/closed/<int:pk>/delete/", policy_views.closed_delete, name="closed-delete"),
    path("calendar/terms/new/", policy_views.term_create, name="term-create"),
    path("calendar/terms/<int:pk>/", policy_views.term_edit, name="term-edit"),
    # The school's structure, readers and cards (school_views).
    path("classes/", school_views.class_list, name="class-list"),
    path("classes/<int:pk>/", school_views.class_detail, name="class-detail"),
    path("classes/<int:pk>/cards.pdf", school_views.class_cards, name="class-cards"),
    path("readers/", school_views.reader_list_page, name="reader-list"),
    path("readers/add/", school_views.reader_create, name="reader-create"),
    path("readers/<int:pk>/", school_views.reader_edit, name="reader-edit"),
    path("readers/<int:pk>/card.pdf", school_views.reader_card, name="reader-card"),
    path("readers/<int:pk>/reissue/", school_views.card_reissue, name="card-reissue"),
    # Leavers: clearance lists and certificates (leaver_views).
    path("classes/<int:pk>/clearance/", leaver_views.class_clearance_page, name="class-clearance"),
    path("readers/<int:pk>/clearance/", leaver_views.reader_clearance_page, name="reader-clearance"),
    path(
        "readers/<int:pk>/certificate.pdf", leaver_views.clearance_certificate, name="clearance-certificate"
    ),
    path("compensations/<int:pk>/paid/", leaver_views.compensation_paid, name="compensation-paid"),
    path("roster/", school_views.roster_upload, name="roster-upload"),
    path("roster/preview/", school_views.roster_preview, name="roster-preview"),
    path("roster/confirm/", school_views.roster_confirm, name="roster-confirm"),
    path("roster/cancel/", school_views.roster_cancel, name="roster-cancel"),
    path("roster/template/", school_views.roster_template, name="roster-template"),
    path("promotion/", school_views.promotion, name="promotion"),
    # Reading rooms (room_views).
    path("rooms/", room_views.room_list, name="room-list"),
    path("rooms/<int:pk>/", room_views.room_week_page, name="room-week"),
    path("rooms/<int:pk>/kiosk/", room_views.room_kiosk, name="room-kiosk"),
    path("rooms/sessions/<int:pk>/cancel/", room_views.class_session_cancel, name="class-session-cancel"),
    path("rooms/hours/<int:pk>/remove/", room_views.opening_hours_remove, name="opening-hours-remove"),
]
