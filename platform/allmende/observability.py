"""Error reporting: Sentry, with every event tagged with the portal it happened in.

Only initialised when SENTRY_DSN is set. The portal tag comes from tenants.context, which the
routing middleware and the Celery task base class keep current, so events from requests, tasks
and management commands all carry it.
"""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def tag_event_with_portal(event: dict, hint: dict) -> dict:
    from tenants.context import current_portal_label

    event.setdefault("tags", {})["portal"] = current_portal_label()
    return event


def init_sentry(dsn: str, *, environment: str, transport=None) -> None:
    options = {
        "dsn": dsn,
        "environment": environment,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,  # no personal data leaves the platform
        "before_send": tag_event_with_portal,
        "traces_sample_rate": 0.0,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
