"""Fixtures of the ideas tests: named people of portal B (Professional, so the API is on) and
clients logged in as them."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal


class People:
    def __init__(self, portal_b):
        self.portal = portal_b
        self.author = member_of(portal_b, display_name="Ida Ideengeberin")
        self.member = member_of(portal_b, display_name="Mia Mitglied")
        self.supporter = member_of(portal_b, display_name="Udo Unterstützer")
        self.moderator = member_of(portal_b, Role.MODERATOR, display_name="Moritz Moderator")
        self.admin = member_of(portal_b, Role.ADMIN, display_name="Anna Admin")

    def client(self, role: str):
        from django.test import Client

        if role == "visitor":
            return Client(HTTP_HOST=host_of(self.portal), HTTP_ACCEPT_LANGUAGE="en")
        return logged_in_client(self.portal, getattr(self, role), HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def people(db, portal_b) -> People:
    return People(portal_b)


@pytest.fixture
def in_b(portal_b):
    with in_portal(portal_b):
        yield portal_b
