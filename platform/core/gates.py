"""The admin gate: every route under `manage_path(...)` is for the portal's administrators only.

Visitors are sent to the login page, members get 403; the view itself holds no check, so a new
admin page cannot forget one. The admin navigation is built from the same declarations (the
`nav` label of a `manage_path`), so a link and its guard never drift apart; entries whose module
is off are left out like the routes behind them.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.permissions import is_portal_admin
from core.routing import FEATURE, MANAGE, NAV, marked_path, pop_markers, walk


def manage_path(route: str, view, *, name: str | None = None, nav=None, feature: str = ""):
    """`path()` for portal administrators only. `nav` (a label) adds it to the admin navigation;
    `feature` puts it behind that module as well, like wrapping it in `feature_path`."""
    markers: dict[str, object] = {MANAGE: True}
    if nav is not None:
        markers[NAV] = nav
    if feature:
        markers[f"{FEATURE}:{feature}"] = feature
    return marked_path(route, view, markers, name=name)


class AdminGateMiddleware:
    """Enforces `manage_path` markers. Runs after authentication and the feature gate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        pop_markers(view_kwargs, NAV)
        if not pop_markers(view_kwargs, MANAGE):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_portal_admin(request.user):
            raise PermissionDenied(_("Only administrators of this portal may do this."))
        return None


@cache
def _admin_nav_entries(urlconf: str) -> tuple[tuple[object, str, frozenset], ...]:
    """(label, URL, modules needed) per navigation entry, in declaration order."""
    entries: dict[int, tuple[object, str, frozenset]] = {}
    for route in walk(urlconf):
        label = route.markers.get(NAV)
        if label is None or not route.is_manage:
            continue
        # Every route below one manage_path carries the same label object; the shortest route
        # is the include's own page.
        key = id(label)
        url = "/" + route.route
        if key not in entries or len(url) < len(entries[key][1]):
            entries[key] = (label, url, route.features)
    return tuple(entries.values())


def admin_nav(request) -> list[dict]:
    """The admin navigation for this request: empty for everyone but the portal's admins."""
    if getattr(request, "portal", None) is None or not is_portal_admin(
        getattr(request, "user", None)
    ):
        return []
    enabled = getattr(request, "features", ())  # set by the feature gate
    return [
        {"label": label, "url": url, "current": request.path.startswith(url)}
        for label, url, needed in _admin_nav_entries(settings.ROOT_URLCONF)
        if all(key in enabled for key in needed)
    ]


def context(request) -> dict:
    return {"admin_nav": admin_nav(request)}
