"""Every route of both URLconfs has an access class in `core.access`; a new route that the table
cannot classify fails here, so every future endpoint is covered by the security tests. The check
is also run against a planted violation, so that a check which could never fail would show up."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.urls import include, path

from core.access import Access, classify
from core.gates import manage_path
from core.routing import walk

URLCONFS = [settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF]


def unclassified(urlconf: str) -> list[str]:
    return [f"{r.name or '(unnamed)'} -> /{r.route}" for r in walk(urlconf) if classify(r) is None]


@pytest.mark.parametrize("urlconf", URLCONFS)
def test_every_route_has_an_access_class(urlconf):
    routes = list(walk(urlconf))
    assert len(routes) >= 30  # the walk really finds the routes
    missing = unclassified(urlconf)
    assert missing == [], (
        f"Routes of {urlconf} without an access class; add each to the table in "
        "platform/core/access.py (PUBLIC, MEMBER, ADMIN, PLATFORM or INTERNAL):\n  "
        + "\n  ".join(missing)
    )


def test_the_portal_urlconf_uses_the_portal_classes():
    classes = Counter(classify(r) for r in walk(settings.ROOT_URLCONF))
    assert classes[Access.PUBLIC] and classes[Access.MEMBER] and classes[Access.ADMIN]
    assert classes[Access.INTERNAL] == 1  # healthz
    assert classes[Access.PLATFORM] == 0  # the console and platform pages are not served here


def test_the_platform_urlconf_has_no_portal_admin_routes():
    classes = Counter(classify(r) for r in walk(settings.PUBLIC_SCHEMA_URLCONF))
    assert classes[Access.ADMIN] == 0
    assert classes[Access.PLATFORM] >= 10
    # healthz, the TLS ask hook, the Stripe webhook
    assert classes[Access.INTERNAL] == 3


def test_routes_behind_the_admin_gate_are_admin_whatever_their_name():
    for route in walk(settings.ROOT_URLCONF):
        if route.is_manage:
            assert classify(route) is Access.ADMIN, route.name


def _view(request):
    return None


urlpatterns = [
    path("known/", _view, name="news:home"),
    path("brand-new/", _view, name="brand_new_endpoint"),
    path("nameless/", _view),
    manage_path("manage/anything/", include([path("", _view, name="no_such_name")])),
]


def test_the_class_check_finds_a_route_the_table_does_not_know():
    assert unclassified(__name__) == [
        "brand_new_endpoint -> /brand-new/",
        "(unnamed) -> /nameless/",
    ]
