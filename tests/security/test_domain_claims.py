"""Claims on own domains: nobody can block a domain's owner, and the first portal to verify wins.

Several portals may claim one hostname, each with its own token; the first to show its token in
DNS gets the hostname, the other claims are lost (their admins are told), and a verified domain
of another portal cannot be claimed. Unverified claims lapse after DOMAIN_CLAIM_LIFETIME_DAYS:
from then on they cannot be verified and block nobody, and a beat task removes them, once.
Routing and the TLS ask hook answer for verified domains only. Two checks at the same moment
are run in two threads on committed data: exactly one portal gets the hostname.

DNS answers come from a real DNS server on loopback (tests/tenants/fake_dns.py).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.utils import timezone, translation

from core.event_types import EventType
from core.models import AuditEvent
from tenants.celery import PORTAL_HEADER
from tenants.dns import check_error_text
from tenants.models import Domain
from tenants.services.domains import challenge_name, domain_add, domain_verify
from tenants.tasks import expire_domain_claims, verify_domain
from tests.accounts.factories import admin_client
from tests.concurrency import hold_and_wait
from tests.tenants.fake_dns import serving_zone

DOMAINS = "/manage/domains/"
TLS_ASK = "/internal/tls-allowed?domain="


def _check(client: Client, domain: Domain, django_capture_on_commit_callbacks):
    """The admin presses "Check now"; the DNS check runs (eagerly) as the worker would."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DOMAINS}{domain.pk}/verify/", follow=True)
    assert response.redirect_chain == [(DOMAINS, 302)]
    return response


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _claim(client: Client, hostname: str) -> Domain:
    """The admin behind `client` adds `hostname` on the domains page; their portal's claim."""
    response = client.post(DOMAINS, {"hostname": hostname}, follow=True)
    assert response.redirect_chain == [(DOMAINS, 302)]
    assert _messages(response) == [f"Added {hostname}. Create the DNS records below, then check."]
    portal_host = client.defaults["HTTP_HOST"]
    return Domain.objects.get(domain=hostname, tenant__domains__domain=portal_host)


