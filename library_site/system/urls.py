from django.urls import path

from . import views

app_name = "system"

urlpatterns = [
    path("status/", views.status, name="status"),
    path("status/panel/", views.status_panel, name="status-panel"),
]
