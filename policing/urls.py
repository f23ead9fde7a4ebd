from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from policing.api_docs import ApiDocsView
from policing.health import health
from policing.views import HomeView, favicon

admin.site.site_header = _("Grid policing administration")
admin.site.site_title = _("Grid policing")
admin.site.index_title = _("Organisation and territory")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("field/", include("visits.urls")),
    path("disputes/", include("disputes.urls")),
    path("cases/", include("cases.urls")),
    path("", include("dashboards.urls")),
    path("", include("grids.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("", include("stations.urls")),
    path("", include("assessments.urls")),
    path("track/", include("cases.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("policing.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL, so the
    # page needs no inline script under the Content-Security-Policy.
    path(
        "api/docs/",
        ApiDocsView.as_view(
            url_name="schema", template_name="policing/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

# With DEBUG off: no traceback, SQL or path, a request id instead (G-CF5).
handler400 = "policing.errors.bad_request"
handler403 = "policing.errors.permission_denied"
handler404 = "policing.errors.page_not_found"
handler500 = "policing.errors.server_error"
