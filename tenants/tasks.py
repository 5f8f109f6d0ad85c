"""Periodic and background work on portals, run by the Celery worker in the public schema."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def purge_due_portals() -> list[str]:
    from tenants.services import purge_due_portals as purge

    purged = purge()
    if purged:
        logger.info("Purged %d archived portal(s): %s", len(purged), ", ".join(purged))
    return purged


@shared_task
def export_portal(*, export_id: int) -> None:
    from tenants.services.archive import portal_export_run

    portal_export_run(export_id=export_id)


@shared_task
def verify_domain(*, domain_id: int) -> bool:
    """Check an own domain's DNS challenge; runs in public (domains live there)."""
    from tenants.models import Domain
    from tenants.services.domains import domain_verify

    domain = Domain.objects.select_related("tenant").filter(pk=domain_id).first()
    if domain is None:
        return False
    return domain_verify(domain=domain).is_verified


@shared_task
def expire_domain_claims() -> list[str]:
    """Beat task: remove unverified domain claims past their lifetime (idempotent)."""
    from tenants.services.domains import domain_claims_expire

    removed = domain_claims_expire()
    if removed:
        logger.info("Removed %d expired domain claim(s): %s", len(removed), ", ".join(removed))
    return removed


@shared_task
def refill_spare_schemas() -> int:
    """Keep settings.SPARE_SCHEMAS spare portal schemas ready (tenants.spares); runs in public."""
    from tenants.spares import refill

    return refill()
