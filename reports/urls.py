from django.urls import path

from . import register_views, views, views_leaders

app_name = "reports"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("registers/", register_views.registers, name="registers"),
    path("registers/jobs/<str:job_id>/", register_views.register_job, name="register-job"),
    path("registers/jobs/<str:job_id>/download/", register_views.register_download, name="register-download"),
    path("leaders/", views_leaders.leaders_report, name="leaders-report"),
    path("leaders/report.pdf", views_leaders.leaders_report_pdf_download, name="leaders-report-pdf"),
    path("leaders/report.xlsx", views_leaders.leaders_report_xlsx_download, name="leaders-report-xlsx"),
    path("leaders/note/", views_leaders.leaders_note_save_view, name="leaders-note-save"),
    path("public/", views_leaders.public_page, name="public-page"),
    path("public/settings/", views_leaders.public_page_settings, name="public-page-settings"),
]
