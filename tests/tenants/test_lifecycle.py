"""Suspend, resume, archive, restore and purge: allowed transitions, refused ones, audit events,
and the nightly purge that removes schema, domains, row and files only after the grace period."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import schema_exists

from core.event_types import EventType
from core.models import AuditEvent
from tenants import tasks
from tenants.models import Domain, Portal, PortalStatus
from tenants.services import (
    portal_archive,
    portal_provision,
    portal_purge,
    portal_restore,
    portal_resume,
    portal_suspend,
)
from tenants.storage import portal_media_root
from tests.accounts.factories import admin_of, staff_user

pytestmark = pytest.mark.django_db


def _new_portal(subdomain: str = "zyklus") -> Portal:
    return portal_provision(
        name=f"Portal {subdomain}", subdomain=subdomain, admin_email=f"chef@{subdomain}.example"
    ).portal


def _events(portal: Portal):
    """The portal's rows in the public audit log, oldest first."""
    return AuditEvent.objects.filter(
        object_type="tenants.portal", object_id=str(portal.pk)
    ).order_by("created_at", "pk")


def _types(portal: Portal) -> list[str]:
    return list(_events(portal).values_list("event_type", flat=True))


def _with_file(portal: Portal) -> Path:
    folder = portal_media_root(portal) / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bild.png").write_bytes(b"png")
    return portal_media_root(portal)


def test_suspend_resume_archive_restore_change_status_and_write_audit_events():
    portal = _new_portal()
    operator = staff_user()

    suspended = portal_suspend(portal=portal, actor=operator, reason="Rechnung offen")
    assert (suspended.status, suspended.status_reason) == (PortalStatus.SUSPENDED, "Rechnung offen")
    resumed = portal_resume(portal=portal, actor=operator)
    assert (resumed.status, resumed.status_reason) == (PortalStatus.ACTIVE, "")

    before = timezone.now()
    archived = portal_archive(portal=portal, actor=operator, grace_days=7)
    assert archived.status == PortalStatus.ARCHIVED
    assert archived.archived_at >= before
    assert archived.purge_after - archived.archived_at == timedelta(days=7)

    restored = portal_restore(portal=portal, actor=operator)
    assert (restored.status, restored.archived_at, restored.purge_after) == (
        PortalStatus.ACTIVE,
        None,
        None,
    )
    assert Portal.objects.get(pk=portal.pk).status == PortalStatus.ACTIVE

    events = list(_events(portal))
    assert [(e.event_type, e.actor_id, e.actor_label) for e in events] == [
        (EventType.PORTAL_PROVISIONED, None, "platform"),
        (EventType.PORTAL_SUSPENDED, operator.pk, ""),
        (EventType.PORTAL_RESUMED, operator.pk, ""),
        (EventType.PORTAL_ARCHIVED, operator.pk, ""),
        (EventType.PORTAL_RESTORED, operator.pk, ""),
    ]
    for event in events:
        assert (event.portal_id, event.portal_name, event.object_label) == (
            portal.pk,
            portal.name,
            portal.name,
        )
    assert events[1].detail == {"reason": "Rechnung offen"}
    assert events[3].detail == {"purge_after": archived.purge_after.isoformat()}


def test_without_an_operator_the_platform_is_the_actor():
    portal = _new_portal()

    portal_suspend(portal=portal)
    portal_resume(portal=portal)

    assert [(e.event_type, e.actor_id, e.actor_label) for e in _events(portal)[1:]] == [
        (EventType.PORTAL_SUSPENDED, None, "platform"),
        (EventType.PORTAL_RESUMED, None, "platform"),
    ]


def test_a_portal_member_is_never_recorded_as_the_operator_and_nothing_changes(portal_a):
    # An administrator of portal A is an account of A's schema: in public, where operator
    # actions are recorded, their id would name someone else.
    member = admin_of(portal_a)
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValueError, match="actor is an account of schema"):
        portal_suspend(portal=portal_a, actor=member)

    assert Portal.objects.get(pk=portal_a.pk).status == PortalStatus.ACTIVE
    assert AuditEvent.objects.count() == events_before


def test_a_suspended_portal_can_be_archived_with_the_default_grace_period(settings):
    settings.PORTAL_PURGE_GRACE_DAYS = 30
    portal = _new_portal()
    portal_suspend(portal=portal)

    archived = portal_archive(portal=portal)

    assert archived.status == PortalStatus.ARCHIVED
    assert archived.purge_after - archived.archived_at == timedelta(days=30)


