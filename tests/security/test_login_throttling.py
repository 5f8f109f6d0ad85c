"""Guessing passwords stops working: after a few wrong ones the right one does not log in
either, for a while."""

from __future__ import annotations

import pytest

from tests.accounts.factories import PASSWORD, member_of, session_user_id
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def test_twelve_wrong_passwords_then_the_right_one_does_not_log_in(portal_a, client_a):
    member = member_of(portal_a, email="ziel@example.org")
    for attempt in range(12):
        client_a.post("/accounts/login/", {"login": member.email, "password": f"falsch-{attempt}"})
    client_a.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert session_user_id(client_a, portal_a) is None

    # Positive control: the same password works for a member nobody guessed at.
    other = member_of(portal_a, email="andere@example.org")
    from django.test import Client

    fresh = Client(HTTP_HOST=host_of(portal_a), REMOTE_ADDR="192.0.2.10")
    response = fresh.post("/accounts/login/", {"login": other.email, "password": PASSWORD})
    assert response.status_code == 302
    assert session_user_id(fresh, portal_a) == str(other.pk)
