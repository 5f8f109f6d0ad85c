"""Own domains: added by a portal admin, verified through a real DNS query, then routed.

Every access test has its positive control: the same request by the right person succeeds and
has its effect, so a deleted route or a broken login cannot pass as "refused".
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from accounts.models import Role
from core.event_types import EventType
from core.models import AuditEvent
from tenants.dns import check_error_text
from tenants.models import Domain
from tenants.selectors import portal_base_url
from tenants.services import portal_suspend
from tenants.services.domains import challenge_name, domain_add
from tenants.tasks import verify_domain
from tests.accounts.factories import admin_client, admin_of, host_of, log_in, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db

DOMAINS = "/manage/domains/"


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _admin(portal):
    """A new administrator of `portal` and a client logged in as them."""
    admin = admin_of(portal)
    return admin, log_in(Client(HTTP_HOST=host_of(portal), HTTP_ACCEPT_LANGUAGE="en"), admin)


def _domain_rows(portal=None) -> list[tuple]:
    """Domain events in `portal`'s own audit log (what its admins did), or in public."""

    def rows():
        return [
            (e.event_type, e.actor_id, e.actor_label, e.object_label, e.portal_id)
            for e in AuditEvent.objects.filter(object_type="tenants.domain").order_by(
                "created_at", "pk"
            )
        ]

    if portal is None:
        return rows()
    with in_portal(portal):
        return rows()


def _rows_anywhere(portal) -> list[tuple]:
    """Domain events in `portal`'s log and in public, without saying which log (and portal)."""
    return [row[:4] for row in _domain_rows(portal) + _domain_rows()]


def test_own_domain_is_routed_only_after_dns_verification(
    portal_b, dns_zone, django_capture_on_commit_callbacks
):
    admin, admin_b = _admin(portal_b)
    response = admin_b.post(DOMAINS, {"hostname": "www.Beta-Verein.example"})
    assert (response.status_code, response["Location"]) == (302, DOMAINS)
    domain = Domain.objects.get(domain="www.beta-verein.example")
    assert (domain.tenant_id, domain.is_verified, domain.is_primary) == (portal_b.pk, False, False)
    page = admin_b.get(DOMAINS).content.decode()
    assert challenge_name(domain) in page and domain.verification_token in page
    assert Client(HTTP_HOST="www.beta-verein.example").get("/").status_code == 404

    assert verify_domain.apply(kwargs={"domain_id": domain.pk}).get() is False
    domain.refresh_from_db()
    with translation.override("de"):
        assert check_error_text(domain.last_check_error) == (
            f"Noch kein TXT-Eintrag unter {challenge_name(domain)}."
        )
        german = admin_b.get(DOMAINS, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert check_error_text(domain.last_check_error) in german
    with translation.override("en"):
        assert check_error_text(domain.last_check_error).startswith("No TXT record at ")

    dns_zone.txt[challenge_name(domain)] = ["something-else", domain.verification_token]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_b.post(f"{DOMAINS}{domain.pk}/verify/")
    assert (response.status_code, response["Location"]) == (302, DOMAINS)
    domain.refresh_from_db()
    assert domain.is_verified
    home = Client(HTTP_HOST="www.beta-verein.example").get("/")
    assert home.status_code == 200 and "Portal Beta" in home.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_b.post(f"{DOMAINS}{domain.pk}/primary/")
    assert (response.status_code, response["Location"]) == (302, DOMAINS)
    assert portal_base_url(portal_b) == "http://www.beta-verein.example:8000/"

    # What the admin did is in the portal's own log; the one successful DNS check by its system
    # actor (the failed one wrote nothing). Which log the check belongs in is pinned below.
    name = "www.beta-verein.example"
    assert [row for row in _domain_rows(portal_b) if row[1] is not None] == [
        (EventType.DOMAIN_ADDED, admin.pk, "", name, None),
        (EventType.DOMAIN_MADE_PRIMARY, admin.pk, "", name, None),
    ]
    assert [row for row in _rows_anywhere(portal_b) if row[1] is None] == [
        (EventType.DOMAIN_VERIFIED, None, "dns check", name)
    ]


def test_the_dns_check_an_admin_asks_for_runs_in_public_as_it_would_in_production(
    portal_b, dns_zone, django_capture_on_commit_callbacks
):
    domain = Domain.objects.create(
        domain="pruefung.example",
        tenant=portal_b,
        is_primary=False,
        is_verified=False,
        verification_token="token-of-beta",
    )
    dns_zone.txt[challenge_name(domain)] = [domain.verification_token]
    _, admin = _admin(portal_b)
    with django_capture_on_commit_callbacks() as callbacks:
        assert admin.post(f"{DOMAINS}{domain.pk}/verify/").status_code == 302
    # Requests run in autocommit, so on_commit callbacks fire at once, inside the request, which
    # is in the portal's schema; here the test's transaction deferred them until after it.
    with in_portal(portal_b):
        for callback in callbacks:
            callback()

    domain.refresh_from_db()
    assert domain.is_verified
    assert _domain_rows() == [
        (EventType.DOMAIN_VERIFIED, None, "dns check", "pruefung.example", portal_b.pk)
    ]
    assert _domain_rows(portal_b) == []


def test_domains_page_sends_visitors_to_login_refuses_members_and_serves_admins(portal_b):
    anonymous = Client(HTTP_HOST=host_of(portal_b))
    member = log_in(Client(HTTP_HOST=host_of(portal_b)), member_of(portal_b))
    moderator = log_in(Client(HTTP_HOST=host_of(portal_b)), member_of(portal_b, Role.MODERATOR))
    admin = admin_client(portal_b)

    response = anonymous.get(DOMAINS)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next={DOMAINS}",
    )
    assert member.get(DOMAINS).status_code == 403
    assert moderator.get(DOMAINS).status_code == 403
    page = admin.get(DOMAINS)
    assert page.status_code == 200
    assert host_of(portal_b) in page.content.decode()

    for client, expected in ((anonymous, 302), (member, 403), (moderator, 403)):
        response = client.post(DOMAINS, {"hostname": "verein-beta.example"})
        assert response.status_code == expected
    assert not Domain.objects.filter(domain="verein-beta.example").exists()
    assert admin.post(DOMAINS, {"hostname": "verein-beta.example"}).status_code == 302
    assert Domain.objects.get(domain="verein-beta.example").tenant_id == portal_b.pk


