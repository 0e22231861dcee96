from django.urls import path

from . import room_views, school_views, views

app_name = "circulation"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("me/", views.my_library, name="my-library"),
    # The school's structure, readers and cards (school_views).
    path("classes/", school_views.class_list, name="class-list"),
    path("classes/<int:pk>/", school_views.class_detail, name="class-detail"),
    path("classes/<int:pk>/cards.pdf", school_views.class_cards, name="class-cards"),
    path("readers/", school_views.reader_list_page, name="reader-list"),
    path("readers/add/", school_views.reader_create, name="reader-create"),
    path("readers/<int:pk>/", school_views.reader_edit, name="reader-edit"),
    path("readers/<int:pk>/card.pdf", school_views.reader_card, name="reader-card"),
    path("readers/<int:pk>/reissue/", school_views.card_reissue, name="card-reissue"),
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
