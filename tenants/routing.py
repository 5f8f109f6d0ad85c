"""Host -> portal resolution, cached so that steady-state requests cost no query and no round trip.

A route is cached per hostname in the "routing" cache (Redis in production, a file cache in
development, shared by web and worker processes) and, in front of it, in this process's
`tenants.localcache`. Negative answers are cached briefly so a flood of unknown hosts cannot
hammer the database. tenants.signals forgets the affected hostnames whenever a domain or a portal
changes, after the transaction commits; other processes follow within LOCAL_CACHE_CHECK_SECONDS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from tenants import localcache
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
    """Route for a normalised hostname. Costs a query only when both caches miss."""
    if hostname in platform_hostnames():
        return PLATFORM_ROUTE
    cached = localcache.local_cache.get(
        _key(hostname), lambda version: _load_route(hostname, version)
    )
    if cached == _UNKNOWN:
        return NO_ROUTE
    return Route(is_platform=False, portal=cached)


def _load_route(hostname: str, version: str) -> tuple[Portal | str, int]:
    """The shared cache's answer (a Portal or _UNKNOWN), read from the database on a miss."""
    key = localcache.shared_key(_key(hostname), version)
    cached = _cache().get(key)
    if cached is not None:
        return cached, UNKNOWN_HOST_TTL if cached == _UNKNOWN else ROUTE_TTL
    domain = (
        Domain.objects.select_related("tenant").filter(domain=hostname, is_verified=True).first()
    )
    if domain is None:
        _cache().set(key, _UNKNOWN, UNKNOWN_HOST_TTL)
        return _UNKNOWN, UNKNOWN_HOST_TTL
    _cache().set(key, domain.tenant, ROUTE_TTL)
    return domain.tenant, ROUTE_TTL


def forget_hostnames(hostnames) -> None:
    """Forget the routes of `hostnames` in every process: a new version, under which the
    shared cache holds nothing yet (the old entries expire by themselves)."""
    localcache.local_cache.invalidate([_key(h) for h in hostnames if h])
