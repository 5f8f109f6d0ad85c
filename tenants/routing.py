"""Host -> portal resolution with a shared cache, so steady-state requests cost no query.

A route is cached per hostname in the "routing" cache (Redis in production, a file cache in
development, shared by web and worker processes). Negative answers are cached briefly so a flood
of unknown hosts cannot hammer the database. tenants.signals forgets the affected hostnames
whenever a domain or a portal changes, after the transaction commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from tenants.models import Domain, Portal

ROUTE_TTL = 60 * 60
UNKNOWN_HOST_TTL = 60
_UNKNOWN = "unknown"
# RFC 1123 hostname: labels of letters, digits and inner hyphens; at most 253 characters.
_HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


@dataclass(frozen=True)
class Route:
    """Where a hostname leads: the platform site, a portal, or nowhere (portal is None)."""

    is_platform: bool
    portal: Portal | None = None


PLATFORM_ROUTE = Route(is_platform=True)
NO_ROUTE = Route(is_platform=False)


def _cache():
    return caches["routing"]


def _key(hostname: str) -> str:
    return f"host:{hostname}"


def normalise_hostname(host: str) -> str | None:
    """Lower-case hostname without port and trailing dot, or None if it is not a hostname."""
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    hostname = hostname.strip().rstrip(".").lower()
    if not _HOSTNAME_RE.match(hostname):
        return None
    return hostname


def platform_hostnames() -> set[str]:
    return {settings.PLATFORM_DOMAIN, f"www.{settings.PLATFORM_DOMAIN}"}


def resolve_host(hostname: str) -> Route:
    """Route for a normalised hostname. Costs a query only on a cache miss."""
    if hostname in platform_hostnames():
        return PLATFORM_ROUTE
    cached = _cache().get(_key(hostname))
    if cached == _UNKNOWN:
        return NO_ROUTE
    if cached is not None:
        return Route(is_platform=False, portal=cached)
    domain = (
        Domain.objects.select_related("tenant").filter(domain=hostname, is_verified=True).first()
    )
    if domain is None:
        _cache().set(_key(hostname), _UNKNOWN, UNKNOWN_HOST_TTL)
        return NO_ROUTE
    _cache().set(_key(hostname), domain.tenant, ROUTE_TTL)
    return Route(is_platform=False, portal=domain.tenant)


def forget_hostnames(hostnames) -> None:
    _cache().delete_many([_key(h) for h in hostnames if h])
