"""Celery tasks that know which portal they belong to.

PortalTask is the base class of every task (set on the Celery app). Sending a task records the
schema of the current connection in a message header; the worker switches to that schema before
running it and back to public afterwards, and labels logs and Sentry events with it. A task sent
from the public schema runs in public. A task whose portal no longer exists (purged meanwhile) is
skipped with a warning rather than run against the wrong schema. A task with `required_feature`
is skipped for portals where that module is off (features.gate).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.urls import get_urlconf, set_urlconf

from tenants.context import reset_current_portal, set_current_portal

logger = logging.getLogger(__name__)
PORTAL_HEADER = "allmende_portal_schema"


def _public_schema() -> str:
    from django_tenants.utils import get_public_schema_name

    return get_public_schema_name()


class PortalTask(Task):
    def apply_async(
        self,
        args=None,
        kwargs=None,
        task_id=None,
        producer=None,
        link=None,
        link_error=None,
        shadow=None,
        **options,
    ):
        headers = dict(options.pop("headers", None) or {})
        headers.setdefault(
            PORTAL_HEADER, getattr(connection, "schema_name", None) or _public_schema()
        )
        return super().apply_async(
            args, kwargs, task_id, producer, link, link_error, shadow, headers=headers, **options
        )

    def apply(self, args=None, kwargs=None, *positional, headers=None, **options):
        # Eager runs (always-eager sends, chord and group parts, eager retries) pass through
        # here and not through apply_async: they carry the sender's schema the same way.
        headers = dict(headers or {})
        headers.setdefault(
            PORTAL_HEADER, getattr(connection, "schema_name", None) or _public_schema()
        )
        return super().apply(args, kwargs, *positional, headers=headers, **options)

    def __call__(self, *args, **kwargs):
        schema = self.request.get(PORTAL_HEADER) or (self.request.headers or {}).get(PORTAL_HEADER)
        schema = schema or _public_schema()
        # A task reverses URLs of its own side (portal e-mails link to portal pages), also when it
        # runs eagerly inside a request that was routed to the other side.
        previous_urlconf = get_urlconf()
        # Run eagerly (tests, CELERY_TASK_ALWAYS_EAGER), the task shares the caller's connection:
        # the caller's schema comes back afterwards, or the rest of its request would run in
        # public (or in the task's portal). In a worker the caller's schema is public.
        previous_tenant = getattr(connection, "tenant", None)
        try:
            if schema == _public_schema():
                set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
                connection.set_schema_to_public()
                return self._run_labelled(None, args, kwargs)
            set_urlconf(settings.ROOT_URLCONF)
            return self._run_in_portal(schema, args, kwargs)
        finally:
            set_urlconf(previous_urlconf)
            _restore(previous_tenant)

    def _run_in_portal(self, schema: str, args, kwargs):
        from tenants.models import Portal

        connection.set_schema_to_public()
        portal = Portal.objects.filter(schema_name=schema).first()
        if portal is None:
            logger.warning("Task %s skipped: portal schema %s no longer exists.", self.name, schema)
            return None
        feature = getattr(self, "required_feature", None)
        if feature:
            from features.gate import is_enabled

            if not is_enabled(portal, feature):
                logger.info("Task %s skipped: %s is off in %s.", self.name, feature, schema)
                return None
        connection.set_tenant(portal)
        try:
            return self._run_labelled(schema, args, kwargs)
        finally:
            connection.set_schema_to_public()

    def _run_labelled(self, label, args, kwargs):
        import sentry_sdk

        token = set_current_portal(label)
        try:
            with sentry_sdk.new_scope() as scope:
                scope.set_tag("portal", label or "public")
                return super().__call__(*args, **kwargs)
        finally:
            reset_current_portal(token)


def _restore(tenant) -> None:
    if tenant is None or tenant.schema_name == _public_schema():
        connection.set_schema_to_public()
    else:
        connection.set_tenant(tenant)


def enqueue_on_commit(task, /, *, in_portal=None, in_public: bool = False, **kwargs) -> None:
    """Send `task` with `kwargs` once the current transaction commits.

    `task` is a task or its registered name; services name their tasks ("billing.tasks.…"), so a
    services module never imports the tasks module that imports it. The task runs in
    `in_portal`'s schema, in public (`in_public`), or in the current one, captured now: by commit
    time the connection may already be back in public.
    """
    if in_public:
        schema = _public_schema()
    elif in_portal is not None:
        schema = in_portal.schema_name
    else:
        schema = getattr(connection, "schema_name", None) or _public_schema()

    def send():
        resolved = _task_by_name(task) if isinstance(task, str) else task
        resolved.apply_async(kwargs=kwargs, headers={PORTAL_HEADER: schema})

    transaction.on_commit(send)


def _task_by_name(name: str):
    from celery import current_app

    if name not in current_app.tasks:
        # Worker processes import every tasks module at start; the web process on first use.
        importlib.import_module(name.rsplit(".", 1)[0])
    return current_app.tasks[name]  # KeyError for a name no module registers


def fan_out(task, /, *, schemas: Iterable[str] | None = None, **kwargs) -> int:
    """Send `task` once per portal, each message carrying its portal's schema; return how many.

    For beat jobs that run in public and do per-portal work: each portal's share runs in its own
    schema and fails, retries and is skipped (purged portal, module off) on its own. `schemas`
    defaults to every active portal. Sent at once, not on commit: beat jobs hold no transaction.
    """
    from tenants.models import Portal, PortalStatus

    if schemas is None:
        schemas = (
            Portal.objects.filter(status=PortalStatus.ACTIVE)
            .order_by("pk")
            .values_list("schema_name", flat=True)
            .iterator()
        )
    resolved = _task_by_name(task) if isinstance(task, str) else task
    sent = 0
    for schema in schemas:
        resolved.apply_async(kwargs=kwargs, headers={PORTAL_HEADER: schema})
        sent += 1
    return sent
