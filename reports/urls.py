from django.urls import path

from .views import leaders, management, plans, public, registers, statistics

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
    # --- The library's management (issue 20) ---
    path("plans/", plans.plan_list, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/plan.pdf", plans.plan_pdf, name="plan-pdf"),
    path("plans/<int:pk>/edit/", plans.plan_update, name="plan-update"),
    path("plans/<int:pk>/targets/", plans.plan_target_add, name="plan-target-save"),
    path(
        "plans/<int:pk>/targets/<int:target_pk>/remove/", plans.plan_target_remove, name="plan-target-remove"
    ),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/decide/", plans.plan_decide, name="plan-decide"),
    path("targets/", plans.targets_board_page, name="targets-board"),
    path("compliance/", management.compliance_page, name="compliance"),
    path("compliance/settings/", management.compliance_settings_page, name="compliance-settings"),
    path("equipment/", management.equipment_page, name="equipment"),
    path("equipment/<int:pk>/", management.equipment_item_page, name="equipment-item"),
    path("safety/", management.safety_page, name="safety"),
    path("staff/", management.staff_page, name="staff"),
    path("staff/<int:pk>/", management.staff_member_page, name="staff-member"),
    path("staff/<int:pk>/evaluation/<int:term_pk>/", management.evaluation_page, name="evaluation"),
    path("staff/papers/<int:pk>/", management.staff_paper_download, name="staff-paper"),
    path("staff/study-sessions/", management.study_sessions_page, name="study-sessions"),
    path("staff/criteria/", management.criteria_page, name="criteria"),
    path("term-summary/", management.term_summary_page, name="term-summary"),
]

# --- transparency (issue 19) ---
from .views import transparency  # noqa: E402

urlpatterns += [path("transparency/", transparency.transparency, name="transparency")]
