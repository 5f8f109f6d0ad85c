"""notify and its rules (actor, visibility, duplicates), following, settings and unsubscribing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.event_types import EventType
from core.models import AuditEvent
from notifications import selectors, services
from notifications.models import Delivery, Follow, Notification, NotificationSetting
from spaces.models import SpaceVisibility
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


def _notify(actor, target, recipients):
    return services.notify(
        event_type=EventType.THREAD_CREATED,
        actor=actor,
        target=target,
        recipients=recipients,
        title="A new discussion",
    )


def test_notify_tells_each_recipient_once_and_never_the_actor(portal_a):
    actor, anna, ben = (member_of(portal_a) for _ in range(3))
    with in_portal(portal_a):
        space = space_of(name="Garden")
        made = _notify(actor, space, [anna, ben, anna, actor])
        assert sorted(n.recipient_id for n in made) == sorted([anna.pk, ben.pk])
        assert Notification.objects.filter(recipient=actor).count() == 0
        assert Notification.objects.get(recipient=anna).url == space.get_absolute_url()


def test_recipient_who_cannot_see_the_target_gets_nothing(portal_a):
    actor, insider, outsider = (member_of(portal_a) for _ in range(3))
    with in_portal(portal_a):
        secret = space_of(visibility=SpaceVisibility.PRIVATE, members=[actor, insider])
        made = _notify(actor, secret, [insider, outsider])
        assert [n.recipient_id for n in made] == [insider.pk]  # positive control: insider is told
        assert not Notification.objects.filter(recipient=outsider).exists()


def test_inactive_recipient_gets_nothing(portal_a):
    actor, gone = member_of(portal_a), member_of(portal_a, is_active=False)
    with in_portal(portal_a):
        assert _notify(actor, space_of(), [gone]) == []


def test_notify_followers_reaches_followers_and_extra_recipients(portal_a):
    actor, follower, mentioned, bystander = (member_of(portal_a) for _ in range(4))
    with in_portal(portal_a):
        space = space_of()
        services.follow(user=follower, target=space)
        made = services.notify_followers(
            event_type=EventType.THREAD_CREATED,
            actor=actor,
            target=space,
            title="New",
            also=[mentioned],
        )
        assert {n.recipient_id for n in made} == {follower.pk, mentioned.pk}
        assert not Notification.objects.filter(recipient=bystander).exists()


def test_follow_and_unfollow_are_idempotent(portal_a):
    member = member_of(portal_a)
    with in_portal(portal_a):
        space = space_of()
        services.follow(user=member, target=space)
        services.follow(user=member, target=space)
        assert Follow.objects.filter(user=member).count() == 1
        assert services.is_following(user=member, target=space)
        services.unfollow(user=member, target=space)
        services.unfollow(user=member, target=space)
        assert not services.is_following(user=member, target=space)


def test_defaults_mentions_and_replies_at_once_the_rest_daily(portal_a):
    member = member_of(portal_a)
    with in_portal(portal_a):
        assert selectors.delivery_of(user=member, event_type=EventType.MEMBER_MENTIONED) == (
            Delivery.IMMEDIATE
        )
        assert selectors.delivery_of(user=member, event_type=EventType.COMMENT_REPLIED) == (
            Delivery.IMMEDIATE
        )
        assert selectors.delivery_of(user=member, event_type=EventType.THREAD_CREATED) == (
            Delivery.DAILY
        )


def test_settings_update_stores_default_and_overrides_and_audits(portal_a):
    member = member_of(portal_a)
    with in_portal(portal_a):
        services.notification_settings_update(
            user=member,
            default=Delivery.WEEKLY,
            overrides={EventType.MEMBER_MENTIONED: Delivery.IMMEDIATE, EventType.SPACE_INVITED: ""},
        )
        assert selectors.delivery_of(user=member, event_type=EventType.THREAD_CREATED) == "weekly"
        assert selectors.delivery_of(user=member, event_type=EventType.MEMBER_MENTIONED) == (
            "immediate"
        )
        # Saved once, the built-in override no longer applies: a reply follows the default.
        assert selectors.delivery_of(user=member, event_type=EventType.COMMENT_REPLIED) == "weekly"
        assert AuditEvent.objects.filter(
            event_type=EventType.NOTIFICATION_SETTINGS_CHANGED, actor=member
        ).exists()


def test_settings_update_refuses_unknown_delivery_and_kinds_and_keeps_old_rows(portal_a):
    member = member_of(portal_a)
    with in_portal(portal_a):
        services.notification_settings_update(user=member, default="daily", overrides={})
        with pytest.raises(ValidationError):
            services.notification_settings_update(user=member, default="hourly", overrides={})
        with pytest.raises(ValidationError):
            services.notification_settings_update(
                user=member, default="daily", overrides={EventType.PORTAL_SUSPENDED: "none"}
            )
        assert list(NotificationSetting.objects.filter(user=member).values_list("delivery")) == [
            ("daily",)
        ]


def test_unsubscribe_turns_every_kind_off(portal_a):
    member = member_of(portal_a)
    with in_portal(portal_a):
        services.notification_settings_update(
            user=member, default="daily", overrides={EventType.MEMBER_MENTIONED: "immediate"}
        )
        services.notifications_unsubscribe(user=member)
        for event_type in selectors.CONFIGURABLE_TYPES:
            assert selectors.delivery_of(user=member, event_type=event_type) == Delivery.NONE
        assert AuditEvent.objects.filter(
            event_type=EventType.NOTIFICATIONS_UNSUBSCRIBED, actor=member
        ).exists()


@pytest.mark.parametrize("target_kind", ["space", "thread"])
def test_telling_many_followers_costs_the_queries_of_telling_a_few(portal_b, target_kind):
    """The visibility of every recipient is checked in batches, not one query each: a comment
    in a space with many followers must not slow the request that writes it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from discussions.models import Thread

    def queries_for(followers: int) -> tuple[int, int]:
        with in_portal(portal_b):
            actor = member_of(portal_b)
            people = [member_of(portal_b) for _ in range(followers)]
            outsider = member_of(portal_b)
            space = space_of(visibility=SpaceVisibility.PRIVATE, admin=actor, members=people)
            target = space
            if target_kind == "thread":
                target = Thread.objects.create(space=space, title="T", body="B", author=actor)
            for person in [*people, outsider]:
                services.follow(user=person, target=target)
            with CaptureQueriesContext(connection) as seen:
                made = services.notify_followers(
                    event_type=EventType.THREAD_CREATED, actor=actor, target=target, title="Neu"
                )
        # The outsider follows but may not see the private space: told nothing.
        assert len(made) == followers
        return len(seen), len(made)

    queries_for(3)  # warms the module cache (features) the selectors read
    few, _ = queries_for(3)
    many, _ = queries_for(40)
    assert many == few, (few, many)
