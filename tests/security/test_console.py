"""The operator console deletes a staff account without touching portal-only tables: the
account is erased (anonymised), and the last administrator stays."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.accounts.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_deleting_a_staff_account_in_the_console_erases_it(english):
    operator = staff_user()
    leaving = UserFactory(email="weg@allmende.example", is_staff=True, role="admin")
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.force_login(operator)
    url = f"/operator/accounts/user/{leaving.pk}/delete/"
    assert console.get(url).status_code == 200
    response = console.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(email="weg@allmende.example").exists()
    assert not User.objects.get(pk=leaving.pk).is_active
    assert User.objects.get(pk=operator.pk).is_active  # positive control: the operator stays
