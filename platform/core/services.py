"""Writing the audit log. `audit_record` is the only way a row is made.

It writes into the schema the connection is on: inside a portal request that is the portal's
own log, in the operator console, a webhook or a platform task it is the public log. It refuses
(ValueError/TypeError) an event type outside `EventType`, an actor that is not a user or is an
account of another schema, and a row with neither a user nor a named system actor: an audit row
that says nothing, or names the wrong person, is a bug.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models
from django_tenants.utils import get_public_schema_name

from core.event_types import EventType
from core.models import AuditEvent


def in_public_schema() -> bool:
    return getattr(connection, "schema_name", None) in (None, get_public_schema_name())


def audit_record(
    *,
    event_type: EventType | str,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    portal: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Record that `actor` (a user) or `actor_label` (a system actor) did `event_type`. A
    caller may always pass the label it would use without a person: with an actor it is dropped."""
    event_type = EventType(event_type)  # ValueError for anything not in the enum
    if actor is not None and not isinstance(actor, AbstractBaseUser):
        raise TypeError(f"actor must be a user, not {type(actor).__name__}; use actor_label.")
    if actor is not None and not actor.is_authenticated:
        actor = None
    schema = getattr(connection, "schema_name", None)
    loaded = getattr(actor, "loaded_schema", schema)
    if actor is not None and loaded != schema:
        # The foreign key would name whoever has that id in this schema: someone else.
        raise ValueError(f"actor is an account of schema {loaded}, the row goes to {schema}.")
    if actor is None and not actor_label:
        raise ValueError("An audit row needs a user or a named system actor (actor_label).")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)
    # Inside a portal's schema the schema is the portal; a portal id there would go stale when
    # the portal is exported and imported under another id.
    if not in_public_schema():
        portal = None
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=actor,
        actor_label=actor_label[:80] if actor is None else "",
        portal=portal,
        portal_name=portal.name[:120] if portal is not None else "",
        object_type=object_type[:60],
        object_id=str(object_id)[:64],
        object_label=str(object_label)[:200],
        detail=detail or {},
    )
