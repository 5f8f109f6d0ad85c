"""URLs of the platform host: the platform site and the operator console."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from core.views import healthz
from tenants.views import favicon, platform_home, platform_legal_page, tls_allowed

admin.site.site_header = _("Allmende operator console")
admin.site.site_title = _("Allmende operators")

urlpatterns = [
    path("", platform_home, name="platform_home"),
    path("impressum/", platform_legal_page, {"kind": "impressum"}, name="platform_impressum"),
    path("datenschutz/", platform_legal_page, {"kind": "privacy"}, name="platform_privacy"),
    path("nutzungsbedingungen/", platform_legal_page, {"kind": "terms"}, name="platform_terms"),
    path("auftragsverarbeitung/", platform_legal_page, {"kind": "dpa"}, name="platform_dpa"),
    path("", include("billing.urls")),
    # The console's own login would skip two-factor: staff log in through allauth.
    path(
        "operator/login/",
        RedirectView.as_view(url="/accounts/login/?next=/operator/", query_string=False),
    ),
    path("operator/", admin.site.urls),
    path("accounts/", include("accounts.urls_platform")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon, name="platform_favicon"),
    path("healthz", healthz, name="healthz"),
    path("internal/tls-allowed", tls_allowed, name="tls_allowed"),
]
