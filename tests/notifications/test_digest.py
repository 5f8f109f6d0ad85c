"""The daily and weekly digest: one mail per member with what they want in it, nothing that
comes at once or not at all, batch by batch, and exactly once even after a crash."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from core.event_types import EventType
from core.models import AuditEvent
from notifications import delivery, services, tasks
from notifications.models import Delivery, Notification
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.notifications.factories import notifications_for
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox = []


def test_digest_holds_the_members_daily_kinds_only(portal_a):
    member = member_of(portal_a, language="en")
    with in_portal(portal_a):
        space = space_of(name="Garden")
        daily = notifications_for(member, space, 2, event_type=EventType.THREAD_CREATED)
        at_once = notifications_for(member, space, 1, event_type=EventType.MEMBER_MENTIONED)
        assert delivery.send_digest("daily") == 1
        assert delivery.send_digest("weekly") == 0
        mailed = set(
            Notification.objects.filter(emailed_at__isnull=False).values_list("pk", flat=True)
        )
    assert mailed == {n.pk for n in daily}
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "2 notifications" in message.subject
    for n in daily:
        assert n.title in message.body
    assert at_once[0].title not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_weekly_and_none_settings_are_respected(portal_a):
    weekly, off, daily = (member_of(portal_a) for _ in range(3))
    with in_portal(portal_a):
        services.notification_settings_update(user=weekly, default=Delivery.WEEKLY, overrides={})
        services.notification_settings_update(user=off, default=Delivery.NONE, overrides={})
        space = space_of()
        for member in (weekly, off, daily):
            notifications_for(member, space, 2)
        assert delivery.send_digest("daily") == 1
        assert delivery.send_digest("weekly") == 1
        assert delivery.send_digest("weekly") == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([daily.email, weekly.email])


def test_digest_walks_members_in_batches(portal_a):
    members = [member_of(portal_a) for _ in range(7)]
    with in_portal(portal_a):
        space = space_of()
        for member in members:
            notifications_for(member, space, 2)
        seen_batches = []
        original = delivery._recipient_batch

        def spy(after, window, size):
            batch = original(after, window, size)
            seen_batches.append(batch)
            return batch

        delivery._recipient_batch = spy
        try:
            assert delivery.send_digest("daily", batch_size=3) == 7
        finally:
            delivery._recipient_batch = original
    assert [len(b) for b in seen_batches] == [3, 3, 1, 0]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)


def test_exactly_one_digest_each_after_a_crash(portal_a, monkeypatch):
    members = [member_of(portal_a) for _ in range(10)]
    with in_portal(portal_a):
        space = space_of()
        for member in members:
            notifications_for(member, space, 3)
        handed = []

        def crashing(message):
            if len(handed) == 5:
                raise ConnectionError("mail server went away")
            handed.append(message)
            message.send()

        monkeypatch.setattr(delivery, "_hand_over", crashing)
        with pytest.raises(ConnectionError):
            delivery.send_digest("daily", batch_size=3)
        assert len(mail.outbox) == 5
        # The crashed member's notifications rolled back with its marker: still pending.
        assert Notification.objects.filter(emailed_at__isnull=True).count() == 5 * 3
        monkeypatch.undo()
        assert delivery.send_digest("daily", batch_size=3) == 5
        assert delivery.send_digest("daily", batch_size=3) == 0
    received = Counter(m.to[0] for m in mail.outbox)
    assert received == Counter({m.email: 1 for m in members})


def test_beat_job_fans_out_to_every_portal(portal_a, portal_b):
    a, b = member_of(portal_a), member_of(portal_b)
    for portal, member in ((portal_a, a), (portal_b, b)):
        with in_portal(portal):
            notifications_for(member, space_of(), 1)
    connection.set_schema_to_public()
    assert tasks.send_digests.delay(frequency="daily") is not None
    assert {m.to[0] for m in mail.outbox} >= {a.email, b.email}
    with in_portal(portal_a):
        audit = AuditEvent.objects.filter(event_type=EventType.DIGEST_SENT).get()
    assert audit.detail == {"frequency": "daily", "mails": 1}


def test_unknown_frequency_is_refused(portal_a):
    with in_portal(portal_a), pytest.raises(ValueError):
        delivery.send_digest("hourly")
