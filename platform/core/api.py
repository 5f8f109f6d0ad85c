"""The base of every API endpoint, and the router that builds the API root.

- `PortalViewSet`: every endpoint inherits it. It answers only on a portal host and requires a
  logged-in member unless the endpoint says otherwise.
- `ScopedModelViewSet`: endpoints over rows. Their queryset comes from `selector(user=...)`,
  a function of the app's selectors that returns only what the caller may see; defining
  `queryset` or `get_queryset` on a subclass is a TypeError at import. `narrow()` may filter the
  scoped queryset further. The one escape hatch is named so that it shows up in review and in
  `grep`: `dangerously_get_queryset`.
- `ApiRouter`: `register(prefix, viewset, basename=…, feature=…)`; an endpoint of a module exists
  only while that module is on (on top of `api_access`, which guards the whole API), and the API
  root lists exactly the endpoints the portal has.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from core.routing import FEATURE, marked_path


class PortalViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        if getattr(request, "portal", None) is None:
            raise Http404("The API belongs to a portal.")
        super().initial(request, *args, **kwargs)


class ScopedModelViewSet(PortalViewSet, viewsets.GenericViewSet):
    selector: Callable[..., QuerySet] | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for forbidden in ("queryset", "get_queryset"):
            if forbidden in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} defines {forbidden}: set `selector` (and `narrow`), or name "
                    "the exception with `dangerously_get_queryset`."
                )

    def get_queryset(self) -> QuerySet:
        hatch = getattr(self, "dangerously_get_queryset", None)
        if hatch is not None:
            return hatch()
        selector = type(self).selector  # through the class: a plain function, not a method
        if selector is None:
            raise TypeError(f"{type(self).__name__} has no selector.")
        return self.narrow(selector(user=self.request.user))

    def narrow(self, queryset: QuerySet) -> QuerySet:
        return queryset


class ApiRouter(SimpleRouter):
    def __init__(self):
        super().__init__(trailing_slash=True)
        self.features: dict[str, str] = {}

    def register(self, prefix, viewset, basename=None, *, feature: str = ""):
        if not issubclass(viewset, PortalViewSet):
            raise TypeError(f"{viewset.__name__} must inherit core.api.PortalViewSet.")
        super().register(prefix, viewset, basename)
        if feature:
            self.features[prefix] = feature

    def get_urls(self):
        urls = [path("", ApiRoot.as_view(router=self), name="api-root")]
        for prefix, viewset, basename in self.registry:
            single = SimpleRouter(trailing_slash=True)
            single.register(prefix, viewset, basename)
            patterns = single.get_urls()
            feature = self.features.get(prefix)
            if feature:
                patterns = [marked_path("", include(patterns), {f"{FEATURE}:{feature}": feature})]
            urls.extend(patterns)
        return urls


class ApiRoot(APIView):
    """The endpoints this portal has, each with its URL."""

    permission_classes = [IsAuthenticated]
    router: ApiRouter | None = None

    def get(self, request, format=None):
        enabled = getattr(request, "features", ())
        return Response(
            {
                prefix: reverse(f"{basename}-list", request=request, format=format)
                for prefix, _viewset, basename in self.router.registry
                if not self.router.features.get(prefix) or self.router.features[prefix] in enabled
            }
        )
