"""Routes each request by its Host header to the platform site or to one portal's schema.

Placed right after SecurityMiddleware. Fails closed: a malformed Host gets 400, an unknown host
404, a portal that is not active a status page of its own; none of them ever falls through to the
platform site or to another portal. The schema is reset to public after every response so that a
reused connection cannot leak a portal's search_path into the next request. Route lookups cost no
query and, in steady state, no shared-cache call (tenants.routing, tenants.localcache); each
portal schema served is counted against the connection's bounds (tenants.connections).
"""

from __future__ import annotations

import sentry_sdk
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import set_urlconf

from tenants.connections import note_schema
from tenants.context import reset_current_portal, set_current_portal
from tenants.models import PortalStatus
from tenants.routing import normalise_hostname, resolve_host

_CSP = {
    "default-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "style-src": ("'self'",),
    "script-src": ("'self'",),
    "font-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "frame-ancestors": ("'none'",),
    "form-action": ("'self'",),
}


def portal_csp(**extra: tuple[str, ...]) -> str:
    """The portal pages' policy: only their own origin, no inline code or styles. A page that
    needs more (the billing page loads Stripe.js) adds sources, e.g. script_src=(origin,)."""
    directives = {name: list(sources) for name, sources in _CSP.items()}
    for key, sources in extra.items():
        name = key.replace("_", "-")
        directives.setdefault(name, ["'self'"] if name != "frame-src" else [])
        directives[name] += [s for s in sources if s not in directives[name]]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


PORTAL_CSP = portal_csp()
# No page of ours uses these; a page that is compromised or framed cannot ask for them either.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
_STATUS_PAGES = {
    PortalStatus.SUSPENDED: ("tenants/portal_suspended.html", 403),
    PortalStatus.ARCHIVED: ("tenants/portal_archived.html", 410),
    PortalStatus.PROVISIONING: ("tenants/portal_provisioning.html", 503),
}


def _page(request, template: str, status: int, context: dict | None = None) -> HttpResponse:
    response = HttpResponse(render_to_string(template, context or {}, request=None), status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


class PortalRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection.set_schema_to_public()
        try:
            hostname = normalise_hostname(request.get_host())
        except DisallowedHost:
            hostname = None
        if hostname is None:
            return _page(request, "tenants/bad_host.html", 400)
        route = resolve_host(hostname)
        request.portal = route.portal
        if route.is_platform:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            label = None
        elif route.portal is None:
            return _page(request, "tenants/unknown_host.html", 404, {"hostname": hostname})
        else:
            portal = route.portal
            if portal.status in _STATUS_PAGES:
                template, status = _STATUS_PAGES[portal.status]
                return _page(request, template, status, {"portal_name": portal.name})
            connection.set_tenant(portal)
            note_schema(portal.schema_name)
            request.tenant = portal
            request.urlconf = settings.ROOT_URLCONF
            label = portal.schema_name
        set_urlconf(request.urlconf)
        token = set_current_portal(label)
        sentry_sdk.set_tag("portal", label or "public")
        try:
            response = self.get_response(request)
            # Our pages, the operator console included, load nothing from elsewhere and run no
            # inline code or styles (tests/security/test_headers.py reads every console page).
            response.headers.setdefault("Content-Security-Policy", PORTAL_CSP)
            response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
            return response
        finally:
            reset_current_portal(token)
            connection.set_schema_to_public()
