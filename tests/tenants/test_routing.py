"""Host routing: every Host header leads to exactly one place (the platform site, one portal or a
status page of its own), never falls through to another, and costs no query in steady state."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tenants.models import Domain, Portal, PortalStatus
from tenants.routing import resolve_host
from tenants.services import portal_archive, portal_resume, portal_suspend
from tests.accounts.factories import host_of, log_in, member_of, staff_user
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db


def _get(host: str, path: str = "/"):
    return Client(HTTP_HOST=host).get(path)


# --- unknown and malformed hosts -------------------------------------------------------------


def test_unknown_host_gets_404_portal_not_found_page(portal_a):
    with in_portal(portal_a):
        PostFactory(body="Nur im Alpha-Portal zu lesen")

    response = _get(f"nope.{settings.PLATFORM_DOMAIN}")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Portal nicht gefunden" in body
    assert f"nope.{settings.PLATFORM_DOMAIN}" in body
    assert "Nur im Alpha-Portal zu lesen" not in body
    assert "Portals on Allmende" not in body and "Portale auf Allmende" not in body
    assert portal_a.name not in body


def test_unknown_host_stays_404_when_the_negative_answer_is_cached(portal_a):
    host = f"nope.{settings.PLATFORM_DOMAIN}"
    assert _get(host).status_code == 404

    with CaptureQueriesContext(connection) as queries:
        response = _get(host)

    assert response.status_code == 404
    assert len(queries) == 0


def test_unknown_host_with_port_gets_404(portal_a):
    response = _get(f"nope.{settings.PLATFORM_DOMAIN}:8000")

    assert response.status_code == 404
    assert "Portal nicht gefunden" in response.content.decode()


@pytest.mark.parametrize(
    "host",
    [
        "a b",
        "exa mple.com",
        "..",
        ".",
        "-bad-.localhost",
        "under_score.localhost",
        "a" * 64 + ".localhost",
        ("a" * 60 + ".") * 5 + "localhost",
        "x" * 10_000,
        "alpha.localhost\r\nX-Injected: 1",
        "alpha.localhost/../beta",
    ],
    ids=[
        "space",
        "space-in-domain",
        "dots",
        "single-dot",
        "hyphen-edges",
        "underscore",
        "label-too-long",
        "name-too-long",
        "very-long",
        "crlf",
        "slash",
    ],
)
def test_garbage_host_header_gets_400_not_500(portal_a, host):
    response = Client(HTTP_HOST=host, raise_request_exception=True).get("/")

    assert response.status_code == 400
    assert "Ungültige Adresse" in response.content.decode()


def test_empty_host_header_gets_400(portal_a):
    response = Client(HTTP_HOST="", SERVER_NAME="").get("/")

    assert response.status_code == 400


# --- platform site and operator console ------------------------------------------------------


def test_platform_host_serves_the_platform_site_listing_active_portals(portal_a, portal_b):
    response = _get(settings.PLATFORM_DOMAIN)

    assert response.status_code == 200
    body = response.content.decode()
    assert portal_a.name in body
    assert portal_b.name in body
    assert f"//{host_of(portal_a)}" in body
    assert "Portal nicht gefunden" not in body


def test_platform_site_does_not_list_suspended_portals(
    portal_a, portal_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal_suspend(portal=portal_b)

    body = _get(settings.PLATFORM_DOMAIN).content.decode()

    assert portal_a.name in body
    assert portal_b.name not in body


def test_platform_host_with_port_and_trailing_dot_is_the_platform(portal_a):
    for host in (f"{settings.PLATFORM_DOMAIN}:8000", f"{settings.PLATFORM_DOMAIN.upper()}."):
        response = _get(host)
        assert response.status_code == 200, host
        assert portal_a.name in response.content.decode()


def test_operator_console_is_404_on_a_portal_host(client_a, platform_client):
    assert client_a.get("/operator/").status_code == 404
    assert client_a.get("/operator/login/").status_code == 404
    assert client_a.get("/operator/tenants/portal/").status_code == 404
    # The same paths exist on the platform host.
    # The console's own login leads to the two-factor login of allauth.
    login = platform_client.get("/operator/login/")
    assert login.status_code == 302 and login["Location"] == "/accounts/login/?next=/operator/"
    assert platform_client.get("/accounts/login/?next=/operator/").status_code == 200
    assert platform_client.get("/operator/tenants/portal/").status_code == 302


def test_operator_console_redirects_anonymous_user_to_admin_login(platform_client):
    response = platform_client.get("/operator/")

    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")


def test_operator_console_shows_portal_list_to_staff_superuser(platform_client, portal_a, portal_b):
    connection.set_schema_to_public()
    platform_client.force_login(staff_user())

    index = platform_client.get("/operator/")
    listing = platform_client.get("/operator/tenants/portal/")

    assert index.status_code == 200
    assert listing.status_code == 200
    body = listing.content.decode()
    assert portal_a.name in body
    assert portal_b.name in body


def test_portal_member_session_does_not_open_the_operator_console(
    client_a, platform_client, portal_a
):
    # A superuser of portal A's schema, with the operator's e-mail address even.
    chief = member_of(
        portal_a,
        Role.ADMIN,
        email="operator@allmende.example",
        is_staff=True,
        is_superuser=True,
    )
    log_in(client_a, chief)
    assert client_a.get("/manage/features/").status_code == 200  # the session works on A
    platform_client.cookies[settings.SESSION_COOKIE_NAME] = client_a.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    response = platform_client.get("/operator/tenants/portal/")

    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")

    # Positive control: a platform operator's session on the platform host opens it.
    operator_client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    operator_client.force_login(staff_user())
    assert operator_client.get("/operator/tenants/portal/").status_code == 200


# --- portal status pages ---------------------------------------------------------------------


def test_suspended_portal_gets_403_page_and_200_again_after_resume(
    client_a, portal_a, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        PostFactory(body="Inhalt, der während der Sperre verborgen bleibt")
    assert client_a.get("/").status_code == 200  # warms the routing cache

    with django_capture_on_commit_callbacks(execute=True):
        portal_suspend(portal=portal_a, reason="Rechnung offen")
    suspended = client_a.get("/")

    assert suspended.status_code == 403
    body = suspended.content.decode()
    assert "vorübergehend gesperrt" in body
    assert portal_a.name in body
    assert "Inhalt, der während der Sperre verborgen bleibt" not in body
    assert client_a.get("/media/posts/x.png").status_code == 403
    assert client_a.get("/accounts/login/").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        portal_resume(portal=portal_a)
    resumed = client_a.get("/")

    assert resumed.status_code == 200
    assert "Inhalt, der während der Sperre verborgen bleibt" in resumed.content.decode()


def test_suspending_one_portal_leaves_the_other_online(
    client_a, client_b, portal_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal_suspend(portal=portal_a)

    assert client_a.get("/").status_code == 403
    assert client_b.get("/").status_code == 200


def test_archived_portal_gets_410(client_a, portal_a, django_capture_on_commit_callbacks):
    assert client_a.get("/").status_code == 200  # warms the routing cache

    with django_capture_on_commit_callbacks(execute=True):
        portal_archive(portal=portal_a)
    response = client_a.get("/")

    assert response.status_code == 410
    assert "gelöscht" in response.content.decode()
    assert client_a.get("/healthz").status_code == 410


def test_portal_still_provisioning_gets_503_with_retry_after(db):
    portal = Portal.objects.create(
        schema_name="p_im_bau",
        slug="im-bau",
        name="Portal im Bau",
        status=PortalStatus.PROVISIONING,
    )
    Domain.objects.create(domain=f"im-bau.{settings.PLATFORM_DOMAIN}", tenant=portal)

    response = _get(f"im-bau.{settings.PLATFORM_DOMAIN}")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"


# --- steady state costs no query -------------------------------------------------------------


def test_resolving_a_known_host_costs_no_query_after_warm_up(portal_a):
    hostname = host_of(portal_a)
    resolve_host(hostname)

    with CaptureQueriesContext(connection) as queries:
        route = resolve_host(hostname)

    assert len(queries) == 0
    assert route.portal is not None
    assert route.portal.pk == portal_a.pk


def test_first_resolve_of_a_host_queries_the_database(portal_a):
    with CaptureQueriesContext(connection) as queries:
        route = resolve_host(host_of(portal_a))

    assert len(queries) >= 1
    assert route.portal.pk == portal_a.pk


def test_resolving_the_platform_host_never_queries(db):
    with CaptureQueriesContext(connection) as queries:
        route = resolve_host(settings.PLATFORM_DOMAIN)

    assert route.is_platform
    assert len(queries) == 0


def test_second_healthz_request_on_a_portal_host_makes_no_query(client_a):
    assert client_a.get("/healthz").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = client_a.get("/healthz")

    assert response.status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]


# --- routing cache invalidation --------------------------------------------------------------


def test_added_domain_routes_at_once_although_it_was_cached_as_unknown(
    portal_a, django_capture_on_commit_callbacks
):
    hostname = "buergerportal.example.org"
    assert resolve_host(hostname).portal is None  # cached as unknown

    with django_capture_on_commit_callbacks(execute=True):
        Domain.objects.create(domain=hostname, tenant=portal_a, is_primary=False)

    route = resolve_host(hostname)
    assert route.portal is not None
    assert route.portal.pk == portal_a.pk
    assert Client(HTTP_HOST=hostname).get("/healthz").status_code == 200


def test_renamed_domain_forgets_the_old_hostname_and_routes_the_new(
    portal_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain = Domain.objects.create(domain="alt.example.org", tenant=portal_a, is_primary=False)
    domain = Domain.objects.get(pk=domain.pk)
    assert resolve_host("alt.example.org").portal.pk == portal_a.pk
    assert resolve_host("neu.example.org").portal is None

    with django_capture_on_commit_callbacks(execute=True):
        domain.domain = "neu.example.org"
        domain.save()

    assert resolve_host("alt.example.org").portal is None
    assert resolve_host("neu.example.org").portal.pk == portal_a.pk
    assert _get("alt.example.org").status_code == 404


def test_renaming_the_same_domain_instance_twice_forgets_every_old_hostname(
    portal_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain = Domain.objects.create(domain="eins.example.org", tenant=portal_a, is_primary=False)
    domain = Domain.objects.get(pk=domain.pk)

    with django_capture_on_commit_callbacks(execute=True):
        domain.domain = "zwei.example.org"
        domain.save()
    assert resolve_host("zwei.example.org").portal.pk == portal_a.pk  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        domain.domain = "drei.example.org"
        domain.save()

    assert resolve_host("zwei.example.org").portal is None
    assert resolve_host("drei.example.org").portal.pk == portal_a.pk


def test_deleted_domain_no_longer_routes(portal_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        domain = Domain.objects.create(domain="weg.example.org", tenant=portal_a, is_primary=False)
    assert resolve_host("weg.example.org").portal.pk == portal_a.pk

    with django_capture_on_commit_callbacks(execute=True):
        domain.delete()

    assert resolve_host("weg.example.org").portal is None
    assert _get("weg.example.org").status_code == 404


def test_domain_moved_to_another_portal_routes_there(
    portal_a, portal_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain = Domain.objects.create(
            domain="wandert.example.org", tenant=portal_a, is_primary=False
        )
    assert resolve_host("wandert.example.org").portal.pk == portal_a.pk

    with django_capture_on_commit_callbacks(execute=True):
        domain.tenant = portal_b
        domain.save()

    assert resolve_host("wandert.example.org").portal.pk == portal_b.pk


def test_status_change_is_seen_by_the_first_resolve_afterwards(
    portal_a, django_capture_on_commit_callbacks
):
    hostname = host_of(portal_a)
    assert resolve_host(hostname).portal.status == PortalStatus.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        portal_suspend(portal=portal_a)
    assert resolve_host(hostname).portal.status == PortalStatus.SUSPENDED

    with django_capture_on_commit_callbacks(execute=True):
        portal_resume(portal=portal_a)
    assert resolve_host(hostname).portal.status == PortalStatus.ACTIVE


def test_rolled_back_change_does_not_evict_the_cached_route(portal_a):
    hostname = host_of(portal_a)
    resolve_host(hostname)

    # Without executing on-commit callbacks the change never commits as far as the cache knows.
    portal_suspend(portal=portal_a)

    with CaptureQueriesContext(connection) as queries:
        route = resolve_host(hostname)
    assert len(queries) == 0
    assert route.portal.status == PortalStatus.ACTIVE
