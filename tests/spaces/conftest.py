"""Fixtures of the spaces tests: the named people of portal B (Professional: private spaces,
documents and the API are on) and clients logged in as them."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal


class People:
    """Everyone the visibility tests ask about, on portal B, with a client each."""

    def __init__(self, portal_a, portal_b):
        self.portal = portal_b
        self.member = member_of(portal_b, display_name="Mia Mitglied")
        self.space_member = member_of(portal_b, display_name="Sami Raum")
        self.space_admin = member_of(portal_b, display_name="Ada Raumadmin")
        self.invited = member_of(portal_b, display_name="Ines Eingeladen")
        self.moderator = member_of(portal_b, Role.MODERATOR, display_name="Moritz Moderator")
        self.admin = member_of(portal_b, Role.ADMIN, display_name="Anna Admin")
        self.foreign = member_of(portal_a, display_name="Fremd Alpha")
        self.portal_a = portal_a

    def client(self, role: str):
        from django.test import Client

        from tests.accounts.factories import host_of

        if role == "visitor":
            return Client(HTTP_HOST=host_of(self.portal), HTTP_ACCEPT_LANGUAGE="en")
        if role == "foreign":
            # A member of portal A, logged in on A, whose cookie reaches B: a visitor there.
            a_client = logged_in_client(self.portal_a, self.foreign, HTTP_ACCEPT_LANGUAGE="en")
            client = Client(HTTP_HOST=host_of(self.portal), HTTP_ACCEPT_LANGUAGE="en")
            for name, morsel in a_client.cookies.items():
                client.cookies[name] = morsel.value
            return client
        return logged_in_client(self.portal, getattr(self, role), HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def people(db, portal_a, portal_b) -> People:
    return People(portal_a, portal_b)


@pytest.fixture
def in_b(portal_b):
    with in_portal(portal_b):
        yield portal_b
