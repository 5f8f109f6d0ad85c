"""The REST API of a portal (version 1). Mounted behind the api_access module."""

from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from features.api import FeatureDetailView, FeatureListView
from portal.api import PostListCreateView


@api_view(["GET"])
def api_root(request, format=None):
    return Response(
        {
            "posts": reverse("api-posts", request=request, format=format),
            "features": reverse("api-features", request=request, format=format),
        }
    )


urlpatterns = [
    path("", api_root, name="api-root"),
    path("posts/", PostListCreateView.as_view(), name="api-posts"),
    path("features/", FeatureListView.as_view(), name="api-features"),
    path("features/<str:key>/", FeatureDetailView.as_view(), name="api-feature"),
]
