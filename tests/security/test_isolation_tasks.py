"""Celery tasks run in the schema of the portal that sent them, however they are sent (delay,
retry, a chord or a group, a beat job's fan-out), and leave the caller's schema as they found it:
a plain task after a portal's task runs in public, and a task run eagerly inside a portal's
request hands the request back its portal."""

from __future__ import annotations

import pytest
from celery import chord, group, shared_task
from django.db import connection

from tenants.celery import PORTAL_HEADER, fan_out
from tenants.models import Portal, PortalStatus
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db
runs: list[tuple[str, str]] = []


@pytest.fixture(autouse=True)
def _forget_seen():
    runs.clear()
    yield
    runs.clear()


@shared_task
def note_schema(tag: str = "") -> str:
    runs.append((tag, connection.schema_name))
    return connection.schema_name


@shared_task
def note_results(results: list[str]) -> str:
    runs.append(("callback", connection.schema_name))
    return connection.schema_name


@shared_task(bind=True, max_retries=1)
def flaky(self) -> str:
    runs.append((f"attempt {self.request.retries}", connection.schema_name))
    if self.request.retries < 1:
        raise self.retry(countdown=0)
    return connection.schema_name


def test_an_eager_task_hands_the_callers_portal_back(portal_a):
    with in_portal(portal_a):
        note_schema.delay("inside")
        # Before the fix the connection was left in public here: the rest of the request would
        # have read and written the platform's tables.
        assert connection.schema_name == portal_a.schema_name
    assert runs == [("inside", portal_a.schema_name)]


def test_a_task_sent_to_another_portal_from_inside_a_portal_returns_to_the_sender(
    portal_a, portal_b
):
    with in_portal(portal_a):
        note_schema.apply_async(args=("for b",), headers={PORTAL_HEADER: portal_b.schema_name})
        assert connection.schema_name == portal_a.schema_name
    assert runs == [("for b", portal_b.schema_name)]


def test_a_plain_task_after_a_portals_task_runs_in_public(portal_a):
    with in_portal(portal_a):
        note_schema.delay("portal")
    note_schema.delay("plain")
    assert runs == [("portal", portal_a.schema_name), ("plain", "public")]
    assert connection.schema_name == "public"


def test_every_retry_runs_in_the_portal_of_the_first_attempt(portal_a):
    with in_portal(portal_a):
        # Not propagated, so that Celery runs the retry eagerly instead of raising it.
        flaky.apply(throw=False)
        assert connection.schema_name == portal_a.schema_name
    assert runs == [("attempt 0", portal_a.schema_name), ("attempt 1", portal_a.schema_name)]


def test_a_chord_and_its_callback_run_in_the_senders_portal(portal_a):
    with in_portal(portal_a):
        chord([note_schema.s("one"), note_schema.s("two")])(note_results.s())
        assert connection.schema_name == portal_a.schema_name
    assert runs == [
        ("one", portal_a.schema_name),
        ("two", portal_a.schema_name),
        ("callback", portal_a.schema_name),
    ]


def test_a_group_runs_in_the_senders_portal(portal_b):
    with in_portal(portal_b):
        group(note_schema.s(str(n)) for n in range(3))()
    assert {schema for _, schema in runs} == {portal_b.schema_name}
    assert len(runs) == 3


def test_a_beat_fan_out_runs_once_in_each_active_portal_and_not_elsewhere(
    portal_a, portal_b, django_capture_on_commit_callbacks
):
    Portal.objects.filter(pk=portal_b.pk).update(status=PortalStatus.SUSPENDED)
    sent = fan_out(note_schema, tag="beat")
    active = set(
        Portal.objects.filter(status=PortalStatus.ACTIVE).values_list("schema_name", flat=True)
    )
    assert sent == len(active) and portal_a.schema_name in active
    assert sorted(schema for _, schema in runs) == sorted(active)
    assert portal_b.schema_name not in {schema for _, schema in runs}
    assert connection.schema_name == "public"


def test_a_fan_out_by_name_reaches_the_named_schemas_only(portal_a, portal_b):
    sent = fan_out(f"{__name__}.note_schema", schemas=[portal_b.schema_name], tag="named")
    assert sent == 1
    assert runs == [("named", portal_b.schema_name)]
