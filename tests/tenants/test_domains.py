"""Own domains: added by a portal admin, verified through a real DNS query, then routed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from tenants.models import Domain
from tenants.selectors import portal_base_url
from tenants.services import portal_suspend
from tenants.services.domains import challenge_name, domain_add
from tenants.tasks import verify_domain
from tests.accounts.factories import UserFactory, host_of, log_in
from tests.conftest import in_portal


class _Zone(BaseResolver):
    def __init__(self):
        self.txt: dict[str, list[str]] = {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        if name not in self.txt:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.txt[name]:
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


@pytest.fixture
def dns_zone(settings):
    zone = _Zone()
    server = DNSServer(zone, address="127.0.0.1", port=0)
    server.start_thread()
    settings.DNS_NAMESERVERS = ["127.0.0.1"]
    settings.DNS_PORT = server.server.server_address[1]
    yield zone
    server.stop()


@pytest.fixture
def admin_b(db, portal_b):
    with in_portal(portal_b):
        admin = UserFactory(role="admin")
    return log_in(Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en"), admin)


def test_own_domain_is_routed_only_after_dns_verification(
    portal_b, admin_b, dns_zone, django_capture_on_commit_callbacks
):
    response = admin_b.post("/manage/domains/", {"hostname": "www.Beta-Verein.example"})
    assert response.status_code == 302
    domain = Domain.objects.get(domain="www.beta-verein.example")
    assert not domain.is_verified
    page = admin_b.get("/manage/domains/").content.decode()
    assert challenge_name(domain) in page and domain.verification_token in page
    assert Client(HTTP_HOST="www.beta-verein.example").get("/").status_code == 404

    assert verify_domain.apply(kwargs={"domain_id": domain.pk}).get() is False
    domain.refresh_from_db()
    assert "No TXT record" in domain.last_check_error

    dns_zone.txt[challenge_name(domain)] = ["something-else", domain.verification_token]
    with django_capture_on_commit_callbacks(execute=True):
        admin_b.post(f"/manage/domains/{domain.pk}/verify/")
    domain.refresh_from_db()
    assert domain.is_verified
    home = Client(HTTP_HOST="www.beta-verein.example").get("/")
    assert home.status_code == 200 and "Portal Beta" in home.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        admin_b.post(f"/manage/domains/{domain.pk}/primary/")
    assert portal_base_url(portal_b) == "http://www.beta-verein.example:8000/"


@pytest.mark.parametrize(
    ("hostname", "reason"),
    [
        ("localhost", "belong to the platform"),
        ("alpha.localhost", "belong to the platform"),
        ("not a domain", "is not a domain name"),
        ("nodot", "is not a domain name"),
    ],
)
def test_bad_or_foreign_domains_are_refused(db, portal_b, hostname, reason):
    with pytest.raises(ValidationError, match=reason):
        domain_add(portal=portal_b, hostname=hostname)


def test_domain_of_another_portal_is_refused(db, portal_a, portal_b):
    Domain.objects.create(domain="verein.example", tenant=portal_a, is_primary=False)
    with pytest.raises(ValidationError, match="belongs to another portal"):
        domain_add(portal=portal_b, hostname="verein.example")


def test_community_portal_has_no_own_domains(db, portal_a, client_a):
    with pytest.raises(ValidationError, match="not part of this portal's plan"):
        domain_add(portal=portal_a, hostname="alpha.example")
    with in_portal(portal_a):
        admin = UserFactory(role="admin")
    log_in(client_a, admin)
    assert client_a.get("/manage/domains/").status_code == 404


def test_admin_cannot_touch_another_portals_domain(db, portal_a, admin_b):
    foreign = Domain.objects.create(
        domain="alpha-verein.example", tenant=portal_a, is_primary=False
    )
    assert admin_b.post(f"/manage/domains/{foreign.pk}/remove/").status_code == 404
    assert Domain.objects.filter(pk=foreign.pk).exists()


def test_platform_subdomain_and_primary_cannot_be_removed(db, portal_b, admin_b):
    own = Domain.objects.get(tenant=portal_b, is_primary=True)
    admin_b.post(f"/manage/domains/{own.pk}/remove/")
    assert Domain.objects.filter(pk=own.pk).exists()


def test_tls_terminator_may_issue_only_for_serving_portals(db, portal_b, platform_client):
    verified = Domain.objects.create(domain="ok.example", tenant=portal_b, is_primary=False)
    Domain.objects.create(
        domain="pending.example", tenant=portal_b, is_primary=False, is_verified=False
    )
    ask = "/internal/tls-allowed?domain="
    assert platform_client.get(ask + verified.domain).status_code == 200
    assert platform_client.get(ask + host_of(portal_b)).status_code == 200
    assert platform_client.get(ask + "pending.example").status_code == 404
    assert platform_client.get(ask + "unknown.example").status_code == 404
    assert platform_client.get(ask + "<script>").status_code == 404
    # The ask endpoint exists on the platform host only.
    assert Client(HTTP_HOST=host_of(portal_b)).get(ask + verified.domain).status_code == 404
    portal_suspend(portal=portal_b)
    assert platform_client.get(ask + verified.domain).status_code == 404
