"""Two administrators, the portal's last two, demote each other at the same moment. The rows
are locked, so the second waits for the first, sees that it is no longer an administrator and
is refused: the portal keeps one. Runs on committed data (the two sessions are separate
connections) and cleans up after itself."""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import connections, transaction

from accounts.models import MemberStatus, Role, User
from core.models import AuditEvent
from members import services
from tests.accounts.factories import UserFactory
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
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_admin_demotes_second():
        try:
            with in_portal(portal_a), transaction.atomic():
                services.member_role_change(member=second, role=Role.MEMBER, actor=first)
                holding.set()
                release.wait(10)  # not committed yet: the other session must wait
            outcome["first"] = "demoted"
        except Exception as exc:  # reported below
            outcome["first"] = exc
        finally:
            holding.set()
            connections.close_all()

    def second_admin_demotes_first():
        try:
            with in_portal(portal_a):
                services.member_role_change(member=first, role=Role.MEMBER, actor=second)
            outcome["second"] = "demoted"
        except Exception as exc:
            outcome["second"] = exc
        finally:
            connections.close_all()

    one = threading.Thread(target=first_admin_demotes_second)
    two = threading.Thread(target=second_admin_demotes_first)
    try:
        one.start()
        assert holding.wait(10)
        two.start()
        two.join(0.5)
        assert two.is_alive(), "the second demotion must wait for the first one's lock"
        release.set()
        one.join(10)
        two.join(10)
        assert outcome["first"] == "demoted", outcome
        assert isinstance(outcome["second"], ValidationError), outcome
        assert _active_admins(portal_a) == [first.pk]
    finally:
        release.set()
        one.join(10)
        two.join(10)
        with in_portal(portal_a):
            ids = [str(first.pk), str(second.pk)]
            AuditEvent.objects.filter(object_type="accounts.user", object_id__in=ids).delete()
            User.objects.filter(pk__in=[first.pk, second.pk]).delete()
            User.objects.filter(pk__in=others).update(role=Role.ADMIN)
    assert _active_admins(portal_a) == others
