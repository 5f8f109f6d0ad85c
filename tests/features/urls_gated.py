"""Test URLconf: the real portal URLs plus a trivial page and API view behind every module (built
or not: a module that is not built must never open them), and routes behind two modules at once
(nested markers add up)."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApiRouter, PortalViewSet
from features.catalogue import FEATURES
from features.gate import feature_path, is_enabled
from news.views import home


def page(request):
    return HttpResponse("page of the module")


class ApiProbe(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"module": "api"})


class DirectoryProbeViewSet(PortalViewSet):
    """An endpoint of the member directory, registered like a module's endpoints in
    allmende.urls_api."""

    def list(self, request):
        return Response({"module": "member_directory"})


def home_checking_features(request, rounds: int):
    """The home page, after asking the gate about one module (rounds=0) or all of them `rounds` times."""
    if rounds == 0:
        is_enabled(request, "member_directory")
    for _round in range(rounds):
        for key in FEATURES:
            is_enabled(request, key)
    return home(request)


probe_api = ApiRouter()
probe_api.register(
    "directory-probe",
    DirectoryProbeViewSet,
    basename="directory-probe",
    feature="member_directory",
)

urlpatterns = [
    path("", include("allmende.urls_portal")),
    path("probe/<int:rounds>/", home_checking_features),
    # Behind api_access, then behind member_directory: needs both.
    feature_path(
        "api_access",
        "nested/",
        include([feature_path("member_directory", "x/", page), path("plain/", page)]),
    ),
    # An API built by ApiRouter with a module's endpoint, mounted like the real one.
    feature_path("api_access", "probe-api/", include(probe_api.urls)),
]
for _key in FEATURES:
    urlpatterns += [
        feature_path(_key, f"gated/{_key}/", page),
        feature_path(_key, f"gated/{_key}/api/", ApiProbe.as_view()),
    ]
