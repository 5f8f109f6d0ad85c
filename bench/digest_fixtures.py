"""Fill portals for the digest benchmark fast: provision them from the template, then write
each portal's members, one space and their pending notifications with bulk inserts (a few
statements per portal, committed per portal so that a worker process sees them)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.event_types import EventType
from tenants.services import portal_provision


def bench_portal(index: int):
    return portal_provision(
        name=f"Digest {index}",
        subdomain=f"digest-{index}",
        admin_email=f"admin@digest-{index}.example",
        actor_label="bench",
    ).portal


@transaction.atomic
def fill(portal, *, members: int, per_member: int) -> list[str]:
    """`members` members, each with `per_member` unread daily notifications; their addresses."""
    from accounts.models import User
    from notifications.models import Notification
    from spaces.models import Space

    with tenant_context(portal):
        now = timezone.now()
        users = User.objects.bulk_create(
            User(
                email=f"m{i}@{portal.slug}.example",
                display_name=f"Member {i}",
                password="!",  # noqa: S106 (unusable: nobody logs in)
                date_joined=now,
            )
            for i in range(members)
        )
        space = Space.objects.create(kind="group", name="Bench space", slug="bench-space")
        target_type = ContentType.objects.get_for_model(Space)
        Notification.objects.bulk_create(
            (
                Notification(
                    recipient=user,
                    event_type=EventType.THREAD_CREATED,
                    target_type=target_type,
                    target_id=space.pk,
                    title=f"New discussion {n} in Bench space",
                    excerpt="Shall we meet on Saturday <at the garden>? Bring tools & seeds.",
                    url=space.get_absolute_url(),
                )
                for user in users
                for n in range(per_member)
            ),
            batch_size=5000,
        )
        return [user.email for user in users]
