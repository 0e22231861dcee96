from django.urls import path

from . import views

app_name = "circulation"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("me/", views.my_library, name="my-library"),
]
