"""Fixtures of the events tests: named people of portal B (every plan includes the calendar),
clients logged in as them, and Berlin wall-clock times."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.test import Client

from accounts.models import Role
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def events_on():
    """The module as the portal resolves it now, not as a cached load of an earlier test."""
    caches["default"].clear()
    yield


class People:
    def __init__(self, portal):
        self.portal = portal
        self.organiser = member_of(portal, display_name="Olga Organisatorin")
        self.member = member_of(portal, display_name="Mia Mitglied")
        self.other = member_of(portal, display_name="Otto Anderer")
        self.moderator = member_of(portal, Role.MODERATOR, display_name="Moritz Moderator")
        self.admin = member_of(portal, Role.ADMIN, display_name="Anna Admin")

    def client(self, role: str, *, language: str = "de"):
        """A client on the portal's host, as `role` ("visitor": not logged in). After each
        request the test is back in the portal's schema, where its objects live."""
        if role == "visitor":
            client = _Client(HTTP_HOST=host_of(self.portal), HTTP_ACCEPT_LANGUAGE=language)
        else:
            client = logged_in_client(
                self.portal, getattr(self, role), HTTP_ACCEPT_LANGUAGE=language
            )
            client.__class__ = _Client
        client.portal = self.portal
        return client


class _Client(Client):
    portal = None

    def request(self, **request):
        from django.db import connection

        try:
            return super().request(**request)
        finally:
            if self.portal is not None:
                connection.set_tenant(self.portal)


@pytest.fixture
def in_b(portal_b, events_on):
    with in_portal(portal_b):
        yield portal_b


@pytest.fixture
def people(db, in_b) -> People:
    return People(in_b)


def at(*args) -> datetime.datetime:
    """An aware Berlin wall-clock time: at(2026, 12, 3, 19) is 3 December 2026, 19:00."""
    return datetime.datetime(*args, tzinfo=BERLIN)
