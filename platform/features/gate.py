"""The one gate in front of every module: URLs, API, navigation, templates, tasks.

- URLs and API endpoints: route them with `feature_path(feature, route, view_or_include)`;
  FeatureGateMiddleware answers 404 for every view below it while the module is off (a module
  that is off does not exist, it is not forbidden).
- Templates: the context has `features` (use `{% if "map" in features %}`) and `nav_modules`.
- Tasks: set `required_feature = "…"` on a task; PortalTask skips it for portals without it.
- Code: `is_enabled(request_or_portal, key)`.
All of them read `selectors.portal_features`, cached once per portal and memoised per request.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from core.access import ROUTES, Access
from core.routing import FEATURE, marked_path, pop_markers
from features.catalogue import FEATURES
from features.selectors import PortalFeatures, portal_features

NO_FEATURES = PortalFeatures(plan_key="", plan_name="", entitled=frozenset(), enabled=frozenset())


def feature_path(feature: str, route: str, view, name: str | None = None):
    """`path()` whose view (or every view of an include) exists only while `feature` is on.
    Nested markers add up: a route below two of them needs both modules."""
    if feature not in FEATURES:
        raise KeyError(f"Unknown feature {feature!r} in URL {route!r}.")
    return marked_path(route, view, {f"{FEATURE}:{feature}": feature}, name=name)


def features_of(request) -> PortalFeatures:
    features = getattr(request, "features", None)
    return features if features is not None else NO_FEATURES


def is_enabled(request_or_portal, key: str) -> bool:
    if key not in FEATURES:
        raise KeyError(f"Unknown feature {key!r}.")
    if hasattr(request_or_portal, "META"):
        return key in features_of(request_or_portal)
    return key in portal_features(request_or_portal)


class FeatureGateMiddleware:
    """Attaches `request.features` (lazily) and enforces `feature_path` markers. After routing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        portal = getattr(request, "portal", None)
        request.features = (
            SimpleLazyObject(lambda: portal_features(portal)) if portal is not None else NO_FEATURES
        )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        needed = pop_markers(view_kwargs, FEATURE)
        if needed:
            enabled = features_of(request)
            if not all(key in enabled for key in needed):
                raise Http404("This module is not available in this portal.")
        return None


def _shown_to(request, url_name: str) -> bool:
    # A visitor's navigation links only to pages for visitors: a members' page would answer
    # them with a login page at best, the API with its bare "forbidden" page.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return ROUTES.get(url_name) == Access.PUBLIC


def context(request) -> dict:
    features = features_of(request)
    nav = []
    for key, feature in FEATURES.items():
        if feature.nav and key in features and _shown_to(request, feature.nav):
            nav.append({"key": key, "name": feature.name, "url": reverse(feature.nav)})
    return {"features": features, "nav_modules": nav}
