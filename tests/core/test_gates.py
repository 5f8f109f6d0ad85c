"""The admin gate, tried on every route under /manage/ that the portal URLconf declares: a
visitor is sent to the login page, a member gets 403, the portal's admin gets through (the
positive control that proves the route exists). And the admin navigation comes from the same
declarations."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from core.routing import walk
from tests.accounts.factories import admin_of, logged_in_client, member_of
from tests.conftest import host_of
from tests.features.conftest import set_feature

pytestmark = pytest.mark.django_db
SAMPLES = {"int": "1", "slug": "cancel", "str": "x", "path": "x"}


def _manage_urls() -> list[str]:
    urls = set()
    for route in walk(settings.ROOT_URLCONF):
        if route.is_manage:
            url = re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], route.route)
            urls.add("/" + url)
    return sorted(urls)


def test_the_walk_finds_every_admin_area():
    roots = {"/manage/features/", "/manage/theme/", "/manage/billing/", "/manage/domains/"}
    assert roots <= set(_manage_urls())


def test_only_the_portals_admins_get_through_on_every_admin_route(portal_b, client_b):
    set_feature(portal_b, "own_domain", True)
    member = logged_in_client(portal_b, member_of(portal_b))
    admin = logged_in_client(portal_b, admin_of(portal_b))
    checked = 0
    for url in _manage_urls():
        visitor = client_b.get(url)
        assert visitor.status_code == 302, url
        assert visitor["Location"].startswith("/accounts/login/?next="), url
        assert member.get(url).status_code == 403, url
        assert member.post(url).status_code == 403, url
        # Positive control: the admin is let through (the page, or the view's own answer to a
        # sample argument: 404 for an unknown version, 405 for a POST-only action).
        allowed = admin.get(url)
        assert allowed.status_code in (200, 302, 404, 405), (url, allowed.status_code)
        if allowed.status_code == 302:
            assert "/accounts/login/" not in allowed["Location"], url
        checked += 1
    assert checked >= 10


def _nav_links(client) -> list[str]:
    page = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="[^"]+">(.*?)</nav>', page, re.S).group(1)
    return re.findall(r'href="(/manage/[^"]*)"', nav)


def test_the_admin_navigation_lists_the_admin_areas_the_portal_has(portal_b):
    admin = logged_in_client(portal_b, admin_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    member = logged_in_client(portal_b, member_of(portal_b))

    set_feature(portal_b, "own_domain", True)
    assert _nav_links(admin) == [
        "/manage/features/",
        "/manage/members/",
        "/manage/proposals/",
        "/manage/events/",
        "/manage/map/",
        "/manage/theme/",
        "/manage/billing/",
        "/manage/domains/",
    ]
    set_feature(portal_b, "own_domain", False)
    assert "/manage/domains/" not in _nav_links(admin)
    assert _nav_links(member) == []
    assert host_of(portal_b) in admin.defaults["HTTP_HOST"]
