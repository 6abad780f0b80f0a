from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import healthz_view, manifest_view, ping_view

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME

# The Swagger UI: the split view serves its start-up script as a file of its own, so that no
# inline script is needed; its page keeps a small <style> element of drf-spectacular's template,
# hence inline styles on this one page only (it shows the API's schema and no data).
api_docs_view = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", include("accounts.urls")),
    path("territories/", include("mahalla.urls")),
    path("prevention/", include("prevention.urls")),
    path("partnership/", include("partnership.urls")),
    path("incentives/", include("incentives.urls")),
    path("accountability/", include("accountability.urls")),
    path("healthz", healthz_view, name="healthz"),
    path("ping", ping_view, name="ping"),
    path("manifest.webmanifest", manifest_view, name="manifest"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs_view, name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.permission_denied_view"
handler404 = "core.views.page_not_found_view"
handler500 = "core.views.server_error_view"
