"""The map's API endpoint: the map's items as GeoJSON, for members, with the same scoping."""

from __future__ import annotations

from tests.features.conftest import set_feature


def test_the_api_lists_what_the_member_may_see_as_geojson(people, world):
    response = people.client("member").get("/api/v1/places/")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    titles = {feature["properties"]["title"] for feature in body["features"]}
    assert titles == {"Gartenfreunde Mitte", "Straßenfest", "Bank am Teich"}
    secret = people.client("space_member").get("/api/v1/places/", {"type": "project"}).json()
    assert [f["properties"]["title"] for f in secret["features"]] == ["Geheimprojekt"]


def test_the_api_needs_a_login_and_the_map_module(people, world, portal_b):
    assert people.client("visitor").get("/api/v1/places/").status_code == 403
    member = people.client("member")
    assert "places" in member.get("/api/v1/").json()
    set_feature(portal_b, "map", False)
    assert member.get("/api/v1/places/").status_code == 404
    assert "places" not in member.get("/api/v1/").json()