@pytest.mark.parametrize(
    ("setup", "operation", "message"),
    [
        ([], portal_resume, "Cannot resume"),
        ([], portal_restore, "Cannot restore"),
        ([portal_suspend], portal_suspend, "Cannot suspend"),
        ([portal_suspend], portal_restore, "Cannot restore"),
        ([portal_archive], portal_archive, "Cannot delete"),
        ([portal_archive], portal_suspend, "Cannot suspend"),
        ([portal_archive], portal_resume, "Cannot resume"),
    ],
)
def test_refused_transitions_raise_and_change_nothing(setup, operation, message):
    portal = _new_portal()
    for step in setup:
        step(portal=portal)
    status_before = Portal.objects.get(pk=portal.pk).status
    events_before = _types(portal)

    with pytest.raises(ValidationError, match=message):
        operation(portal=portal)

    assert Portal.objects.get(pk=portal.pk).status == status_before
    assert _types(portal) == events_before


def test_purge_is_refused_during_the_grace_period_and_for_live_portals():
    portal = _new_portal()
    with pytest.raises(ValidationError, match="Cannot purge"):
        portal_purge(portal=portal)
    portal_archive(portal=portal, grace_days=3)
    with pytest.raises(ValidationError, match="grace period"):
        portal_purge(portal=portal)
    assert schema_exists(portal.schema_name)
    assert Portal.objects.filter(pk=portal.pk).exists()
    assert EventType.PORTAL_PURGED not in _types(portal)


def test_beat_task_purges_archived_portals_past_their_grace_period_only(
    django_capture_on_commit_callbacks,
):
    due = _new_portal("faellig")
    waiting = _new_portal("wartend")
    live = _new_portal("lebendig")
    due_media, waiting_media = _with_file(due), _with_file(waiting)
    portal_archive(portal=due)
    Portal.objects.filter(pk=due.pk).update(purge_after=timezone.now() - timedelta(minutes=1))
    portal_archive(portal=waiting, grace_days=1)

    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = tasks.purge_due_portals.apply()
            # Files go only once the database side is committed.
            assert due_media.exists()

        assert result.get() == [due.schema_name]
        assert not Portal.objects.filter(pk=due.pk).exists()
        assert not Domain.objects.filter(domain="faellig.localhost").exists()
        assert not schema_exists(due.schema_name)
        assert not due_media.exists()
        # The purged portal's rows survive it: no portal any more, but its name and id.
        rows = list(_events(due))
        assert [e.event_type for e in rows] == [
            EventType.PORTAL_PROVISIONED,
            EventType.PORTAL_ARCHIVED,
            EventType.PORTAL_PURGED,
        ]
        assert {(e.portal_id, e.portal_name) for e in rows} == {(None, due.name)}
        purged = rows[-1]
        assert (purged.actor_id, purged.actor_label) == (None, "platform")
        assert purged.detail == {"schema": due.schema_name}
        assert AuditEvent.objects.filter(portal=waiting).count() == 2

        for kept, media in ((waiting, waiting_media), (live, None)):
            assert Portal.objects.filter(pk=kept.pk).exists()
            assert schema_exists(kept.schema_name)
            assert Domain.objects.filter(tenant=kept).exists()
            assert media is None or media.exists()
    finally:
        for media in (due_media, waiting_media):
            shutil.rmtree(media, ignore_errors=True)


def test_purge_command_reports_what_it_purged(django_capture_on_commit_callbacks):
    portal = _new_portal("weg")
    portal_archive(portal=portal, grace_days=0)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_portals", stdout=out)

    assert f"Purged 1 portal(s): {portal.schema_name}." in out.getvalue()
    assert not schema_exists(portal.schema_name)


def test_delete_portal_command_archives_and_restore_undoes_it():
    portal = _new_portal("loeschbar")
    out = io.StringIO()

    call_command("delete_portal", "loeschbar", "--grace-days", "10", stdout=out)

    archived = Portal.objects.get(pk=portal.pk)
    assert archived.status == PortalStatus.ARCHIVED
    assert archived.purge_after - archived.archived_at == timedelta(days=10)
    assert "is offline and will be purged after" in out.getvalue()
    assert schema_exists(portal.schema_name)

    out = io.StringIO()
    call_command("delete_portal", "LOESCHBAR", "--restore", stdout=out)

    assert Portal.objects.get(pk=portal.pk).status == PortalStatus.ACTIVE
    assert "Restored" in out.getvalue()
    assert [(e.event_type, e.actor_label) for e in _events(portal)[1:]] == [
        (EventType.PORTAL_ARCHIVED, "platform"),
        (EventType.PORTAL_RESTORED, "platform"),
    ]


def test_delete_portal_command_refuses_unknown_and_wrong_state_with_exit_code_2():
    _new_portal("aktiv")
    with pytest.raises(CommandError) as excinfo:
        call_command("delete_portal", "gibtsnicht")
    assert excinfo.value.returncode == 2
    assert "No portal with subdomain “gibtsnicht”" in str(excinfo.value)

    with pytest.raises(CommandError) as excinfo:
        call_command("delete_portal", "aktiv", "--restore")
    assert excinfo.value.returncode == 2
    assert "Cannot restore" in str(excinfo.value)
    assert Portal.objects.get(slug="aktiv").status == PortalStatus.ACTIVE
