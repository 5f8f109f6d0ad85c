"""The platform site's own pages: its legal pages written by the operators, and a forgotten
password for platform staff."""

from __future__ import annotations

import re

import pytest

from tenants.models import PlatformPage
from tests.accounts.factories import staff_user

pytestmark = pytest.mark.django_db


def test_the_platforms_legal_pages_appear_once_written(platform_client):
    assert platform_client.get("/impressum/").status_code == 404
    assert 'href="/impressum/"' not in platform_client.get("/").content.decode()
    PlatformPage.objects.create(kind="impressum", body="<p>Betreiber GmbH</p><script>x()</script>")
    page = platform_client.get("/impressum/").content.decode()
    assert "Betreiber GmbH" in page and "<script>x()" not in page
    assert 'href="/impressum/"' in platform_client.get("/").content.decode()


def test_staff_can_reset_a_forgotten_password_on_the_platform_host(
    platform_client, mailoutbox, django_capture_on_commit_callbacks
):
    staff_user(email="ops@allmende.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post(
            "/accounts/password/reset/", {"email": "ops@allmende.example"}
        )
    assert response.status_code == 302
    link = re.search(r"(http://\S+/accounts/password/reset/key/\S+)", mailoutbox[-1].body).group(1)
    assert link.startswith("http://localhost")


def test_the_footer_asks_the_database_once_for_the_legal_pages(platform_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    platform_client.get("/")
    with CaptureQueriesContext(connection) as warm:
        platform_client.get("/")
    assert not [q for q in warm.captured_queries if "tenants_platformpage" in q["sql"]]
    PlatformPage.objects.create(kind="privacy", body="<p>Wenig Daten.</p>")
    assert 'href="/datenschutz/"' in platform_client.get("/").content.decode()


def test_the_platform_home_costs_the_same_queries_for_two_portals_or_five(
    platform_client, portal_a, portal_b
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.models import Domain, Portal

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert platform_client.get("/").status_code == 200
        return len(captured.captured_queries)

    platform_client.get("/")  # caches warm
    few = queries()
    for n in range(3):
        portal = Portal.objects.create(
            schema_name=f"p_listed_{n}",
            slug=f"listed-{n}",
            name=f"Listed {n}",
            plan_id="community",
            status="active",
        )
        Domain.objects.create(domain=f"listed-{n}.example", tenant=portal, is_primary=True)
    many = queries()
    page = platform_client.get("/").content.decode()
    assert "Listed 2" in page and "listed-2.example" in page  # the new ones are on the page
    assert many == few
