"""The same join, or the same invitation accepted, twice at the same moment (a double click,
two tabs): one membership. The first session holds its transaction open; the second waits on
the database (the unique row, or the locked invitation), then finds the first one's row and
returns it. Runs on committed data (two connections) and cleans up after itself."""

from __future__ import annotations

from core.event_types import EventType
from core.models import AuditEvent
from spaces import services
from spaces.models import JoinPolicy, MembershipStatus, Space, SpaceMembership
from tests.accounts.factories import member_of
from tests.concurrency import hold_and_wait
from tests.conftest import in_portal
from tests.spaces.factories import join, space_of


def _cleanup(portal, space, users) -> None:
    with in_portal(portal):
        AuditEvent.objects.filter(actor__in=users).delete()
        AuditEvent.objects.filter(object_type="spaces.space", object_id=str(space.pk)).delete()
        Space.objects.filter(pk=space.pk).delete()
        for user in users:
            user.delete()


def _twice_at_once(portal, work):
    def session():
        with in_portal(portal):
            return work()

    return hold_and_wait(session, session)


def test_the_same_join_twice_at_once_makes_one_membership(committed, portal_b):
    with in_portal(portal_b):
        admin = member_of(portal_b, email="race-space-admin@beta.example")
        joiner = member_of(portal_b, email="race-joiner@beta.example")
        space = space_of(name="Wettlauf", admin=admin, join_policy=JoinPolicy.OPEN)
    try:
        first, second = _twice_at_once(
            portal_b, lambda: services.space_join(user=joiner, space=space)
        )
        assert isinstance(first, SpaceMembership), first
        assert isinstance(second, SpaceMembership), second
        assert first.pk == second.pk
        with in_portal(portal_b):
            assert SpaceMembership.objects.filter(space=space, user=joiner).count() == 1
            assert (
                AuditEvent.objects.filter(
                    event_type=EventType.SPACE_JOINED, object_id=str(space.pk)
                ).count()
                == 1
            )
    finally:
        _cleanup(portal_b, space, [admin, joiner])


def test_the_same_invitation_accepted_twice_at_once_makes_one_membership(committed, portal_b):
    with in_portal(portal_b):
        admin = member_of(portal_b, email="race-inviter@beta.example")
        guest = member_of(portal_b, email="race-guest@beta.example")
        space = space_of(name="Einladungsrennen", admin=admin, join_policy=JoinPolicy.INVITATION)
        join(space, guest, status=MembershipStatus.INVITED)
    try:
        first, second = _twice_at_once(
            portal_b, lambda: services.invitation_accept(user=guest, space=space)
        )
        assert isinstance(first, SpaceMembership) and isinstance(second, SpaceMembership)
        assert first.pk == second.pk and second.status == MembershipStatus.ACTIVE
        with in_portal(portal_b):
            assert SpaceMembership.objects.filter(space=space, user=guest).count() == 1
            assert (
                AuditEvent.objects.filter(
                    event_type=EventType.SPACE_INVITATION_ACCEPTED, object_id=str(space.pk)
                ).count()
                == 1
            )
    finally:
        _cleanup(portal_b, space, [admin, guest])
