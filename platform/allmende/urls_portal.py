"""URLs of every portal host. The operator console is deliberately absent here.

Everything under /manage/ is declared with `manage_path` (portal administrators only; the admin
navigation is built from the `nav` labels); modules are behind `feature_path`.
"""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.gates import manage_path
from core.views import healthz
from features.gate import feature_path
from tenants.views import favicon, serve_media

urlpatterns = [
    path("", include("news.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("invitation/", include("members.urls_invitation")),
    manage_path("manage/features/", include("features.urls"), nav=_("Administration")),
    manage_path("manage/members/", include("members.urls"), nav=_("Members")),
    manage_path("manage/topics/", include("accounts.urls_topics")),
    feature_path("member_directory", "directory/", include("accounts.urls_directory")),
    feature_path("spaces", "spaces/", include("spaces.urls")),
    feature_path("spaces", "spaces/<slug:slug>/discussions/", include("discussions.urls")),
    feature_path("documents", "spaces/<slug:slug>/documents/", include("documents.urls")),
    feature_path("ideas", "ideas/", include("ideas.urls")),
    feature_path("map", "map/", include("places.urls")),
    feature_path("events", "events/", include("events.urls")),
    feature_path("events", "spaces/<slug:slug>/events/", include("events.urls_space")),
    feature_path("proposals", "spaces/<slug:slug>/proposals/", include("proposals.urls")),
    feature_path("proposals", "proposals/", include("proposals.urls_portal")),
    manage_path(
        "manage/proposals/",
        include("proposals.urls_manage"),
        nav=_("Proposals"),
        feature="proposals",
    ),
    manage_path("manage/events/", include("events.urls_manage"), nav=_("Events"), feature="events"),
    manage_path("manage/map/", include("places.urls_manage"), nav=_("Map"), feature="map"),
    path("dashboard/", include("spaces.urls_dashboard")),
    path("comments/", include("comments.urls")),
    path("moderation/", include("moderation.urls")),
    path("notifications/", include("notifications.urls")),
    path("search/", include("search.urls")),
    path("", include("themes.urls")),
    manage_path("manage/billing/", include("billing.urls_portal"), nav=_("Billing")),
    manage_path(
        "manage/domains/", include("tenants.urls_domains"), nav=_("Domains"), feature="own_domain"
    ),
    feature_path("api_access", "api/v1/", include("allmende.urls_api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("media/<path:path>", serve_media, name="media"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
]
