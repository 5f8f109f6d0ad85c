"""Fixtures of the events tests. The calendar's pages are not built yet, so its module is not
`built` in the catalogue and no portal has it on; `events_on` declares it built for one test
(the plan entitles every portal to it), which is what the catalogue will say once the pages
land."""

from __future__ import annotations

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches

from accounts.models import Role
from tests.accounts.factories import member_of
from tests.conftest import in_portal

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def events_on(monkeypatch):
    from features import catalogue

    monkeypatch.setitem(
        catalogue.FEATURES, "events", dataclasses.replace(catalogue.FEATURES["events"], built=True)
    )
    caches["default"].clear()
    yield


class People:
    def __init__(self, portal):
        self.portal = portal
        self.organiser = member_of(portal, display_name="Olga Organisatorin")
        self.member = member_of(portal, display_name="Mia Mitglied")
        self.other = member_of(portal, display_name="Otto Anderer")
        self.moderator = member_of(portal, Role.MODERATOR, display_name="Moritz Moderator")


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
