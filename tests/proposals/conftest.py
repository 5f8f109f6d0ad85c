"""Fixtures of the proposals tests: portal B (Professional, so proposals and the API are on)
with an initiative (a space whose admin is `lead`, with `drafter` as member), people around it,
a district council with an address, and clients logged in as each of them."""

from __future__ import annotations

import pytest

from accounts.models import Role
from proposals.models import BodyKind, RecipientBody
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal
from tests.spaces.factories import space_of


class People:
    def __init__(self, portal_b):
        self.portal = portal_b
        self.lead = member_of(portal_b, display_name="Lena Leitung")
        self.drafter = member_of(portal_b, display_name="Dora Entwurf")
        self.signer = member_of(portal_b, display_name="Sigrid Mitzeichnerin")
        self.signer2 = member_of(portal_b, display_name="Sven Zweiter")
        self.outsider = member_of(portal_b, display_name="Otto Außen")
        self.moderator = member_of(portal_b, Role.MODERATOR, display_name="Moritz Moderator")
        self.admin = member_of(portal_b, Role.ADMIN, display_name="Anna Admin")
        with in_portal(portal_b):
            self.space = space_of(
                name="Initiative Kanalufer", admin=self.lead, members=[self.drafter]
            )
            self.body = RecipientBody.objects.create(
                name="Stadtbezirksbeirat Mitte",
                kind=BodyKind.DISTRICT_COUNCIL,
                email="beirat@rathaus.example",
            )

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
