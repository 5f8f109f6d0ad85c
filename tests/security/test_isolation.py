"""Isolation beyond the HTTP routes: per-view caching, async views, savepoint rollbacks inside a
request, tasks sent from a request, signals, mails sent for two portals at once, and the API's
ways of authenticating. Each test has its positive control: the portal's own data does appear.

The probe views live in tests/security/urls_isolation.py (the portal URLconf plus four probes).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import MembershipPolicy
from accounts.selectors import membership_policy
from core.routing import walk
from tenants.models import Domain
from tests.accounts.factories import UserFactory, host_of, member_of
from tests.conftest import in_portal
from tests.security import test_isolation_tasks

pytestmark = pytest.mark.django_db
PROBES = override_settings(ROOT_URLCONF="tests.security.urls_isolation")


@pytest.fixture
def people(portal_a, portal_b):
    """One distinctive member in each portal and a platform account in public."""
    UserFactory(email="staff-only@public.example")
    return {
        "a": member_of(portal_a, email="anna@alpha-only.example").email,
        "b": member_of(portal_b, email="bert@beta-only.example").email,
        "public": "staff-only@public.example",
    }


def _facts(portal, path: str, host: str | None = None) -> dict:
    response = Client(HTTP_HOST=host or host_of(portal)).get(path)
    assert response.status_code == 200, response.content[:300]
    return response.json()


@PROBES
def test_a_per_view_cached_page_is_never_served_to_another_portal(portal_a, portal_b, people):
    host = host_of(portal_a)
    first = _facts(portal_a, "/probe/cached/")
    assert first["schema"] == portal_a.schema_name and people["a"] in first["emails"]
    # The same host now belongs to B (a domain moved between portals): B's page, not A's copy.
    Domain.objects.filter(domain=host).update(tenant=portal_b, is_primary=False)
    caches["routing"].clear()
    second = _facts(portal_b, "/probe/cached/", host=host)
    assert second["schema"] == portal_b.schema_name
    assert people["b"] in second["emails"] and people["a"] not in second["emails"]


@PROBES
def test_an_async_view_reads_its_own_portal(portal_a, portal_b, people):
    on_a, on_b = _facts(portal_a, "/probe/async/"), _facts(portal_b, "/probe/async/")
    assert on_a["schema"] == portal_a.schema_name and people["a"] in on_a["emails"]
    assert on_b["schema"] == portal_b.schema_name and people["b"] in on_b["emails"]
    assert people["a"] not in on_b["emails"] and people["public"] not in on_a["emails"]


@PROBES
def test_a_request_keeps_its_portal_after_sending_a_task_eagerly(portal_a, people):
    test_isolation_tasks.runs.clear()
    facts = _facts(portal_a, "/probe/task/")
    assert test_isolation_tasks.runs == [("from a request", portal_a.schema_name)]
    assert facts["schema"] == portal_a.schema_name
    assert people["a"] in facts["emails"] and people["public"] not in facts["emails"]


@PROBES
def test_a_rolled_back_savepoint_does_not_leave_the_request_in_public(portal_a, people):
    facts = _facts(portal_a, "/probe/savepoint/")
    assert people["a"] in facts["emails"]
    assert people["public"] not in facts["emails"]
    assert "dup@example.org" not in facts["emails"]


def test_a_rolled_back_savepoint_inside_a_portal_keeps_the_search_path(portal_a, people):
    with in_portal(portal_a):
        try:
            with connection.cursor() as cursor, transaction.atomic():
                connection.set_tenant(portal_a)  # the SET is issued inside the savepoint
                cursor.execute("SELECT 1")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone()[0] == portal_a.schema_name


def test_a_signal_in_one_portal_forgets_only_that_portals_cache(
    portal_a, portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_b):
        b_before = membership_policy().members_only
    with in_portal(portal_a):
        membership_policy()
        with django_capture_on_commit_callbacks(execute=True):
            policy = MembershipPolicy.objects.order_by("pk").first() or MembershipPolicy()
            policy.members_only = not policy.members_only
            policy.save()
        assert membership_policy().members_only == policy.members_only
    with in_portal(portal_b), CaptureQueriesContext(connection) as queries:
        # B's entry is still there (its own: no query), and still says what B's row says.
        assert membership_policy().members_only == b_before
    assert len(queries) == 0


def test_mails_sent_for_two_portals_at_once_carry_each_portals_branding(portal_a, portal_b):
    from themes.mail import send_themed_text

    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def send(portal, rounds: int = 8):
        try:
            start.wait(timeout=10)
            with in_portal(portal):
                for n in range(rounds):
                    send_themed_text(
                        to=f"reader{n}@{portal.schema_name}.example",
                        subject=f"Round {n}",
                        text=f"Hello from {portal.schema_name}.",
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(p,)) for p in (portal_a, portal_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(mail.outbox) == 16
    names = {portal_a.schema_name: portal_a.name, portal_b.schema_name: portal_b.name}
    for message in mail.outbox:
        schema = message.to[0].split("@")[1].removesuffix(".example")
        other = next(s for s in names if s != schema)
        html = message.alternatives[0][0]
        assert names[schema] in message.from_email, message.from_email
        assert names[other] not in message.from_email
        portal = portal_a if schema == portal_a.schema_name else portal_b
        assert (
            host_of(portal) in html
            and host_of(portal_b if portal is portal_a else portal_a) not in html
        )


# DRF authentication classes that have a cross-portal test. A session lives in its portal's
# schema (tests/news/test_isolation.py, the matrix's foreign-session roles). A token scheme added
# later must prove the same (a token of portal A is useless on portal B) before it joins here.
TESTED_AUTHENTICATION = {"rest_framework.authentication.SessionAuthentication"}


def test_every_way_of_authenticating_to_the_api_is_known_to_the_isolation_suite():
    used = {
        f"{cls.__module__}.{cls.__qualname__}"
        for route in walk(settings.ROOT_URLCONF)
        for cls in getattr(getattr(route.view, "cls", None), "authentication_classes", ())
    }
    assert used, "the walk found no API view"
    assert used <= TESTED_AUTHENTICATION, used - TESTED_AUTHENTICATION
