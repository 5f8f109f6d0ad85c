"""Background work of proposals, in the portal's schema (tenants.celery.PortalTask): e-mailing
a submitted proposal's letter, and importing bodies and meetings from an OParl system.

`send_letter` may run twice (late acknowledgement): themes.mail sends each task's mail once.
`import_oparl` records its outcome, good or bad, as an OParlImport row that the admin page
shows; a failed import changed nothing and is not retried (the admin fixes the address).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)


@shared_task
def send_letter(*, proposal_id: int, actor_id: int | None = None) -> bool:
    from proposals.services import send_letter as send

    return send(proposal_id=proposal_id, actor_id=actor_id)


@shared_task
def import_oparl(*, url: str, actor_id: int | None = None) -> bool:
    from accounts.models import User
    from proposals.oparl import import_oparl as run_import

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run_import(url=url, actor=actor)
    except ValidationError as exc:
        logger.info("OParl import from %s failed: %s", url, "; ".join(exc.messages))
        return False
    return True
