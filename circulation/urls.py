from django.urls import path

from .views import (
    charges,
    class_sets,
    desk,
    leavers,
    loans,
    notices,
    old_system,
    policies,
    reader_pages,
    readers,
    rooms,
    school,
)

app_name = "circulation"

urlpatterns = [
    path("desk/", desk.desk, name="desk"),
    path("desk/scan/", desk.desk_scan_view, name="desk-scan"),
    path("desk/pile/", desk.desk_pile, name="desk-pile"),
    path("desk/reader/<int:reader_id>/", desk.desk_reader_choose, name="desk-reader"),
    path("desk/reader/clear/", desk.desk_reader_clear, name="desk-reader-clear"),
    path("desk/undo/<int:action_id>/", desk.desk_undo, name="desk-undo"),
    path("desk/renew-all/", desk.desk_renew_all, name="desk-renew-all"),
    path("desk/name/", desk.desk_name_set, name="desk-name"),
    path("desk/holds/<int:hold_id>/slip.pdf", desk.hold_slip, name="hold-slip"),
    path("loans/<int:loan_id>/lost/", loans.loan_lost, name="loan-lost"),
    path(
        "compensations/<int:compensation_id>/receipt/",
        loans.compensation_receipt,
        name="compensation-receipt",
    ),
    path("readers/<int:reader_id>/loans/", readers.reader_loans, name="reader-loans"),
    path("readers/<int:reader_id>/suspensions/", readers.reader_suspensions_page, name="reader-suspensions"),
    path(
        "readers/<int:reader_id>/suspensions/<int:suspension_id>/",
        readers.reader_suspensions_page,
        name="reader-suspension-change",
    ),
    path("copies/<int:copy_id>/loans/", loans.copy_loans, name="copy-loans"),
    path("me/", reader_pages.my_library, name="my-library"),
    path("me/loans/<int:loan_id>/renew/", reader_pages.my_loan_renew, name="my-loan-renew"),
    path("me/holds/<int:hold_id>/cancel/", reader_pages.my_hold_cancel, name="my-hold-cancel"),
    path("me/notices/", notices.my_notices, name="my-notices"),
    path("me/notices/read/", notices.my_notices_read, name="my-notices-read"),
    path("me/notices/<int:notice_id>/read/", notices.my_notice_read, name="my-notice-read"),
    path("classes/<int:pk>/overdue/", notices.class_overdue_page, name="class-overdue"),
    path("classes/<int:pk>/overdue.pdf", notices.class_overdue_pdf, name="class-overdue-pdf"),
    path("policies/notices/<str:kind>/", notices.notice_template_edit, name="notice-template"),
    path("holds/place/<int:record_id>/", reader_pages.hold_place_view, name="hold-place"),
    path("class-sets/", class_sets.class_set_list, name="class-sets"),
    path("class-sets/new/<int:record_id>/", class_sets.class_set_new, name="class-set-new"),
    path("class-sets/<int:booking_id>/lend/", class_sets.class_set_lend_view, name="class-set-lend"),
    path("class-sets/<int:booking_id>/cancel/", class_sets.class_set_cancel_view, name="class-set-cancel"),
    path("policies/", policies.policy_list, name="policies"),
    path("policies/new/", policies.policy_create, name="policy-create"),
    path("policies/<int:pk>/", policies.policy_edit, name="policy-edit"),
    path("policies/settings/", policies.settings_edit, name="policy-settings"),
    path("calendar/closed/new/", policies.closed_create, name="closed-create"),
    path("calendar/closed/<int:pk>/", policies.closed_edit, name="closed-edit"),
    path("calendar/closed/<int:pk>/delete/", policies.closed_delete, name="closed-delete"),
    path("calendar/terms/new/", policies.term_create, name="term-create"),
    path("calendar/terms/<int:pk>/", policies.term_edit, name="term-edit"),
    # The school's structure (views/school.py), readers and cards (views/readers.py).
    path("classes/", school.class_list, name="class-list"),
    path("classes/<int:pk>/", school.class_detail, name="class-detail"),
    path("classes/<int:pk>/cards.pdf", school.class_cards, name="class-cards"),
    path("readers/", readers.reader_list_page, name="reader-list"),
    path("readers/add/", readers.reader_create, name="reader-create"),
    path("readers/<int:pk>/", readers.reader_detail, name="reader-detail"),
    path("readers/<int:pk>/edit/", readers.reader_edit, name="reader-edit"),
    path("readers/<int:pk>/card.pdf", readers.reader_card, name="reader-card"),
    path("readers/<int:pk>/reissue/", readers.card_reissue, name="card-reissue"),
    # Leavers: clearance lists and certificates (views/leavers.py).
    path("classes/<int:pk>/clearance/", leavers.class_clearance_page, name="class-clearance"),
    path("readers/<int:pk>/clearance/", leavers.reader_clearance_page, name="reader-clearance"),
    path("readers/<int:pk>/certificate.pdf", leavers.clearance_certificate, name="clearance-certificate"),
    path("compensations/<int:pk>/paid/", leavers.compensation_paid, name="compensation-paid"),
    path("roster/", school.roster_upload, name="roster-upload"),
    path("roster/preview/", school.roster_preview, name="roster-preview"),
    path("roster/confirm/", school.roster_confirm, name="roster-confirm"),
    path("roster/cancel/", school.roster_cancel, name="roster-cancel"),
    path("roster/template/", school.roster_template, name="roster-template"),
    path("promotion/", school.promotion, name="promotion"),
    # Reading rooms (views/rooms.py).
    path("rooms/", rooms.room_list, name="room-list"),
    path("rooms/<int:pk>/", rooms.room_week_page, name="room-week"),
    path("rooms/<int:pk>/kiosk/", rooms.room_kiosk, name="room-kiosk"),
    path("rooms/sessions/<int:pk>/cancel/", rooms.class_session_cancel, name="class-session-cancel"),
    path("rooms/hours/<int:pk>/remove/", rooms.opening_hours_remove, name="opening-hours-remove"),
    # Money: charges, payments, receipts and the day's cash list (views/charges.py).
    path("readers/<int:pk>/charges/", charges.reader_charges_page, name="reader-charges"),
    path("readers/<int:pk>/charges/pay/", charges.charges_pay_view, name="charges-pay"),
    path("readers/<int:pk>/charges/damaged/", charges.charge_damaged_view, name="charge-damaged"),
    path("charges/<int:charge_id>/settle/", charges.charge_settle_view, name="charge-settle"),
    path("payments/<int:payment_id>/", charges.payment_receipt_page, name="payment-receipt"),
    path("payments/<int:payment_id>/receipt.pdf", charges.payment_receipt_pdf, name="payment-receipt-pdf"),
    path("cash/", charges.cash_list_page, name="cash-list"),
    path("cash/list.xlsx", charges.cash_list_download, name="cash-list-xlsx"),
    # Moving from the old library system (views/old_system.py).
    path("old-system/", old_system.old_system_page, name="old-system"),
]

