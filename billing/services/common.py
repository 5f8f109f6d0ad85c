"""What every billing service shares: the error shown to payers, Stripe states, prices, the audit
row for billing changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.event_types import EventType
from core.services import audit_record
from features.models import Plan
from tenants.celery import enqueue_on_commit

PAID_STATES = frozenset({"active", "trialing"})
DUNNING_STATES = frozenset({"past_due", "unpaid"})
ENDED_STATES = frozenset({"canceled", "incomplete_expired"})
# Orders that hold their subdomain (the unique constraint on billing.Order says the same).
OPEN_ORDER_STATES = frozenset({"awaiting_confirmation", "awaiting_payment", "paid"})


class BillingError(Exception):
    """A payment problem to show to the person paying (card declined, Stripe unreachable)."""


@dataclass(frozen=True)
class PaymentStep:
    """What the payment page does next: done (poll status), authenticate (SCA), or show an error."""

    status: str  # "succeeded", "requires_action", "failed"
    client_secret: str = ""
    error: str = ""


def stripe_error_message(exc) -> str:
    message = getattr(exc, "user_message", None) or str(exc)
    return message[:300]


def plan_price(plan: Plan, interval: str) -> int:
    """The plan's price in cents for one period of `interval` ("month" or "year")."""
    return plan.monthly_price_cents if interval == "month" else plan.yearly_price_cents


def timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def record_billing_change(*, portal, summary: str, source: str, actor=None) -> None:
    """One audit row per change that billing made to a portal: by an admin on the billing page
    (`actor`, in the portal's log) or by the system (`source`, in the public log)."""
    audit_record(
        event_type=EventType.BILLING_CHANGED,
        actor=actor,
        actor_label=source,
        portal=portal,
        obj=portal,
        detail={"summary": summary[:300], "source": source},
    )


def order_fulfil_later(order) -> None:
    """Provision the ordered portal in the worker once this transaction commits."""
    enqueue_on_commit("billing.tasks.fulfil_order", order_id=order.pk)
