"""Reads on portals and their domains."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from tenants.models import Domain, Portal, PortalStatus


def subdomain_hostname(subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"


def host_url(hostname: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_URL_SCHEME}://{hostname}{port}/"


def platform_url() -> str:
    return host_url(settings.PLATFORM_DOMAIN)


def primary_domain(portal: Portal) -> Domain | None:
    # A list of portals fetches their main domains with it (listed_portals): no query per portal.
    if hasattr(portal, "primary_domains"):
        return portal.primary_domains[0] if portal.primary_domains else None
    return portal.domains.filter(is_primary=True).first()


def portal_base_url(portal: Portal) -> str:
    """Canonical URL of a portal, ending in a slash."""
    domain = primary_domain(portal)
    return host_url(domain.domain if domain else subdomain_hostname(portal.slug))


def portal_domains(portal: Portal) -> QuerySet[Domain]:
    """The portal's hostnames, the main one first."""
    return Domain.objects.filter(tenant_id=portal.pk).order_by("-is_primary", "domain")


def portal_domain(portal: Portal, pk: int) -> Domain | None:
    """One of the portal's hostnames; another portal's is None, like a missing one."""
    return Domain.objects.filter(tenant_id=portal.pk, pk=pk).first()


def portal_by_subdomain(subdomain: str) -> Portal:
    """The portal created under `subdomain`. Raises Portal.DoesNotExist."""
    return Portal.objects.get(slug=subdomain.strip().lower())


def listed_portals() -> QuerySet[Portal]:
    return (
        Portal.objects.filter(status=PortalStatus.ACTIVE)
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "domains",
                queryset=Domain.objects.filter(is_primary=True),
                to_attr="primary_domains",
            )
        )
    )


def platform_page(kind: str):
    from tenants.models import PlatformPage

    return PlatformPage.objects.filter(kind=kind).first()


PLATFORM_PAGES_KEY = "platform-page-kinds"


def platform_page_kinds() -> set[str]:
    """Which of the platform's legal pages the operators have written (for the footer of every
    platform page); cached, and forgotten when a page is saved or deleted (PlatformPage)."""
    from django.core.cache import caches

    from tenants.models import PlatformPage

    cache = caches["routing"]
    kinds = cache.get(PLATFORM_PAGES_KEY)
    if kinds is None:
        kinds = set(PlatformPage.objects.values_list("kind", flat=True))
        cache.set(PLATFORM_PAGES_KEY, kinds, 60 * 60)
    return kinds
