"""Every page says what the browser may do with it: a Content-Security-Policy without inline
code on the portals and the platform site, no framing, and no powerful browser features."""

from __future__ import annotations

import pytest

from tenants.middleware import PERMISSIONS_POLICY

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


def test_the_console_keeps_its_own_policy_but_not_the_features(platform_client):
    response = platform_client.get("/operator/login/")
    assert "Content-Security-Policy" not in response
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
