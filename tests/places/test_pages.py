"""The map page, the directory, the place picker include and the administrators' settings."""

from __future__ import annotations

import html

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from places.models import MapSettings
from places.services import clean_tile_url
from tests.conftest import in_portal


def test_the_map_page_shows_filters_map_privacy_note_and_the_directory_link(people, world):
    page = people.client("visitor").get("/map/", {"type": "event", "district": "Mitte"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'role="search"' in text and 'name="topic"' in text and 'name="from"' in text
    assert 'role="region"' in text and 'id="places-map"' in text
    assert 'data-geojson="/map/data.geojson?type=event&amp;district=Mitte"' in text
    assert 'href="/map/directory/?type=event&amp;district=Mitte"' in text
    assert "no background pictures" in text  # the default privacy note without tile server
    assert "vendor/leaflet/leaflet.js" in text


def test_the_map_page_names_the_tile_server_and_shows_the_own_privacy_note(people, portal_b):
    with in_portal(portal_b):
        MapSettings.objects.update_or_create(
            pk=1,
            defaults={
                "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
                "attribution": "© OpenStreetMap contributors",
            },
        )
    text = people.client("visitor").get("/map/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in text
    assert "tiles.example.org. That server sees your IP address" in text
    with in_portal(portal_b):
        MapSettings.objects.filter(pk=1).update(privacy_note="Kacheln vom Stadtserver.")
    text = people.client("visitor").get("/map/").content.decode()
    assert "Kacheln vom Stadtserver." in text and "sees your IP address" not in text


def test_without_leaflet_the_map_page_says_so_and_links_the_list(people, world, monkeypatch):
    from places import config

    monkeypatch.setitem(config.LEAFLET_FILES, "leaflet_js", "vendor/leaflet/missing.js")
    page = people.client("visitor").get("/map/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The map cannot be drawn" in text and 'href="/map/directory/"' in text
    assert "<script" not in text and 'id="places-map"' not in text


def test_the_directory_lists_the_same_items_grouped_with_links(people, world):
    client = people.client("space_member")
    features = client.get("/map/data.geojson").json()["features"]
    page = html.unescape(client.get("/map/directory/").content.decode())
    for feature in features:
        properties = feature["properties"]
        assert f'<a href="{properties["url"]}">{properties["title"]}</a>' in page
    assert "5 places found." in page
    for heading in ("Groups and initiatives", "Projects", "Upcoming events", "Ideas"):
        assert heading in page
    assert (
        page.index("Gartenfreunde Mitte") < page.index("Geheimprojekt") < page.index("Straßenfest")
    )
    filtered = html.unescape(client.get("/map/directory/", {"type": "idea"}).content.decode())
    assert "Bank am Teich" in filtered and "Straßenfest" not in filtered
    assert 'href="/map/?type=idea"' in filtered
    visitor_page = people.client("visitor").get("/map/directory/").content.decode()
    assert "Geheimprojekt" not in visitor_page and "Gartenfreunde Mitte" in visitor_page


def test_the_picker_include_renders_the_map_for_a_lat_lon_form(people, in_b):
    request = RequestFactory().get("/")
    template = Template(
        '<form><input name="latitude"><input name="longitude">'
        '{% include "places/_picker.html" %}</form>'
    )
    text = template.render(Context({"request": request}))
    assert "data-place-picker" in text and "places/place-picker.js" in text
    assert 'data-latitude="51.163400"' in text and 'data-zoom="6"' in text


def test_without_leaflet_the_picker_include_leaves_the_fields_alone(db, in_b, monkeypatch):
    from places import config

    monkeypatch.setitem(config.LEAFLET_FILES, "leaflet_css", "vendor/leaflet/missing.css")
    text = Template('{% include "places/_picker.html" %}').render(Context({}))
    assert text.strip() == ""


SETTINGS = "/manage/map/"


def _form(**changes) -> dict:
    values = {
        "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© OpenStreetMap contributors",
        "privacy_note": "Die Karte lädt Bilder von tiles.example.org.",
        "center_latitude": "54.323300",
        "center_longitude": "10.122800",
        "zoom": "12",
    }
    values.update(changes)
    return values


def test_an_admin_edits_the_map_settings(people, portal_b):
    admin = people.client("admin")
    assert admin.get(SETTINGS).status_code == 200
    saved = admin.post(SETTINGS, _form())
    assert saved.status_code == 302
    with in_portal(portal_b):
        row = MapSettings.objects.get(pk=1)
    assert row.tile_url == "https://tiles.example.org/{z}/{x}/{y}.png" and row.zoom == 12
    assert str(row.center_latitude) == "54.323300"
    text = people.client("visitor").get("/map/").content.decode()
    assert 'data-latitude="54.323300"' in text and 'data-zoom="12"' in text


@pytest.mark.parametrize(
    ("tile_url", "message"),
    [
        ("https://tiles.example.org/{z}/{x}.png", "missing: {y}"),
        ("http://tiles.example.org/{z}/{x}/{y}.png", "must start with https://"),
        ("https://tiles.example.org/{z}/{x}/{y}.png?key={apikey}", "not {apikey}"),
        ("javascript:alert(1)//{z}{x}{y}", "Enter a complete address"),
    ],
)
def test_a_bad_tile_address_is_refused_with_the_reason_and_kept(
    people, portal_b, tile_url, message
):
    response = people.client("admin").post(SETTINGS, _form(tile_url=tile_url))
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert message in text
    assert f'value="{tile_url}"' in text
    with in_portal(portal_b):
        assert not MapSettings.objects.filter(tile_url=tile_url).exists()


def test_only_admins_reach_the_map_settings(people, portal_b):
    assert people.client("admin").get(SETTINGS).status_code == 200  # positive control
    assert people.client("member").get(SETTINGS).status_code == 403
    assert people.client("member").post(SETTINGS, _form()).status_code == 403
    visitor = people.client("visitor").get(SETTINGS)
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    with in_portal(portal_b):
        assert not MapSettings.objects.filter(zoom=12).exists()


def test_plain_http_tiles_only_from_this_machine_outside_production(settings):
    settings.PRODUCTION = False
    assert clean_tile_url(" http://localhost:8080/{z}/{x}/{y}.png ") == (
        "http://localhost:8080/{z}/{x}/{y}.png"
    )
    assert clean_tile_url("https://{s}.tile.example.org/{z}/{x}/{y}{r}.png")
    assert clean_tile_url("") == ""
    settings.PRODUCTION = True
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        clean_tile_url("http://localhost:8080/{z}/{x}/{y}.png")
