"""The daily purge of soft-deleted documents (rows and files), one task per portal.

`purge_deleted_everywhere` is the beat job: it runs in public and sends `purge_deleted` to
every active portal (tenants.celery.fan_out), which runs in that portal's schema. Both are
idempotent: a rerun finds nothing more to purge."""

from __future__ import annotations

import logging

from celery import shared_task

from documents.services import documents_purge

logger = logging.getLogger(__name__)


@shared_task
def purge_deleted() -> int:
    purged = documents_purge()
    if purged:
        logger.info("Purged %d deleted documents.", purged)
    return purged


@shared_task
def purge_deleted_everywhere() -> int:
    from tenants.celery import fan_out

    return fan_out(purge_deleted)
