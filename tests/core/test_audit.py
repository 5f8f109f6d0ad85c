"""The one audit log: rows land in the schema of whoever acted, name a real person or a named
system actor, speak only of events in the enum, and keep which portal they were about."""

from __future__ import annotations

import pytest

from core.event_types import EventType
from core.models import AuditEvent
from core.services import audit_record
from tenants.services import portal_archive, portal_purge
from tests.accounts.factories import member_of, staff_user
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


def test_a_members_action_is_in_their_portals_log_and_not_in_the_public_one(portal_a):
    member = member_of(portal_a)
    with in_portal(portal_a):
        audit_record(
            event_type=EventType.POST_PUBLISHED, actor=member, portal=portal_a, object_id=7
        )
        row = AuditEvent.objects.get(event_type=EventType.POST_PUBLISHED)
        assert row.actor == member and row.who == str(member)
        assert row.portal_id is None  # inside a portal its schema is the portal
    assert not AuditEvent.objects.filter(event_type=EventType.POST_PUBLISHED).exists()


def test_an_account_of_another_schema_is_refused_as_actor(portal_a, portal_b):
    stranger = member_of(portal_b)
    with in_portal(portal_a), pytest.raises(ValueError, match="account of schema"):
        audit_record(event_type=EventType.POST_PUBLISHED, actor=stranger)
    with pytest.raises(ValueError, match="schema"):
        audit_record(event_type=EventType.PORTAL_SUSPENDED, actor=stranger, portal=portal_b)
    # Positive control: an operator (an account of public) acting in public is recorded.
    operator = staff_user()
    row = audit_record(event_type=EventType.PORTAL_SUSPENDED, actor=operator, portal=portal_b)
    assert row.actor == operator and row.portal == portal_b and row.portal_name == "Portal Beta"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"event_type": "portal.teleported", "actor_label": "x"}, ValueError),
        ({"event_type": EventType.PORTAL_SUSPENDED}, ValueError),
        ({"event_type": EventType.PORTAL_SUSPENDED, "actor": "ops@example.org"}, TypeError),
    ],
)
def test_rows_that_would_say_nothing_or_the_wrong_thing_are_refused(arguments, error):
    before = AuditEvent.objects.count()
    with pytest.raises(error):
        audit_record(**arguments)
    assert AuditEvent.objects.count() == before


def test_a_purged_portals_rows_survive_with_its_name(portal_a, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from tenants.models import Portal
    from tenants.services import portal_provision

    doomed = portal_provision(
        name="Kurzlebig", subdomain="kurzlebig", admin_email="a@kurz.example", actor_label="tests"
    ).portal
    portal_archive(portal=doomed, grace_days=0)
    Portal.objects.filter(pk=doomed.pk).update(purge_after=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        portal_purge(portal=Portal.objects.get(pk=doomed.pk))

    rows = AuditEvent.objects.filter(portal_name="Kurzlebig").order_by("pk")
    assert [r.event_type for r in rows] == [
        "portal.provisioned",
        "portal.archived",
        "portal.purged",
    ]
    assert all(r.portal_id is None and r.actor_label for r in rows)


def test_event_values_are_unique_namespaced_and_labelled():
    values = [e.value for e in EventType]
    assert len(values) == len(set(values))
    assert all(v.count(".") == 1 and v == v.lower() for v in values)
    assert all(str(e.label) for e in EventType)
