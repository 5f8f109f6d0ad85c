"""Every route of the members admin, tried by a visitor (sent to the login page), a member
(403) and the portal's administrator, the positive control, whose request has its effect. A
refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from accounts.models import MembershipPolicy, MemberStatus, Role, User
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # "{pk}" is the target member's id
    admin_status: int
    effect: Callable[[object, User, object], bool]  # (portal, target, admin response)
    target_status: str = MemberStatus.ACTIVE
    data: dict = field(default_factory=dict)


def _state(portal, target: User) -> tuple | None:
    with in_portal(portal):
        row = User.objects.filter(pk=target.pk).values_list("role", "status").first()
    return row


def _shows_target(portal, target, response) -> bool:
    return target.email in response.content.decode()


def _policy_is(registration: str):
    def check(portal, target, response) -> bool:
        with in_portal(portal):
            return MembershipPolicy.objects.filter(registration=registration).exists()

    return check


def _target_is(role: str | None = None, status: str | None = None, gone: bool = False):
    def check(portal, target, response) -> bool:
        state = _state(portal, target)
        if gone:
            return state is None
        return state == (role or target.role, status or target.status)

    return check


ROUTES = {
    "list": Route("get", "/manage/members/", 200, _shows_target),
    "export": Route("get", "/manage/members/export.csv", 200, _shows_target),
    "policy": Route("get", "/manage/members/policy/", 200, lambda p, t, r: b"domains" in r.content),
    "policy-save": Route(
        "post",
        "/manage/members/policy/",
        302,
        _policy_is("approval"),
        data={"registration": "approval", "allowed_domains": ""},
    ),
    "statistics": Route(
        "get", "/manage/members/statistics/", 200, lambda p, t, r: b"<svg" in r.content
    ),
    "detail": Route("get", "/manage/members/{pk}/", 200, _shows_target),
    "role": Route(
        "post",
        "/manage/members/{pk}/role/",
        302,
        _target_is(role=Role.MODERATOR),
        data={"role": "moderator"},
    ),
    "block": Route(
        "post", "/manage/members/{pk}/block/", 302, _target_is(status=MemberStatus.BLOCKED)
    ),
    "unblock": Route(
        "post",
        "/manage/members/{pk}/unblock/",
        302,
        _target_is(status=MemberStatus.ACTIVE),
        target_status=MemberStatus.BLOCKED,
    ),
    "approve": Route(
        "post",
        "/manage/members/{pk}/approve/",
        302,
        _target_is(status=MemberStatus.ACTIVE),
        target_status=MemberStatus.PENDING,
    ),
    "decline": Route(
        "post",
        "/manage/members/{pk}/decline/",
        302,
        _target_is(gone=True),
        target_status=MemberStatus.PENDING,
    ),
}


@pytest.mark.parametrize("name", ROUTES)
def test_visitors_log_in_members_get_403_and_the_admin_gets_through(
    name, portal_a, client_a, admin_browser, english
):
    route = ROUTES[name]
    target = member_of(
        portal_a,
        email=f"target-{name}@alpha.example",
        status=route.target_status,
        is_active=route.target_status == MemberStatus.ACTIVE,
    )
    url = route.path.format(pk=target.pk)
    before = _state(portal_a, target)
    member = logged_in_client(portal_a, member_of(portal_a))

    visitor = getattr(client_a, route.method)(url, route.data)
    assert visitor.status_code == 302
    assert visitor["Location"].startswith("/accounts/login/?next=")
    assert getattr(member, route.method)(url, route.data).status_code == 403
    assert _state(portal_a, target) == before
    assert not _policy_is("approval")(portal_a, target, None)

    allowed = getattr(admin_browser, route.method)(url, route.data)
    assert allowed.status_code == route.admin_status, allowed.content[:300]
    assert route.effect(portal_a, target, allowed)


def test_every_route_of_the_members_admin_is_covered_above():
    from django.urls import get_resolver

    from members import urls

    declared = {p.pattern._route for p in urls.urlpatterns}
    covered = {
        r.path.removeprefix("/manage/members/").replace("{pk}", "<int:pk>") for r in ROUTES.values()
    }
    assert declared == covered
    assert get_resolver().resolve("/manage/members/").url_name == "list"


@pytest.mark.parametrize("action", ["role", "block", "unblock", "approve", "decline"])
def test_the_actions_answer_a_get_with_405_and_change_nothing(
    action, portal_a, admin_browser, member
):
    before = _state(portal_a, member)
    assert admin_browser.get(f"/manage/members/{member.pk}/{action}/").status_code == 405
    assert _state(portal_a, member) == before
