"""Error reports and log lines name the portal they come from."""

from __future__ import annotations

import io
import logging

import pytest
import sentry_sdk
from django.http import HttpResponse
from django.test import RequestFactory
from sentry_sdk.transport import Transport

from allmende.observability import init_sentry
from tenants.context import PortalLogFilter
from tenants.middleware import PortalRoutingMiddleware
from tests.accounts.factories import host_of
from tests.conftest import in_portal


class CapturingTransport(Transport):
    def __init__(self):
        super().__init__()
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def sentry_events():
    transport = CapturingTransport()
    init_sentry("https://key@sentry.invalid/1", environment="test", transport=transport)
    yield transport.events
    sentry_sdk.init(dsn=None)


def _request_in(portal, view):
    request = RequestFactory().get("/", HTTP_HOST=host_of(portal))
    return PortalRoutingMiddleware(view)(request)


def test_sentry_event_during_a_portal_request_is_tagged_with_that_portal(
    db, portal_a, portal_b, sentry_events
):
    def view(request):
        sentry_sdk.capture_message("something odd")
        return HttpResponse("ok")

    _request_in(portal_a, view)
    _request_in(portal_b, view)
    sentry_sdk.flush()
    assert [event["tags"]["portal"] for event in sentry_events] == [
        portal_a.schema_name,
        portal_b.schema_name,
    ]


def test_sentry_event_in_a_portal_task_is_tagged_with_that_portal(db, portal_a, sentry_events):
    from celery import shared_task

    @shared_task(name="tests.report_something")
    def report_something():
        sentry_sdk.capture_message("from a task")

    with in_portal(portal_a):
        report_something.delay()
    sentry_sdk.flush()
    assert sentry_events[-1]["tags"]["portal"] == portal_a.schema_name


def test_log_lines_carry_the_portal(db, portal_a):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PortalLogFilter())
    handler.setFormatter(logging.Formatter("[portal=%(portal)s] %(message)s"))
    logger = logging.getLogger("tests.portal_log")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:

        def view(request):
            logger.info("inside")
            return HttpResponse("ok")

        _request_in(portal_a, view)
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == [
        f"[portal={portal_a.schema_name}] inside",
        "[portal=public] outside",
    ]