# --- reservations of periodical issues and the reading-room timetable (issue 14) ------------
from .views import issue_reservations  # noqa: E402

urlpatterns += [
    path("periodicals/reserve/", issue_reservations.issue_reservations_mine, name="issue-reservations-mine"),
    path(
        "periodicals/reserve/<int:pk>/cancel/",
        issue_reservations.issue_reservation_cancel_mine,
        name="issue-reservation-cancel",
    ),
    path(
        "periodicals/reservations/",
        issue_reservations.issue_reservations_desk,
        name="issue-reservations-desk",
    ),
]

from .views import timetables  # noqa: E402

urlpatterns += [
    path("rooms/timetables/", timetables.timetable_list_page, name="timetable-list"),
    path("rooms/timetables/<int:pk>/", timetables.timetable_detail, name="timetable-detail"),
    path("rooms/timetables/<int:pk>/publish/", timetables.timetable_publish, name="timetable-publish"),
    path("rooms/timetables/<int:pk>/reopen/", timetables.timetable_reopen, name="timetable-reopen"),
    path("rooms/timetables/<int:pk>/print.pdf", timetables.timetable_pdf, name="timetable-pdf"),
    path(
        "rooms/timetables/<int:pk>/classes/<int:class_id>.pdf",
        timetables.timetable_class_pdf,
        name="timetable-class-pdf",
    ),
    path(
        "rooms/timetables/periods/<int:pk>/", timetables.timetable_slot_assign, name="timetable-slot-assign"
    ),
]
