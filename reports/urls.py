from django.urls import path

from .views import leaders, public, registers, statistics

app_name = "reports"

urlpatterns = [
    path("statistics/", statistics.statistics, name="statistics"),
    path("registers/", registers.registers, name="registers"),
    path("registers/jobs/<str:job_id>/", registers.register_job, name="register-job"),
    path("registers/jobs/<str:job_id>/download/", registers.register_download, name="register-download"),
    path("leaders/", leaders.leaders_report, name="leaders-report"),
    path("leaders/report.pdf", leaders.leaders_report_pdf_download, name="leaders-report-pdf"),
    path("leaders/report.xlsx", leaders.leaders_report_xlsx_download, name="leaders-report-xlsx"),
    path("leaders/note/", leaders.leaders_note_save_view, name="leaders-note-save"),
    path("public/", public.public_page, name="public-page"),
    path("public/settings/", public.public_page_settings, name="public-page-settings"),
]

# --- transparency (issue 19) ---
from .views import transparency  # noqa: E402

urlpatterns += [path("transparency/", transparency.transparency, name="transparency")]
