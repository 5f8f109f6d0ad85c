"""Two administrators, the portal's last two, demote each other at the same moment. The rows
are locked, so the second waits for the first, sees that it is no longer an administrator and
is refused: the portal keeps one. Runs on committed data (the two sessions are separate
connections) and cleans up after itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import MemberStatus, Role, User
from core.models import AuditEvent
from members import services
from tests.accounts.factories import UserFactory
from tests.concurrency import hold_and_wait
from tests.conftest import in_portal


def _active_admins(portal) -> list[int]:
    with in_portal(portal):
        return sorted(
            User.objects.filter(
                role=Role.ADMIN, status=MemberStatus.ACTIVE, is_active=True
            ).values_list("pk", flat=True)
        )


def test_the_last_two_admins_demoting_each_other_at_once_leave_one_admin(committed, portal_a):
    others = _active_admins(portal_a)
    with in_portal(portal_a):
        User.objects.filter(pk__in=others).update(role=Role.MEMBER)
        first = UserFactory(role=Role.ADMIN, email="first-race@alpha.example")
        second = UserFactory(role=Role.ADMIN, email="second-race@alpha.example")

    def first_admin_demotes_second():
        with in_portal(portal_a):
            services.member_role_change(member=second, role=Role.MEMBER, actor=first)
        return "demoted"

    def second_admin_demotes_first():
        with in_portal(portal_a):
            services.member_role_change(member=first, role=Role.MEMBER, actor=second)
        return "demoted"

    try:
        one, two = hold_and_wait(first_admin_demotes_second, second_admin_demotes_first)
        assert one == "demoted", one
        assert isinstance(two, ValidationError), two
        assert _active_admins(portal_a) == [first.pk]
    finally:
        with in_portal(portal_a):
            ids = [str(first.pk), str(second.pk)]
            AuditEvent.objects.filter(object_type="accounts.user", object_id__in=ids).delete()
            User.objects.filter(pk__in=[first.pk, second.pk]).delete()
            User.objects.filter(pk__in=others).update(role=Role.ADMIN)
    assert _active_admins(portal_a) == others
