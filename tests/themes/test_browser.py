"""Two presets in a real browser (Playwright driving Debian's chromium) look different."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django_tenants.utils import schema_exists

from core.models import AuditEvent
from tenants.models import Portal
from tenants.schemas import drop_schema
from tenants.services import portal_provision
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, free_port, needs_chromium
from tests.conftest import in_portal
from themes.services import theme_set

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_chromium


def _wait_for(url: str, host: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers={"Host": host}), timeout=2
            ):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def _mean_colour(png: bytes, box) -> tuple[float, float, float]:
    from PIL import Image, ImageStat

    return tuple(ImageStat.Stat(Image.open(io.BytesIO(png)).convert("RGB").crop(box)).mean)


def test_two_presets_render_visibly_different(committed, subprocess_env):
    from playwright.sync_api import sync_playwright

    created = []
    port = free_port()
    server = None
    try:
        for subdomain, preset in (("shot-green", "climate"), ("shot-blue", "city")):
            portal = portal_provision(
                name=f"Shot {preset}",
                subdomain=subdomain,
                admin_email=f"a@{subdomain}.example",
                actor_label="tests",
            ).portal
            created.append(portal)
            with in_portal(portal):
                theme_set(
                    site_name=f"Portal {preset}",
                    preset=preset,
                    tagline="Screenshot",
                    actor_label="tests",
                )
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=subprocess_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(f"http://127.0.0.1:{port}/healthz", "localhost")
        shots = {}
        out = Path(settings.DATA_DIR) / "test" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1000, "height": 700}, locale="de-DE")
            for portal in created:
                page.goto(f"http://{portal.slug}.localhost:{port}/")
                assert page.locator("h1").inner_text() == portal.name.replace("Shot", "Portal")
                shots[portal.slug] = page.screenshot(path=str(out / f"{portal.slug}.png"))
            browser.close()
        header = (0, 0, 1000, 50)
        green, blue = (
            _mean_colour(shots["shot-green"], header),
            _mean_colour(shots["shot-blue"], header),
        )
        assert green[1] > green[2], f"climate header should be green, was {green}"
        assert blue[2] > blue[1], f"city header should be blue, was {blue}"
        assert sum(abs(a - b) for a, b in zip(green, blue, strict=True)) > 60
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        for portal in created:
            # Committed rows: the public audit log's entries go with the portal.
            AuditEvent.objects.filter(portal_id=portal.pk).delete()
            Portal.objects.filter(pk=portal.pk).delete()
            if schema_exists(portal.schema_name):
                drop_schema(portal.schema_name)
