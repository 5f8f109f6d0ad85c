"""Fixtures of the map tests: named people of portal B (Professional: private spaces and the
API are on) and a small world of places, each layer with something every viewer may see and
something only a private space's members may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, Topic
from spaces.models import SpaceKind, SpaceVisibility
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal
from tests.events.factories import event_of
from tests.ideas.factories import idea_of
from tests.spaces.factories import space_of


class People:
    def __init__(self, portal):
        self.portal = portal
        self.member = member_of(portal, display_name="Mia Mitglied")
        self.space_member = member_of(portal, display_name="Sami Raum")
        self.admin = member_of(portal, Role.ADMIN, display_name="Anna Admin")

    def client(self, role: str) -> Client:
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


def soon(days: int = 2) -> datetime.datetime:
    """Noon, local time, `days` days from today: events a day apart never overlap a day's
    boundary, whatever the hour the suite runs at (at 22:00 a two-hour event ran into the next
    day and the date filter rightly kept it)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


@dataclass
class World:
    garden: Topic
    traffic: Topic
    group: object
    secret_project: object
    public_event: object
    secret_event: object
    idea: object


def build_world(people: People) -> World:
    """Inside portal B's schema. Everything but the noted rows has a place."""
    garden = Topic.objects.create(name="Garten")
    traffic = Topic.objects.create(name="Verkehr")
    group = space_of(
        name="Gartenfreunde Mitte",
        place="Mitte",
        latitude=Decimal("54.320000"),
        longitude=Decimal("10.130000"),
        admin=people.member,
    )
    group.topics.add(garden)
    secret_project = space_of(
        name="Geheimprojekt",
        kind=SpaceKind.PROJECT,
        visibility=SpaceVisibility.PRIVATE,
        place="Nord",
        latitude=Decimal("54.350000"),
        longitude=Decimal("10.140000"),
        admin=people.space_member,
    )
    public_event = event_of(
        organiser=people.member,
        title="Straßenfest",
        starts_at=soon(2),
        district="Mitte",
        place="Marktplatz",
        latitude="54.321000",
        longitude="10.131000",
        topic_id=traffic.pk,
    )
    secret_event = event_of(
        organiser=people.space_member,
        space=secret_project,
        title="Geheimtreffen",
        starts_at=soon(3),
        district="Nord",
        latitude="54.351000",
        longitude="10.141000",
    )
    idea = idea_of(
        author=people.member,
        title="Bank am Teich",
        place="Süd",
        latitude=Decimal("54.300000"),
        longitude=Decimal("10.100000"),
        topic=garden,
    )
    # Without a place, over, hidden or archived: never on the map.
    space_of(name="Ortlos")
    event_of(organiser=people.member, title="Online-Treffen", starts_at=soon(1))
    event_of(
        organiser=people.member,
        title="Vorbei",
        starts_at=soon(-3),
        latitude="54.3",
        longitude="10.1",
    )
    idea_of(
        author=people.member,
        title="Versteckt",
        latitude=Decimal("54.3"),
        longitude=Decimal("10.1"),
        hidden_at=timezone.now(),
    )
    return World(garden, traffic, group, secret_project, public_event, secret_event, idea)


@pytest.fixture
def world(people, portal_b) -> World:
    with in_portal(portal_b):
        return build_world(people)
