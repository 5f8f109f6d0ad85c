"""Mail delivery of notifications (at once, or left for the digest): owned by this app.

`deliver_on_commit(ids)` is called by `services.notify`; it must not fail the caller's write.
"""

from __future__ import annotations


def deliver_on_commit(notification_ids: list[int]) -> None:
    """Placeholder until mail delivery lands: notifications show in the bell only."""
