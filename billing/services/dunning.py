"""Dunning: a failed payment starts a grace period (billing.services.subscriptions); once it is
over, the portal falls back to Community with all its content kept, and its admins are told."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from billing.models import BillingAccount
from billing.services.common import record_billing_change
from billing.services.subscriptions import admins_notify_later
from core.event_types import EventType
from core.services import audit_record
from features.catalogue import COMMUNITY


def dunning_enforce() -> list[str]:
    """Portals whose grace period is over fall back to Community; returns their schemas."""
    from features.services import plan_change

    downgraded = []
    due = BillingAccount.objects.select_related("portal").filter(
        grace_until__lte=timezone.now(), downgraded_for_nonpayment=False
    )
    for account in due:
        with transaction.atomic():
            locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
            if locked.downgraded_for_nonpayment or locked.grace_until is None:
                continue  # paid meanwhile
            plan_change(
                portal=account.portal, plan=COMMUNITY, actor_label="billing: grace period over"
            )
            locked.downgraded_for_nonpayment = True
            locked.save(update_fields=["downgraded_for_nonpayment"])
            record_billing_change(
                portal=account.portal,
                summary="grace period over: plan -> community",
                source="dunning",
            )
            audit_record(
                event_type=EventType.BILLING_DOWNGRADED,
                actor_label="dunning",
                portal=account.portal,
                obj=account.portal,
            )
            admins_notify_later(account.portal, "downgraded")
        downgraded.append(account.portal.schema_name)
    return downgraded
