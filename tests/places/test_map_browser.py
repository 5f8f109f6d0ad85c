"""The map in a real browser: Leaflet draws the places with their clusters and popups, axe-core
finds no WCAG A/AA violation (phone and desktop, left-to-right and Arabic), the keyboard gets
through the map and into a popup's link, and the place picker writes the coordinates.

Needs Debian's chromium, axe-core (infra/ensure_axe.sh) and Leaflet (infra/ensure_leaflet.sh);
skipped with the reason otherwise. A committed portal of its own, deleted afterwards.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEvent
from places.config import leaflet_assets
from tenants.models import Portal
from tenants.schemas import drop_schema
from tests.a11y.axe import DESKTOP, PHONE, axe_violations, describe, needs_axe
from tests.accounts.factories import host_of, member_of
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, needs_chromium, running_server
from tests.conftest import in_portal

SUBDOMAIN = "map-browser"

pytestmark = [
    *needs_chromium,
    needs_axe,
    pytest.mark.skipif(
        leaflet_assets() is None,
        reason="Leaflet is not installed: run `bash infra/ensure_leaflet.sh`",
    ),
]


def _drop() -> None:
    for portal in Portal.objects.filter(slug=SUBDOMAIN):
        AuditEvent.objects.filter(portal=portal).delete()
        schema = portal.schema_name
        Portal.objects.filter(pk=portal.pk).delete()
        drop_schema(schema)


@pytest.fixture
def portal(committed):
    from tenants.services import portal_provision

    _drop()
    portal = portal_provision(
        name="Karte testen", subdomain=SUBDOMAIN, admin_email="first@map.example",
        actor_label="tests",
    ).portal  # fmt: skip
    try:
        yield portal
    finally:
        _drop()


@pytest.fixture
def places(portal):
    from tests.events.factories import event_of
    from tests.ideas.factories import idea_of
    from tests.spaces.factories import space_of

    member = member_of(portal, display_name="Mia Mitglied")
    with in_portal(portal):
        for number in range(12):
            space_of(
                name=f"Initiative {number}",
                slug=f"initiative-{number}",
                latitude=Decimal("54.32") + Decimal(number) / 1000,
                longitude=Decimal("10.13"),
            )
        event_of(
            organiser=member,
            title="Straßenfest",
            starts_at=timezone.now() + datetime.timedelta(days=2),
            latitude="50.94",  # far from the others: a marker of its own at the start
            longitude="6.96",
        )
        idea_of(author=member, title="Bank am Teich", latitude=Decimal("48.14"), longitude=11.58)
    return portal


@pytest.fixture
def browser(monkeypatch):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


@pytest.fixture
def live(places, subprocess_env, tmp_path):
    with running_server(subprocess_env, tmp_path / "server.log") as port:
        yield f"http://{host_of(places)}:{port}"


def _open_map(browser, url: str, viewport: dict, language: str = "en"):
    page = browser.new_page(viewport=viewport, extra_http_headers={"Accept-Language": language})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.goto(url)
    try:
        page.wait_for_selector(
            "#places-map .places-marker, #places-map .places-cluster", timeout=10_000
        )
    except Exception as exc:
        raise AssertionError(f"no markers drawn: {problems}") from exc
    page.wait_for_timeout(400)  # the cluster animation
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_map_page_passes_axe(browser, live, viewport, language):
    page = _open_map(browser, f"{live}/map/", viewport, language)
    try:
        assert page.locator(".places-cluster").count() >= 1
        assert page.get_attribute("#places-map", "role") == "region"
        violations = axe_violations(page)
        assert not violations, describe(violations)
        # Phone first: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator(".places-marker").first.click()
        page.wait_for_selector(".leaflet-popup-content a")
        page.wait_for_timeout(400)  # the popup fades in
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        page.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_directory_passes_axe_on_a_phone(browser, live, language):
    page = browser.new_page(viewport=PHONE, extra_http_headers={"Accept-Language": language})
    try:
        page.goto(f"{live}/map/directory/")
        assert page.locator(".places-list li").count() == 14
        violations = axe_violations(page)
        assert not violations, describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        page.close()


def test_the_keyboard_passes_through_the_map_and_opens_a_popup(browser, live):
    page = _open_map(browser, f"{live}/map/", DESKTOP)
    try:
        page.focus("#places-map")
        assert page.evaluate("document.activeElement.id") == "places-map"
        marker = page.locator(".places-marker").first
        marker.focus()
        assert marker.get_attribute("aria-label")
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content a")
        assert page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")
        # Tab keeps moving: after enough presses the focus is past the map, in the page.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate(
                "!document.getElementById('places-map').contains(document.activeElement)"
            ):
                break
        assert page.evaluate(
            "!document.getElementById('places-map').contains(document.activeElement)"
        )
    finally:
        page.close()


def test_filters_redraw_the_map_without_a_reload(browser, live):
    page = _open_map(browser, f"{live}/map/", DESKTOP)
    try:
        page.select_option("#places-type", "idea")
        page.click(".places-filters button[type=submit]")
        from playwright.sync_api import expect

        expect(page.locator("#places-map-status")).to_have_text(re.compile(r" 1$"))
        assert page.url.endswith("/map/?type=idea")
        link = page.get_attribute("[data-places-directory-link]", "href")
        assert link == "/map/directory/?type=idea"
    finally:
        page.close()


def test_the_place_picker_writes_and_follows_the_coordinates(browser, live):
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{live}/map/")  # the portal's origin, for the scripts and styles
        page.set_content(_picker_page(live), wait_until="load")
        page.wait_for_selector(".place-picker:not([hidden]) .leaflet-container")
        box = page.locator("[data-place-picker]").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2)
        latitude = page.input_value("input[name=latitude]")
        longitude = page.input_value("input[name=longitude]")
        assert len(latitude.split(".")[1]) == 6 and len(longitude.split(".")[1]) == 6
        assert float(longitude) > 10.4477  # east of the centre, where it was clicked
        before = page.locator(".leaflet-marker-icon").bounding_box()
        page.fill("input[name=longitude]", f"{float(longitude) + 0.5:.6f}")
        page.wait_for_timeout(400)  # the pan
        after = page.locator(".leaflet-marker-icon").bounding_box()
        assert after != before  # the marker followed the typed number
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        page.close()


def _picker_page(live: str) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    with in_portal(Portal.objects.get(slug=SUBDOMAIN)):
        include = Template('{% include "places/_picker.html" %}').render(
            Context({"request": RequestFactory().get("/")})
        )
    include = include.replace('href="/static/', f'href="{live}/static/').replace(
        'src="/static/', f'src="{live}/static/'
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Picker</title>'
        f'<base href="{live}/"></head><body><main><h1>Picker</h1><form>'
        '<label for="lat">Latitude</label><input id="lat" name="latitude">'
        '<label for="lon">Longitude</label><input id="lon" name="longitude">'
        f"{include}</form></main></body></html>"
    )