def test_member_cannot_act_on_a_domain_of_their_own_portal_but_its_admin_can(portal_b):
    domain = Domain.objects.create(domain="mitglied.example", tenant=portal_b, is_primary=False)
    url = f"{DOMAINS}{domain.pk}/remove/"
    member = log_in(Client(HTTP_HOST=host_of(portal_b)), member_of(portal_b))

    assert member.post(url).status_code == 403
    assert Domain.objects.filter(pk=domain.pk).exists()

    response = admin_client(portal_b).post(url)
    assert (response.status_code, response["Location"]) == (302, DOMAINS)
    assert not Domain.objects.filter(pk=domain.pk).exists()


@pytest.mark.parametrize("action", ["verify", "primary", "remove"])
def test_admin_gets_404_for_another_portals_domain_whose_own_admin_may_act_on_it(
    action, portal_b, portal_c, dns_zone, django_capture_on_commit_callbacks
):
    # Unverified for "verify" (so that the check has an effect), verified for the others.
    domain = Domain.objects.create(
        domain="gamma-verein.example",
        tenant=portal_c,
        is_primary=False,
        is_verified=action != "verify",
        verification_token="token-of-gamma",
    )
    dns_zone.txt[challenge_name(domain)] = [domain.verification_token]
    url = f"{DOMAINS}{domain.pk}/{action}/"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(portal_b).post(url)

    assert response.status_code == 404
    unchanged = Domain.objects.get(pk=domain.pk)
    assert (unchanged.tenant_id, unchanged.is_primary, unchanged.is_verified) == (
        portal_c.pk,
        False,
        action != "verify",
    )
    assert _domain_rows(portal_b) == _domain_rows(portal_c) == _domain_rows() == []

    owner, owner_client = _admin(portal_c)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url)

    assert (response.status_code, response["Location"]) == (302, DOMAINS)
    if action == "remove":
        assert not Domain.objects.filter(pk=domain.pk).exists()
    else:
        domain.refresh_from_db()
        assert domain.is_verified
        assert domain.is_primary == (action == "primary")
        if action == "primary":
            assert portal_base_url(portal_c) == "http://gamma-verein.example:8000/"
    by_whom = (None, "dns check") if action == "verify" else (owner.pk, "")
    event_type = {
        "verify": EventType.DOMAIN_VERIFIED,
        "primary": EventType.DOMAIN_MADE_PRIMARY,
        "remove": EventType.DOMAIN_REMOVED,
    }[action]
    assert _rows_anywhere(portal_c) == [(event_type, *by_whom, domain.domain)]
    if action != "verify":
        assert _domain_rows() == []  # the owner's action is in the owner's portal's log
    assert _domain_rows(portal_b) == []


