from django.urls import path

from . import register_views, views

app_name = "reports"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("registers/", register_views.registers, name="registers"),
    path("registers/jobs/<str:job_id>/", register_views.register_job, name="register-job"),
    path("registers/jobs/<str:job_id>/download/", register_views.register_download, name="register-download"),
]
