"""Every route of the members admin, invitations included, tried by a visitor (sent to the login
page), a member (403) and the portal's administrator, the positive control, whose request has
its effect. A refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import MembershipPolicy, MemberStatus, Role, User
from members import invitees, services
from members.models import Invitation
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


@dataclass(frozen=True)
class InvitationRoute:
    method: str
    path: str  # "{pk}" is the target invitation's id
    admin_status: int
    effect: Callable[[object, Invitation, object], bool]  # (portal, invitation, admin response)
    data: Callable[[object, User], dict] = lambda portal, admin: {}  # fresh for each request


def _invitation_state(portal) -> list[tuple]:
    with in_portal(portal):
        return list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "email", "revoked_at", "expires_at", "token_hash"
            )
        )


def _invitation(portal, invitation: Invitation) -> Invitation:
    with in_portal(portal):
        return Invitation.objects.get(pk=invitation.pk)


def _csv(portal, admin) -> dict:
    return {"file": SimpleUploadedFile("list.csv", b"email,name\nneu@alpha.example,Neu\n")}


def _confirmation(portal, admin) -> dict:
    with in_portal(portal):
        rows = [invitees.Row(2, "bestaetigt@alpha.example", "Bea", "member")]
        return {"payload": invitees.payload_sign(rows, actor=admin)}


def _exists(email: str):
    def check(portal, invitation, response) -> bool:
        with in_portal(portal):
            return Invitation.objects.filter(email=email).exists()

    return check


INVITATION_ROUTES = {
    "invitations": InvitationRoute(
        "get", "/manage/members/invitations/", 200, lambda p, i, r: i.email in r.text
    ),
    "invitation-new": InvitationRoute(
        "post",
        "/manage/members/invitations/new/",
        302,
        _exists("einzeln@alpha.example"),
        data=lambda portal, admin: {"email": "einzeln@alpha.example", "role": "member"},
    ),
    "invitation-upload": InvitationRoute(
        "post",
        "/manage/members/invitations/upload/",
        200,
        lambda p, i, r: "neu@alpha.example" in r.text and not _exists("neu@alpha.example")(p, i, r),
        data=_csv,
    ),
    "invitation-confirm": InvitationRoute(
        "post",
        "/manage/members/invitations/upload/confirm/",
        200,
        _exists("bestaetigt@alpha.example"),
        data=_confirmation,
    ),
    "invitation-resend": InvitationRoute(
        "post",
        "/manage/members/invitations/{pk}/resend/",
        302,
        lambda p, i, r: _invitation(p, i).expires_at > i.expires_at,
    ),
    "invitation-revoke": InvitationRoute(
        "post",
        "/manage/members/invitations/{pk}/revoke/",
        302,
        lambda p, i, r: _invitation(p, i).revoked_at is not None,
    ),
}


@pytest.mark.parametrize("name", INVITATION_ROUTES)
def test_invitation_pages_send_visitors_to_log_in_members_get_403_the_admin_gets_through(
    name, portal_a, client_a, admin, admin_browser, english
):
    route = INVITATION_ROUTES[name]
    with in_portal(portal_a):
        target = services.invitation_create(email=f"ziel-{name}@alpha.example", actor=admin)
    url = route.path.format(pk=target.pk)
    before = _invitation_state(portal_a)
    member = logged_in_client(portal_a, member_of(portal_a))

    visitor = getattr(client_a, route.method)(url, route.data(portal_a, admin))
    assert visitor.status_code == 302
    assert visitor["Location"].startswith("/accounts/login/?next=")
    assert getattr(member, route.method)(url, route.data(portal_a, admin)).status_code == 403
    assert _invitation_state(portal_a) == before

    allowed = getattr(admin_browser, route.method)(url, route.data(portal_a, admin))
    assert allowed.status_code == route.admin_status, allowed.content[:300]
    assert route.effect(portal_a, target, allowed)


def test_every_route_of_the_members_admin_is_covered_above():
    from django.urls import get_resolver

    from members import urls

    declared = {p.pattern._route for p in urls.urlpatterns}
    covered = {
        r.path.removeprefix("/manage/members/").replace("{pk}", "<int:pk>")
        for r in [*ROUTES.values(), *INVITATION_ROUTES.values()]
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


@pytest.mark.parametrize("path", ["{pk}/resend/", "{pk}/revoke/", "upload/confirm/"])
def test_the_invitation_actions_answer_a_get_with_405_and_change_nothing(
    path, portal_a, admin, admin_browser
):
    with in_portal(portal_a):
        invitation = services.invitation_create(email="get@alpha.example", actor=admin)
    before = _invitation_state(portal_a)
    url = "/manage/members/invitations/" + path.format(pk=invitation.pk)
    assert admin_browser.get(url).status_code == 405
    assert _invitation_state(portal_a) == before
