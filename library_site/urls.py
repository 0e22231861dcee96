from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog, set_language

from library_site.accounts.views import home
from library_site.system.views import healthz

admin.site.site_header = _("School library back office")
admin.site.site_title = _("School library")
admin.site.index_title = _("Back office")

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("library_site.accounts.urls")),
    path("system/", include("library_site.system.urls")),
    path("circulation/", include("circulation.urls")),
    path("reports/", include("reports.urls")),
    path("activities/", include("activities.urls")),
    path("", include("catalog.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
