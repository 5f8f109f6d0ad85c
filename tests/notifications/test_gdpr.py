"""Data rights: a member's notifications, follows and settings are exported and erased; a
notification they caused stays with its recipient, without them as the actor."""

from __future__ import annotations

import pytest

from core import gdpr
from core.event_types import EventType
from notifications import services
from notifications.models import Follow, Notification, NotificationSetting
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.notifications.factories import notification_for
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


def _entry(model):
    return next(e for e in gdpr.entries() if e.model is model)


def test_export_and_erase(portal_a):
    member, other = member_of(portal_a), member_of(portal_a)
    with in_portal(portal_a):
        space = space_of()
        notification_for(member, space, title="For me")
        caused = services.notify(
            event_type=EventType.THREAD_CREATED,
            actor=member,
            target=space,
            recipients=[other],
            title="By me",
        )[0]
        services.follow(user=member, target=space)
        services.notification_settings_update(user=member, default="weekly", overrides={})

        assert [r["title"] for r in _entry(Notification).exporter(member)] == ["For me"]
        assert _entry(Follow).exporter(member)[0]["target_type"] == "spaces.space"
        assert _entry(NotificationSetting).exporter(member) == [
            {"event_type": "*", "delivery": "weekly"}
        ]

        for model in (Notification, Follow, NotificationSetting):
            _entry(model).eraser(member, keep_content=False)
        assert not Notification.objects.filter(recipient=member).exists()
        assert not Follow.objects.filter(user=member).exists()
        assert not NotificationSetting.objects.filter(user=member).exists()
        caused.refresh_from_db()
        assert caused.actor is None and caused.recipient_id == other.pk
