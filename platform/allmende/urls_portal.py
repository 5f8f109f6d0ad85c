"""URLs of every portal host. The operator console is deliberately absent here."""

from django.urls import include, path

from features.gate import feature_path
from portal.views import healthz
from tenants.views import serve_media

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("manage/", include("features.urls")),
    path("manage/billing/", include("billing.urls_portal")),
    path("", include("themes.urls")),
    feature_path("api_access", "api/v1/", include("allmende.urls_api")),
    feature_path("own_domain", "manage/domains/", include("tenants.urls_domains")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("media/<path:path>", serve_media, name="media"),
    path("healthz", healthz, name="healthz"),
]
