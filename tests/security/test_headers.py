"""Every page says what the browser may do with it: a Content-Security-Policy without inline
code on the portals, the platform site and the operator console, no framing, and no powerful
browser features."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client

from tenants.middleware import PERMISSIONS_POLICY
from tests.accounts.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/order/", "/accounts/login/"])
def test_platform_pages_carry_the_policies(platform_client, path):
    response = platform_client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_portal_pages_carry_the_policies(client_a, path):
    response = client_a.get(path)
    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: inline scripts and style
    blocks, style attributes and event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.found += [f"<{tag} {k}=...>" for k, _ in attrs if k == "style" or k.startswith("on")]
        executable = tag == "script" and "src" not in names
        if (executable and names.get("type") != "application/json") or tag == "style":
            self._inside = tag

    def handle_data(self, data):
        if self._inside and data.strip():
            self.found.append(f"inline <{self._inside}>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None


def _console_pages() -> list[str]:
    pages = ["/operator/"]
    for model in admin.site._registry:
        base = f"/operator/{model._meta.app_label}/{model._meta.model_name}/"
        pages += [base, f"{base}add/"]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
    return pages


def test_every_console_page_carries_the_policy_and_needs_no_inline_code(portal_a):
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.force_login(staff_user())
    pages, failures = _console_pages(), []
    assert len(pages) > 20
    for page in pages:
        response = console.get(page)
        if response.status_code == 403:  # read-only records: nobody adds them by hand
            continue
        assert response.status_code == 200, page
        assert "unsafe-inline" not in response["Content-Security-Policy"], page
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], page
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY
        parser = InlineCode()
        parser.feed(response.content.decode())
        failures += [f"{page}: {item}" for item in sorted(set(parser.found))]
    assert failures == [], "\n".join(failures)


def test_the_inline_code_check_sees_inline_code():
    parser = InlineCode()
    parser.feed(
        '<table style="width: 1px"><script>alert(1)</script><a onclick="x()">a</a>'
        '<style>p{}</style><script src="/s.js"></script>'
    )
    assert len(parser.found) == 4
