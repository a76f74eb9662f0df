from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("directory.api.urls")),
    path("", include("knowledge.api.urls")),
    path("", include("appeals.api.urls")),
    path("", include("telephony.api.urls")),
    path("", include("complaints.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("desk/complaints/", include("complaints.urls")),
    path("desk/", include("workspace.urls")),
    path("directory/", include("directory.urls")),
    path("kb/", include("knowledge.urls")),
    path("audit/", include("audit.urls")),
    path("telephony/", include("telephony.urls")),
    path("recordings/", include("recordings.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("healthz", include("core.urls")),
]
