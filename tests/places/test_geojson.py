"""The GeoJSON the map draws: only what the viewer may see, each layer from its module, the
filters, and a query count that does not grow with the number of places."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Topic
from tests.conftest import in_portal
from tests.events.factories import event_of
from tests.features.conftest import set_feature
from tests.ideas.factories import idea_of
from tests.places.conftest import soon
from tests.spaces.factories import space_of

URL = "/map/data.geojson"


def _titles(client, **params) -> set[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:300]
    return {feature["properties"]["title"] for feature in response.json()["features"]}


PUBLIC = {"Gartenfreunde Mitte", "Straßenfest", "Bank am Teich"}
SECRET = {"Geheimprojekt", "Geheimtreffen"}


def test_a_private_spaces_project_and_its_event_show_only_to_its_members(people, world):
    for role in ("visitor", "member"):
        titles = _titles(people.client(role))
        assert titles == PUBLIC, role
    # Positive control: the space's own member sees both, with everything public.
    assert _titles(people.client("space_member")) == PUBLIC | SECRET


def test_features_are_geojson_points_in_longitude_latitude_order(people, world):
    response = people.client("visitor").get(URL)
    assert response["Content-Type"] == "application/geo+json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["type"] == "FeatureCollection"
    by_title = {feature["properties"]["title"]: feature for feature in body["features"]}
    group = by_title["Gartenfreunde Mitte"]
    assert group["geometry"] == {"type": "Point", "coordinates": [10.13, 54.32]}
    assert group["properties"]["kind"] == "space"
    assert group["properties"]["url"] == f"/spaces/{world.group.slug}/"
    assert group["properties"]["topic"] == "Garten"
    event = by_title["Straßenfest"]["properties"]
    assert event["kind"] == "event" and event["district"] == "Mitte"
    assert datetime.datetime.fromisoformat(event["when"]) == world.public_event.starts_at
    assert event["url"] == f"/events/{world.public_event.pk}/"
    assert by_title["Bank am Teich"]["properties"]["url"] == f"/ideas/{world.idea.pk}/"


def test_filters_by_type_topic_district_and_date(people, world):
    client = people.client("space_member")
    assert _titles(client, type="project") == {"Geheimprojekt"}
    assert _titles(client, type="space") == {"Gartenfreunde Mitte"}
    assert _titles(client, type="event") == {"Straßenfest", "Geheimtreffen"}
    assert _titles(client, type="idea") == {"Bank am Teich"}
    assert _titles(client, topic=world.garden.pk) == {"Gartenfreunde Mitte", "Bank am Teich"}
    assert _titles(client, topic=world.traffic.pk) == {"Straßenfest"}
    assert _titles(client, district="mitte") == {"Gartenfreunde Mitte", "Straßenfest"}
    day_of_secret = timezone.localtime(world.secret_event.starts_at).date().isoformat()
    assert _titles(client, type="event", **{"from": day_of_secret}) == {"Geheimtreffen"}
    day_of_public = timezone.localtime(world.public_event.starts_at).date().isoformat()
    assert _titles(client, type="event", to=day_of_public) == {"Straßenfest"}
    # Dates narrow the events only; stale or broken values are ignored, not an error.
    assert "Bank am Teich" in _titles(client, **{"from": day_of_secret})
    assert _titles(client, type="nonsense", topic="x", to="2026-02-30") == PUBLIC | SECRET


def test_a_layer_whose_module_is_off_is_absent(people, world, portal_b):
    set_feature(portal_b, "events", False)
    assert _titles(people.client("member")) == {"Gartenfreunde Mitte", "Bank am Teich"}
    set_feature(portal_b, "ideas", False)
    assert _titles(people.client("member")) == {"Gartenfreunde Mitte"}
    set_feature(portal_b, "spaces", False)
    assert _titles(people.client("member")) == set()


def test_the_map_itself_is_gone_while_its_module_is_off(people, world, portal_b):
    client = people.client("member")
    assert client.get(URL).status_code == 200  # positive control
    set_feature(portal_b, "map", False)
    for url in (URL, "/map/", "/map/directory/"):
        assert client.get(url).status_code == 404, url


def _fill(people, portal, count: int, start: int) -> None:
    with in_portal(portal):
        topic = Topic.objects.create(name=f"Thema {start}")
        for number in range(start, start + count):
            latitude, longitude = Decimal("54.2") + number / Decimal(1000), Decimal("10.1")
            space = space_of(name=f"Ort {number}", latitude=latitude, longitude=longitude)
            space.topics.add(topic)
            event_of(
                organiser=people.member,
                title=f"Termin {number}",
                starts_at=soon(1 + number % 20),
                latitude=latitude,
                longitude=longitude,
                topic_id=topic.pk,
                rrule="FREQ=WEEKLY;COUNT=5" if number % 2 else "",
            )
            idea_of(
                author=people.member,
                title=f"Idee {number}",
                latitude=latitude,
                longitude=longitude,
                topic=topic,
            )


def _count_queries(client) -> tuple[int, int]:
    client.get(URL)  # warm the per-portal caches (modules, membership rules)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    return len(queries), len(response.json()["features"])


def test_the_query_count_does_not_grow_with_the_number_of_places(people, portal_b):
    client = people.client("member")
    _fill(people, portal_b, 3, 0)
    few, shown_few = _count_queries(client)
    _fill(people, portal_b, 27, 100)
    many, shown_many = _count_queries(client)
    assert (shown_few, shown_many) == (9, 90)
    assert many == few, f"{few} queries for 9 places, {many} for 90"
