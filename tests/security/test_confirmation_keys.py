"""An e-mail confirmation key of one portal does not verify an address in another, even where
the address has the same id in both schemas (allauth's signed keys named only that id)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from tests.conftest import host_of, in_portal

pytestmark = pytest.mark.django_db
PASSWORD = "Sonnenblume-am-Deich-7"


def _sign_up(portal, email: str, capture) -> None:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    with capture(execute=True):
        Client(HTTP_HOST=host_of(portal)).post("/accounts/signup/", data)


def test_a_key_from_portal_b_does_not_verify_the_same_id_in_portal_a(
    portal_a, portal_b, mailoutbox, django_capture_on_commit_callbacks
):
    # Both addresses get the same id in their schemas: that is what the signed keys relied on.
    # (Sequences do not roll back with a test's transaction, so set them, do not count rows.)
    from django.db import connection

    def sequence_value(portal) -> int:
        with in_portal(portal), connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('account_emailaddress', 'id')")
            cursor.execute(f"SELECT last_value FROM {cursor.fetchone()[0]}")  # a catalog name
            return cursor.fetchone()[0]

    top = max(sequence_value(portal_a), sequence_value(portal_b)) + 1
    for portal in (portal_a, portal_b):
        with in_portal(portal), connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('account_emailaddress', 'id'), %s)", [top]
            )
    _sign_up(portal_a, "opfer@example.org", django_capture_on_commit_callbacks)
    _sign_up(portal_b, "angreifer@example.org", django_capture_on_commit_callbacks)
    with in_portal(portal_b):
        attacker_pk = EmailAddress.objects.get(email="angreifer@example.org").pk
    key_b = re.search(r"/accounts/confirm-email/([^/\s]+)/", mailoutbox[-1].body).group(1)
    with in_portal(portal_a):
        victim = EmailAddress.objects.get(email="opfer@example.org")
    assert victim.pk == attacker_pk
    response = Client(HTTP_HOST=host_of(portal_a)).post(f"/accounts/confirm-email/{key_b}/")
    assert response.status_code == 404
    with in_portal(portal_a):
        victim.refresh_from_db()
        assert not victim.verified
    # Positive control: B's key works on B.
    assert (
        Client(HTTP_HOST=host_of(portal_b)).post(f"/accounts/confirm-email/{key_b}/").status_code
        == 302
    )
    with in_portal(portal_b):
        assert EmailAddress.objects.get(email="angreifer@example.org").verified
