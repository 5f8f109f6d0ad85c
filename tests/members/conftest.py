"""Members admin fixtures: portal A's administrator (with a client logged in as them) and a way
to make them the portal's only administrator (the provisioned first admin steps down inside the
test's transaction, which is rolled back afterwards)."""

from __future__ import annotations

import pytest

from accounts.models import MemberStatus, Role, User
from core.event_types import EventType
from core.models import AuditEvent
from tests.accounts.factories import admin_of, logged_in_client, member_of
from tests.conftest import in_portal


@pytest.fixture
def admin(db, portal_a) -> User:
    return admin_of(portal_a, display_name="Ada Admin", email="ada@alpha.example")


@pytest.fixture
def admin_browser(portal_a, admin):
    return logged_in_client(portal_a, admin, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def member(db, portal_a) -> User:
    return member_of(portal_a, display_name="Mia Member", email="mia@alpha.example")


@pytest.fixture
def pending(db, portal_a) -> User:
    return member_of(
        portal_a,
        display_name="Paul Pending",
        email="paul@alpha.example",
        status=MemberStatus.PENDING,
        is_active=False,
    )


def only_admin(portal, admin: User) -> None:
    """Make `admin` the one active administrator of `portal` (for this test only)."""
    with in_portal(portal):
        User.objects.filter(role=Role.ADMIN).exclude(pk=admin.pk).update(role=Role.MEMBER)


def audit_rows(portal, event_type: EventType, member: User) -> list[AuditEvent]:
    with in_portal(portal):
        return list(
            AuditEvent.objects.filter(
                event_type=event_type, object_type="accounts.user", object_id=str(member.pk)
            ).select_related("actor")
        )


def refreshed(portal, user: User) -> User:
    with in_portal(portal):
        user.refresh_from_db()
    return user
