from django.urls import path

from . import views

app_name = "system"

urlpatterns = [
    path("status/", views.status, name="status"),
    path("status/panel/", views.status_panel, name="status-panel"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<slug:key>/start/", views.job_start, name="job-start"),
]