def test_unknown_domain_action_is_404_and_known_ones_need_post(portal_b):
    domain = Domain.objects.create(domain="aktion.example", tenant=portal_b, is_primary=False)
    admin = admin_client(portal_b)

    assert admin.post(f"{DOMAINS}{domain.pk}/explode/").status_code == 404
    assert admin.get(f"{DOMAINS}{domain.pk}/remove/").status_code == 405
    assert Domain.objects.filter(pk=domain.pk).exists()
    assert admin.post(f"{DOMAINS}{domain.pk}/remove/").status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()


def test_platform_subdomain_and_primary_stay_while_another_domain_can_be_removed(
    portal_b, django_capture_on_commit_callbacks
):
    admin = admin_client(portal_b)
    platform_name = Domain.objects.get(tenant=portal_b, is_primary=True)
    assert platform_name.domain == host_of(portal_b)
    own = Domain.objects.create(domain="haupt.example", tenant=portal_b, is_primary=False)
    extra = Domain.objects.create(domain="extra.example", tenant=portal_b, is_primary=False)

    response = admin.post(f"{DOMAINS}{platform_name.pk}/remove/", follow=True)
    assert response.redirect_chain == [(DOMAINS, 302)]
    assert _messages(response) == ["The portal's address under the platform stays."]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{DOMAINS}{own.pk}/primary/", follow=True)
    assert _messages(response) == ["haupt.example is now the main address."]
    response = admin.post(f"{DOMAINS}{own.pk}/remove/", follow=True)
    assert _messages(response) == ["Make another address the main one first."]
    assert set(Domain.objects.filter(tenant=portal_b).values_list("domain", flat=True)) == {
        platform_name.domain,
        own.domain,
        extra.domain,
    }
    assert Domain.objects.get(pk=own.pk).is_primary
    assert [row[0] for row in _domain_rows(portal_b)] == [EventType.DOMAIN_MADE_PRIMARY]

    response = admin.post(f"{DOMAINS}{extra.pk}/remove/", follow=True)
    assert _messages(response) == ["Removed extra.example."]
    assert not Domain.objects.filter(pk=extra.pk).exists()
    assert [row[0] for row in _domain_rows(portal_b)] == [
        EventType.DOMAIN_MADE_PRIMARY,
        EventType.DOMAIN_REMOVED,
    ]


@pytest.mark.parametrize(
    ("hostname", "reason"),
    [
        ("localhost", "belong to the platform"),
        ("alpha.localhost", "belong to the platform"),
        ("not a domain", "is not a domain name"),
        ("nodot", "is not a domain name"),
    ],
)
def test_bad_or_foreign_domains_are_refused(portal_b, english, hostname, reason):
    with pytest.raises(ValidationError, match=reason):
        domain_add(portal=portal_b, hostname=hostname)
    assert not Domain.objects.filter(tenant=portal_b, is_primary=False).exists()


def test_domain_of_another_portal_is_refused(portal_a, portal_b, english):
    Domain.objects.create(domain="verein.example", tenant=portal_a, is_primary=False)
    with pytest.raises(ValidationError, match="belongs to another portal"):
        domain_add(portal=portal_b, hostname="verein.example")
    assert Domain.objects.get(domain="verein.example").tenant_id == portal_a.pk
    # The same name is free for a portal once nobody has it.
    Domain.objects.filter(domain="verein.example").delete()
    assert domain_add(portal=portal_b, hostname="verein.example").tenant_id == portal_b.pk


def test_community_portal_has_no_own_domains(portal_a, portal_b, english):
    with pytest.raises(ValidationError, match="not part of this portal's plan"):
        domain_add(portal=portal_a, hostname="alpha.example")
    assert admin_client(portal_a).get(DOMAINS).status_code == 404
    assert Client(HTTP_HOST=host_of(portal_a)).get(DOMAINS).status_code == 404
    # The same page and service on a Professional portal.
    assert admin_client(portal_b).get(DOMAINS).status_code == 200
    assert domain_add(portal=portal_b, hostname="beta.example").tenant_id == portal_b.pk


def test_tls_terminator_may_issue_only_for_serving_portals(portal_b, platform_client):
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
