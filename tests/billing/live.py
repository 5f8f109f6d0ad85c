"""A real server for end-to-end billing tests: runserver on the test database, localstripe
sending it signed webhooks, mails written to files; and the clean-up that leaves nothing behind.

Data must be committed to be visible to the server, so tests using `live_billing` delete what
they created themselves (`cleanup`).
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_tenants.utils import schema_exists

from billing.models import BillingAccount, Order, StripeEvent
from billing.services import stripe_plans_sync
from core.models import AuditEvent
from tenants.models import Portal
from tenants.schemas import drop_schema
from tests.billing.conftest import WEBHOOK_SECRET, stripe_env
from tests.browser import running_server

WEBHOOK_NAME = "allmende-live"


@dataclass(frozen=True)
class LiveBilling:
    port: int
    url: str  # the platform site, e.g. http://localhost:8123
    stripe_url: str
    mail_dir: Path
    log: Path
    first_event_pk: int

    def mails(self) -> list[str]:
        if not self.mail_dir.exists():
            return []
        # In the order they were written: the file backend names files by the second and an
        # object id, so names alone put two mails of the same second in either order.
        paths = sorted(self.mail_dir.glob("*"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        return [path.read_text(errors="replace") for path in paths]

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def wait_until(condition: Callable[[], object], timeout: float, what: str, live=None):
    """Poll until `condition()` is truthy and return its value; fail with the server's log."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            log = f"\nserver log:\n{live.server_log()}" if live is not None else ""
            pytest.fail(f"{what}: not within {timeout} s{log}")
        time.sleep(0.25)


def _register_webhook(stripe_url: str, body: dict) -> None:
    request = urllib.request.Request(
        f"{stripe_url}/_config/webhooks/{WEBHOOK_NAME}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture
def live_billing(committed, subprocess_env, settings, localstripe_url, tmp_path):
    """Billing configured against a clean localstripe whose webhooks reach a running server."""
    for name, value in stripe_env(localstripe_url).items():
        setattr(settings, name, value)
    flush = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(flush, timeout=5).close()
    stripe_plans_sync()
    mail_dir = tmp_path / "mail"
    log = tmp_path / "server.log"
    env = dict(subprocess_env, **stripe_env(localstripe_url), EMAIL_URL=f"file://{mail_dir}")
    last = StripeEvent.objects.order_by("-pk").first()
    with running_server(env, log) as port:
        try:
            _register_webhook(
                localstripe_url,
                {"url": f"http://localhost:{port}/stripe/webhook/", "secret": WEBHOOK_SECRET},
            )
            yield LiveBilling(
                port=port,
                url=f"http://localhost:{port}",
                stripe_url=localstripe_url,
                mail_dir=mail_dir,
                log=log,
                first_event_pk=(last.pk if last else 0) + 1,
            )
        finally:
            # localstripe cannot forget a webhook: park it on a filter no event matches.
            _register_webhook(
                localstripe_url,
                {"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET, "events": ["none"]},
            )


def cleanup(live: LiveBilling, *subdomains: str) -> None:
    """Delete the orders, portals (and their schemas) and billing rows a live test created."""
    StripeEvent.objects.filter(pk__gte=live.first_event_pk).delete()
    orders = [
        str(pk)
        for pk in Order.objects.filter(subdomain__in=subdomains).values_list("pk", flat=True)
    ]
    AuditEvent.objects.filter(object_type="billing.order", object_id__in=orders).delete()
    for portal in Portal.objects.filter(slug__in=subdomains):
        AuditEvent.objects.filter(portal=portal).delete()
        BillingAccount.objects.filter(portal=portal).delete()
        Order.objects.filter(portal=portal).delete()
        schema = portal.schema_name
        Portal.objects.filter(pk=portal.pk).delete()
        if schema_exists(schema):
            drop_schema(schema)
    Order.objects.filter(subdomain__in=subdomains).delete()
