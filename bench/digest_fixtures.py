"""Fill portals for the digest benchmark fast: each portal's members, one space and their
pending notifications with bulk inserts (a few statements per portal, committed per portal so
that a worker process sees them). The portals come from bench.fleet_data; `unfill` removes what
`fill` wrote, so a kept database can be filled again."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.event_types import EventType

SPACE_SLUG = "bench-space"


@transaction.atomic
def unfill(portal) -> None:
    """Remove the members and the space `fill` wrote (their notifications go with them)."""
    from accounts.models import User
    from spaces.models import Space

    with tenant_context(portal):
        User.objects.filter(email__regex=r"^m[0-9]+@").delete()
        Space.objects.filter(slug=SPACE_SLUG).delete()


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
        space = Space.objects.create(kind="group", name="Bench space", slug=SPACE_SLUG)
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
