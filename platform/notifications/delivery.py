"""Mail delivery of notifications: at once (one mail per notification) or in a daily or weekly
digest (one mail per member), as each member set it (notifications.selectors.effective_delivery).

`deliver_on_commit(ids)` is called by `services.notify`; it only queues a task after the
caller's commit and never fails the caller's write (a broker error is logged).

Exactly once: each mail is handed to the mail server inside the transaction that sets
`emailed_at` on what it carries and writes its themes.SentMail marker (a digest of the portal,
the member and the notification ids). A run that crashes rolls its current mail back and leaves
the rest pending; the next run, or the redelivered task, sends only what is still pending. Rows
are claimed by the UPDATE that marks them, so of two runs at once the second waits for the
first's commit and then finds nothing left to send. The
remaining window is themes.mail's: a worker that dies after the server took the mail but
before the commit sends that one mail again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Delivery, Notification
from notifications.selectors import digest_window_start, effective_delivery, stored_settings

logger = logging.getLogger(__name__)

IMMEDIATE_TEMPLATE = "notifications/email/notification"
DIGEST_TEMPLATE = "notifications/email/digest"
DIGEST_BATCH = 500  # recipients per batch: three queries fetch everything a batch mails
DIGEST_SHOWN = 50  # items listed in one digest; the rest is counted and linked


def deliver_on_commit(notification_ids: list[int]) -> None:
    """Queue mail delivery of these notifications once the current transaction commits."""
    if not notification_ids:
        return
    schema = getattr(connection, "schema_name", None)
    ids = list(notification_ids)

    def send() -> None:
        from tenants.celery import PORTAL_HEADER, _task_by_name

        _task_by_name("notifications.tasks.send_immediate").apply_async(
            kwargs={"notification_ids": ids}, headers={PORTAL_HEADER: schema}
        )

    # robust: the notifications are stored and show in the bell whatever the broker says.
    transaction.on_commit(send, robust=True)


def _hand_over(message) -> None:
    """Give one mail to the mail server (the seam tests use to simulate a crash)."""
    message.send()


def _marker_key(kind: str, user_id: int, ids: Iterable[int]) -> str:
    schema = getattr(connection, "schema_name", "")
    joined = ",".join(str(pk) for pk in sorted(ids))
    return hashlib.sha256(f"notifications:{schema}:{kind}:{user_id}:{joined}".encode()).hexdigest()


def _send_marked(*, kind: str, user, ids: list[int], build: Callable[[list[int]], object]) -> bool:
    """Send the mail `build(claimed_ids)` and mark those notifications mailed, in one
    transaction. False if nothing was left to send (another run took it, or it went before).

    One cursor, two statements: the digest sends one of these per member, and every ORM query
    would open a cursor of its own (each with its `SET search_path`).
    """
    from themes.models import SentMail

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        # Claims and marks at once; a concurrent run waits on these row locks, then finds
        # the rows mailed and takes nothing.
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} SET emailed_at = %s "
            "WHERE id = ANY(%s) AND emailed_at IS NULL RETURNING id",
            [now, list(ids)],
        )
        claimed = sorted(row[0] for row in cursor.fetchall())
        if not claimed:
            return False
        cursor.execute(
            f"INSERT INTO {SentMail._meta.db_table} (key, sent_at) VALUES (%s, %s) "
            "ON CONFLICT (key) DO NOTHING RETURNING id",
            [_marker_key(kind, user.pk, claimed), now],
        )
        created = cursor.fetchone() is not None
        if created:
            _hand_over(build(claimed))
    return created


def _absolute(base: dict, url: str) -> str:
    # Stored URLs are local paths (services.notify); anything else is left out of the mail.
    if url.startswith("/") and not url.startswith("//"):
        return base["portal_url"].rstrip("/") + url
    return base["portal_url"]


def send_immediate(notification_ids: list[int]) -> int:
    """Mail each of these notifications whose recipient wants that kind at once; returns how
    many mails went out."""
    from django.urls import reverse

    from notifications.mail import build_mail, themed_context

    pending = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    stored = stored_settings(user_ids={n.recipient_id for n in pending})
    pending = [
        n
        for n in pending
        if n.recipient.is_active
        and n.recipient.email
        and effective_delivery(stored.get(n.recipient_id, {}), n.event_type) == Delivery.IMMEDIATE
    ]
    if not pending:
        return 0
    base = themed_context()
    list_url = _absolute(base, reverse("notifications:list"))
    sent = 0
    with get_connection() as mail_connection:
        for notification in pending:
            user = notification.recipient
            context = {
                "notification": notification,
                "notification_url": _absolute(base, notification.url),
                "list_url": list_url,
            }
            sent += _send_marked(
                kind="immediate",
                user=user,
                ids=[notification.pk],
                build=lambda _claimed, user=user, context=context: build_mail(
                    base=base,
                    user=user,
                    template=IMMEDIATE_TEMPLATE,
                    context=context,
                    connection=mail_connection,
                ),
            )
    return sent


def _recipient_batch(after: int, window, size: int) -> list[int]:
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True, recipient_id__gt=after, created_at__gte=window
        )
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()[:size]
    )


def send_digest(frequency: str, *, batch_size: int = DIGEST_BATCH) -> int:
    """Mail every member of this portal whose pending notifications include kinds they want
    `frequency` ("daily" or "weekly") one digest of them; returns how many digests went out.

    Walks recipients by id in batches (keyset), so memory stays that of one batch whatever
    the portal's size. A member whose delivery for a kind is "none" or "immediate" finds those
    kinds left out; they stay in the portal's list.
    """
    from django.urls import reverse

    from accounts.models import User
    from notifications.mail import themed_context

    if frequency not in (Delivery.DAILY, Delivery.WEEKLY):
        raise ValueError(f"A digest is daily or weekly, not {frequency!r}.")
    window = digest_window_start()
    base = None
    sent = 0
    after = 0
    with get_connection() as mail_connection:
        while batch := _recipient_batch(after, window, batch_size):
            after = batch[-1]
            users = {
                user.pk: user
                for user in User.objects.filter(pk__in=batch, is_active=True).only(
                    "pk", "email", "display_name", "language", "is_active"
                )
            }
            stored = stored_settings(user_ids=users)
            wanted: dict[int, list[Notification]] = {}
            rows = (
                Notification.objects.filter(
                    recipient_id__in=list(users), emailed_at__isnull=True, created_at__gte=window
                )
                .only("pk", "recipient_id", "event_type", "title", "excerpt", "url", "created_at")
                .order_by("recipient_id", "-created_at", "-pk")
            )
            for row in rows:
                settings = stored.get(row.recipient_id, {})
                if effective_delivery(settings, row.event_type) == frequency:
                    wanted.setdefault(row.recipient_id, []).append(row)
            if wanted and base is None:
                base = themed_context()
                links = {
                    "list_url": _absolute(base, reverse("notifications:list")),
                    "settings_url": _absolute(base, reverse("notifications:settings")),
                }
            for user_id, items in wanted.items():
                user = users[user_id]
                if not user.email:
                    continue
                sent += _send_marked(
                    kind=frequency,
                    user=user,
                    ids=[item.pk for item in items],
                    build=partial(
                        _build_digest,
                        base=base,
                        links=links,
                        user=user,
                        items=items,
                        frequency=frequency,
                        connection=mail_connection,
                    ),
                )
    return sent


def _build_digest(claimed, *, base, links, user, items, frequency, connection):
    from notifications.mail import build_mail

    return build_mail(
        base=base,
        user=user,
        template=DIGEST_TEMPLATE,
        context=_digest_context(base, links, items, claimed, frequency),
        connection=connection,
    )


def _digest_context(base, links, items, claimed, frequency) -> dict:
    claimed_ids = set(claimed)
    items = [item for item in items if item.pk in claimed_ids]
    shown = [
        {"notification": item, "url": _absolute(base, item.url)} for item in items[:DIGEST_SHOWN]
    ]
    return {
        "items": shown,
        "count": len(items),
        "more": len(items) - len(shown),
        "weekly": frequency == Delivery.WEEKLY,
        **links,
    }
