"""The accessibility checks' shared set-up: chromium, a committed portal of their own with a
server in front of it (deleted afterwards), and the summary line of the axe walk at the end of
the terminal output."""

from __future__ import annotations

import pytest
from django.db import connections

from core.models import AuditEvent
from tenants.models import Portal
from tenants.schemas import drop_schema
from tests.a11y.axe import TALLY
from tests.accounts.factories import host_of
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, running_server

SUBDOMAIN = "a11y-keys"  # the keyboard and right-to-left checks' portal


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
            # Queries made while Playwright's loop ran used a connection of their own; it would
            # keep the test database from being dropped.
            connections.close_all()


def _drop(portal_slug: str) -> None:
    for portal in Portal.objects.filter(slug=portal_slug):
        AuditEvent.objects.filter(portal=portal).delete()
        schema = portal.schema_name
        Portal.objects.filter(pk=portal.pk).delete()
        drop_schema(schema)


@pytest.fixture
def portal(committed):
    from tenants.services import portal_provision

    _drop(SUBDOMAIN)
    portal = portal_provision(
        name="Tastatur testen",
        subdomain=SUBDOMAIN,
        admin_email=f"first@{SUBDOMAIN}.example",
        actor_label="tests",
    ).portal
    try:
        yield portal
    finally:
        _drop(SUBDOMAIN)


@pytest.fixture
def live(portal, subprocess_env, tmp_path):
    """runserver on the test database; the portal's base URL."""
    with running_server(subprocess_env, tmp_path / "server.log") as port:
        yield f"http://{host_of(portal)}:{port}"


def pytest_terminal_summary(terminalreporter):
    if TALLY.checks:
        terminalreporter.write_line(TALLY.line())