def _served_by(hostname: str) -> str | None:
    """The portal name a visitor of `hostname` sees, or None when nothing is served there."""
    response = Client(HTTP_HOST=hostname).get("/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    page = response.content.decode()
    return next(name for name in ("Portal Beta", "Portal Gamma", "Portal Alpha") if name in page)


def _public_domain_rows(hostname: str) -> list[tuple]:
    return [
        (e.event_type, e.actor_label, e.portal_id)
        for e in AuditEvent.objects.filter(
            object_type="tenants.domain", object_label=hostname
        ).order_by("created_at", "pk")
    ]


def _age(domain: Domain, days: float) -> None:
    Domain.objects.filter(pk=domain.pk).update(created_at=timezone.now() - timedelta(days=days))
    domain.refresh_from_db()


@pytest.mark.django_db
def test_a_squatters_earlier_claim_does_not_stop_the_owner_who_verifies_first(
    portal_b, portal_c, dns_zone, platform_client, django_capture_on_commit_callbacks
):
    squatter, owner = admin_client(portal_c), admin_client(portal_b)
    hostname = "verein-beta.example"
    taken = _claim(squatter, hostname)
    claim = _claim(owner, hostname)
    assert (taken.tenant_id, claim.tenant_id) == (portal_c.pk, portal_b.pk)
    assert taken.verification_token != claim.verification_token
    owner_page = owner.get(DOMAINS).content.decode()
    assert claim.verification_token in owner_page
    assert taken.verification_token not in owner_page
    assert "Verify the domain by" in owner_page
    assert _served_by(hostname) is None
    assert platform_client.get(TLS_ASK + hostname).status_code == 404

    # The owner publishes their token; the squatter cannot, and its check finds nothing.
    dns_zone.txt[challenge_name(claim)] = [claim.verification_token]
    _check(squatter, taken, django_capture_on_commit_callbacks)
    taken.refresh_from_db()
    assert (taken.is_verified, taken.lost_at) == (False, None)
    with translation.override("en"):
        assert "does not contain the token" in check_error_text(taken.last_check_error)
    assert _served_by(hostname) is None

    _check(owner, claim, django_capture_on_commit_callbacks)
    claim.refresh_from_db()
    assert claim.is_verified
    assert _served_by(hostname) == "Portal Beta"
    assert platform_client.get(TLS_ASK + hostname).status_code == 200

    # The squatter's claim is lost, and its admin is told so, not left waiting.
    taken.refresh_from_db()
    assert (taken.is_verified, taken.lost_at is not None) == (False, True)
    page = squatter.get(DOMAINS).content.decode()
    lost = f"Another portal proved control of {hostname} first, so this claim no longer counts."
    assert lost in page
    assert f"{DOMAINS}{taken.pk}/verify/" not in page
    assert taken.verification_token not in page
    # Even its own token in DNS now changes nothing: the hostname stays the owner's.
    dns_zone.txt[challenge_name(taken)] = [claim.verification_token, taken.verification_token]
    response = _check(squatter, taken, django_capture_on_commit_callbacks)
    assert _messages(response) == [lost]
    assert verify_domain.apply(kwargs={"domain_id": taken.pk}).get() is False
    assert _served_by(hostname) == "Portal Beta"
    # Nor can it claim the hostname anew.
    response = squatter.post(DOMAINS, {"hostname": hostname})
    assert response.status_code == 400
    assert f"The domain {hostname} belongs to another portal." in response.content.decode()
    assert Domain.objects.filter(domain=hostname, is_verified=True).get().tenant_id == portal_b.pk


@pytest.mark.django_db
def test_the_check_records_the_win_and_the_loss_in_the_public_log(
    portal_b, portal_c, dns_zone, english
):
    hostname = "zweikampf.example"
    first = domain_add(portal=portal_c, hostname=hostname)
    second = domain_add(portal=portal_b, hostname=hostname)
    dns_zone.txt[challenge_name(second)] = [first.verification_token, second.verification_token]
    AuditEvent.objects.filter(object_label=hostname).delete()  # the two "added" rows

    public = {PORTAL_HEADER: "public"}
    assert verify_domain.apply(kwargs={"domain_id": second.pk}, headers=public).get() is True
    assert verify_domain.apply(kwargs={"domain_id": first.pk}, headers=public).get() is False

    assert _public_domain_rows(hostname) == [
        (EventType.DOMAIN_VERIFIED, "dns check", portal_b.pk),
        (EventType.DOMAIN_CLAIM_LOST, "dns check", portal_c.pk),
    ]
    assert list(
        Domain.objects.filter(domain=hostname).order_by("pk").values_list("is_verified", "tenant")
    ) == [(False, portal_c.pk), (True, portal_b.pk)]


@pytest.mark.django_db
def test_a_verified_domain_of_another_portal_cannot_be_claimed(
    portal_b, portal_c, dns_zone, django_capture_on_commit_callbacks
):
    owner, other = admin_client(portal_b), admin_client(portal_c)
    claim = _claim(owner, "schon-vergeben.example")
    dns_zone.txt[challenge_name(claim)] = [claim.verification_token]
    _check(owner, claim, django_capture_on_commit_callbacks)

    response = other.post(DOMAINS, {"hostname": "Schon-Vergeben.example."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The domain schon-vergeben.example belongs to another portal." in page
    assert not Domain.objects.filter(tenant=portal_c, domain="schon-vergeben.example").exists()
    response = owner.post(DOMAINS, {"hostname": "schon-vergeben.example"})
    assert response.status_code == 400
    assert "This portal has the domain schon-vergeben.example already." in (
        response.content.decode()
    )
    # Positive control: the same admin claims a free hostname.
    assert _claim(other, "frei.example").tenant_id == portal_c.pk


@pytest.mark.django_db
def test_an_expired_claim_cannot_be_verified_and_blocks_nobody_before_the_task_ran(
    portal_b, portal_c, dns_zone, settings, django_capture_on_commit_callbacks
):
    assert settings.DOMAIN_CLAIM_LIFETIME_DAYS == 7
    stale_admin, owner = admin_client(portal_c), admin_client(portal_b)
    hostname = "verfallen.example"
    stale = _claim(stale_admin, hostname)
    _age(stale, 7.01)
    dns_zone.txt[challenge_name(stale)] = [stale.verification_token]

    response = _check(stale_admin, stale, django_capture_on_commit_callbacks)
    expired = (
        f"This claim on {hostname} expired without being verified. Add the domain again to get "
        "a new token."
    )
    assert _messages(response) == [expired]
    assert expired in response.content.decode()
    assert stale.verification_token not in response.content.decode()
    assert verify_domain.apply(kwargs={"domain_id": stale.pk}).get() is False
    assert _served_by(hostname) is None

    # Its own portal may claim the hostname again, with a new token, at once.
    again = _claim(stale_admin, hostname)
    assert again.verification_token != stale.verification_token
    assert not Domain.objects.filter(pk=stale.pk).exists()

    # Another portal's verification goes ahead of an expired claim; the new one still counts.
    _age(again, 7.01)
    claim = _claim(owner, hostname)
    dns_zone.txt[challenge_name(claim)] = [claim.verification_token]
    _check(owner, claim, django_capture_on_commit_callbacks)
    assert _served_by(hostname) == "Portal Beta"


@pytest.mark.django_db
def test_a_claim_within_its_lifetime_is_verified(
    portal_c, dns_zone, settings, django_capture_on_commit_callbacks
):
    admin = admin_client(portal_c)
    claim = _claim(admin, "knapp.example")
    _age(claim, 6.9)
    dns_zone.txt[challenge_name(claim)] = [claim.verification_token]
    _check(admin, claim, django_capture_on_commit_callbacks)
    assert _served_by("knapp.example") == "Portal Gamma"

    # The lifetime is a setting: with one day, a claim of two days is over.
    settings.DOMAIN_CLAIM_LIFETIME_DAYS = 1
    late = _claim(admin, "spaet.example")
    _age(late, 2)
    dns_zone.txt[challenge_name(late)] = [late.verification_token]
    _check(admin, late, django_capture_on_commit_callbacks)
    assert _served_by("spaet.example") is None


@pytest.mark.django_db
def test_the_beat_task_removes_dead_claims_once_and_nothing_else(portal_b, portal_c, english):
    expired = domain_add(portal=portal_c, hostname="alt.example")
    lost = domain_add(portal=portal_c, hostname="verloren.example")
    fresh = domain_add(portal=portal_b, hostname="neu.example")
    verified = Domain.objects.create(domain="fest.example", tenant=portal_b, is_primary=False)
    for domain, days in ((expired, 8), (lost, 9), (fresh, 6), (verified, 400)):
        _age(domain, days)
    Domain.objects.filter(pk=lost.pk).update(lost_at=timezone.now())
    AuditEvent.objects.filter(object_type="tenants.domain").delete()
    kept = set(Domain.objects.values_list("pk", flat=True))

    assert expire_domain_claims.apply().get() == [
        "alt.example (gamma)",
        "verloren.example (gamma)",
    ]
    assert set(Domain.objects.values_list("pk", flat=True)) == kept - {expired.pk, lost.pk}
    assert [
        (e.event_type, e.actor_label, e.portal_id, e.object_label, e.detail)
        for e in AuditEvent.objects.filter(object_type="tenants.domain").order_by("pk")
    ] == [
        (
            EventType.DOMAIN_CLAIM_EXPIRED,
            "domain claims",
            portal_c.pk,
            "alt.example",
            {"lost": False},
        ),
        (
            EventType.DOMAIN_CLAIM_EXPIRED,
            "domain claims",
            portal_c.pk,
            "verloren.example",
            {"lost": True},
        ),
    ]

    # Idempotent: the next run finds nothing and records nothing.
    assert expire_domain_claims.apply().get() == []
    assert AuditEvent.objects.filter(object_type="tenants.domain").count() == 2
    assert Domain.objects.filter(pk__in=[fresh.pk, verified.pk]).count() == 2
    assert {
        entry["task"]: entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }.keys() >= {"tenants.tasks.expire_domain_claims"}


@pytest.mark.django_db
def test_routing_and_the_tls_hook_answer_only_for_the_verified_row(
    portal_b, portal_c, platform_client, django_capture_on_commit_callbacks
):
    hostname = "geteilt.example"
    Domain.objects.create(
        domain=hostname,
        tenant=portal_c,
        is_primary=False,
        is_verified=False,
        verification_token="c",
    )
    assert _served_by(hostname) is None
    assert platform_client.get(TLS_ASK + hostname).status_code == 404
    # The negative answer above was cached; verification must not be hidden by it.
    with django_capture_on_commit_callbacks(execute=True):
        owned = Domain.objects.create(domain=hostname, tenant=portal_b, is_primary=False)
    assert _served_by(hostname) == "Portal Beta"
    assert platform_client.get(TLS_ASK + hostname).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        owned.delete()
    assert _served_by(hostname) is None
    assert platform_client.get(TLS_ASK + hostname).status_code == 404


@pytest.mark.django_db
def test_the_database_allows_many_claims_but_one_verified_row_per_hostname(portal_b, portal_c):
    for portal in (portal_b, portal_c):
        Domain.objects.create(
            domain="doppelt.example", tenant=portal, is_primary=False, is_verified=False
        )
    Domain.objects.filter(domain="doppelt.example", tenant=portal_b).update(is_verified=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Domain.objects.filter(domain="doppelt.example", tenant=portal_c).update(is_verified=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Domain.objects.create(
            domain="doppelt.example", tenant=portal_c, is_primary=False, is_verified=False
        )
    assert list(
        Domain.objects.filter(domain="doppelt.example", is_verified=True).values_list(
            "tenant", flat=True
        )
    ) == [portal_b.pk]


# Two checks at the same moment, in two threads with their own connections, on committed data.


def _committed_claims(portal_a, portal_b, hostname: str) -> tuple[Domain, Domain]:
    return tuple(
        Domain.objects.create(
            domain=hostname,
            tenant=portal,
            is_primary=False,
            is_verified=False,
            verification_token=f"token-{portal.slug}",
        )
        for portal in (portal_a, portal_b)
    )


def _clean_up(hostname: str) -> None:
    Domain.objects.filter(domain=hostname).delete()
    AuditEvent.objects.filter(object_type="tenants.domain", object_label=hostname).delete()


def test_two_portals_verifying_at_the_same_moment_exactly_one_wins(
    committed, portal_a, portal_b, settings
):
    hostname = "gleichzeitig.example"
    first, second = _committed_claims(portal_a, portal_b, hostname)
    outcome: dict[str, object] = {}
    start = threading.Barrier(2, timeout=10)

    def check(key: str, claim: Domain):
        try:
            start.wait()
            outcome[key] = domain_verify(domain=claim).is_verified
        except Exception as exc:  # reported below
            outcome[key] = exc
        finally:
            connections.close_all()

    try:
        with serving_zone(settings) as zone:
            zone.txt[challenge_name(first)] = [first.verification_token, second.verification_token]
            threads = [
                threading.Thread(target=check, args=("first", first)),
                threading.Thread(target=check, args=("second", second)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
        assert sorted(outcome.values(), key=str) == [False, True], outcome
        winner = Domain.objects.get(domain=hostname, is_verified=True)
        loser = Domain.objects.get(domain=hostname, is_verified=False)
        assert loser.lost_at is not None
        assert _served_by(hostname) == winner.tenant.name
        assert sorted(row[0] for row in _public_domain_rows(hostname)) == sorted(
            [EventType.DOMAIN_VERIFIED, EventType.DOMAIN_CLAIM_LOST]
        )
    finally:
        _clean_up(hostname)


def test_a_check_racing_a_verified_row_written_elsewhere_loses_on_the_unique_index(
    committed, portal_a, portal_b, settings
):
    """An operator adds the hostname as verified (console) while portal B's check runs: the
    check cannot see the uncommitted row, so only the database's index stops it."""
    hostname = "konsole.example"
    claim = Domain.objects.create(
        domain=hostname,
        tenant=portal_b,
        is_primary=False,
        is_verified=False,
        verification_token="token-beta",
    )

    def operator_adds_verified_row():
        Domain.objects.create(domain=hostname, tenant=portal_a, is_primary=False)
        return "added"

    def portal_checks():
        return domain_verify(domain=claim)

    try:
        with serving_zone(settings) as zone:
            zone.txt[challenge_name(claim)] = [claim.verification_token]
            # The check cannot see the uncommitted row and must wait for its fate.
            added, checked = hold_and_wait(operator_adds_verified_row, portal_checks, blocked_for=1)
        assert added == "added", added
        assert isinstance(checked, Domain), checked
        assert (checked.is_verified, checked.lost_at is not None) == (False, True)
        assert Domain.objects.get(domain=hostname, is_verified=True).tenant_id == portal_a.pk
        assert Domain.objects.get(pk=claim.pk).lost_at is not None
        assert _served_by(hostname) == "Portal Alpha"
    finally:
        _clean_up(hostname)
