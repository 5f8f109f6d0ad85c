"""Billing operations: ordering, paying, syncing subscriptions, dunning, reconciliation.

Stripe is the source of truth for a subscription's state; every handler fetches the current
subscription from Stripe before applying it, so webhooks may arrive in any order or twice.
Entitlements change only through features.services.plan_change, so nothing is ever deleted: a
portal whose payment failed keeps Professional until the grace period ends, then falls back to
Community, and is restored when a payment succeeds. Stripe errors surface as BillingError with a
message fit for the person paying; our database is never left half-written (atomic blocks).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import BillingAccount, BillingChange, Interval, Order
from billing.stripe_api import client, is_configured, price_id
from features.catalogue import COMMUNITY
from features.models import Plan

logger = logging.getLogger(__name__)
PAID_STATES = {"active", "trialing"}
DUNNING_STATES = {"past_due", "unpaid"}
ENDED_STATES = {"canceled", "incomplete_expired"}


class BillingError(Exception):
    """A payment problem to show to the person paying (card declined, Stripe unreachable)."""


def _stripe_error_message(exc) -> str:
    message = getattr(exc, "user_message", None) or str(exc)
    return message[:300]


@dataclass(frozen=True)
class PaymentStep:
    """What the payment page does next: done (poll status), authenticate (SCA), or show an error."""

    status: str  # "succeeded", "requires_action", "failed"
    client_secret: str = ""
    error: str = ""


def plan_price(plan: Plan, interval: str) -> int:
    return plan.monthly_price_cents if interval == Interval.MONTH else plan.yearly_price_cents


def sync_stripe_plans() -> list[str]:
    """Create missing Stripe products and plans (prices) for every paid plan; idempotent."""
    stripe = client()
    created = []
    for plan in Plan.objects.all():
        if not plan.is_paid:
            continue
        product_id = f"allmende-{plan.key}"
        try:
            stripe.Product.retrieve(product_id)
            stripe.Product.modify(product_id, name=plan.name)
        except stripe.InvalidRequestError:
            stripe.Product.create(id=product_id, name=plan.name)
            created.append(product_id)
        for interval in Interval.values:
            amount = plan_price(plan, interval)
            if not amount:
                continue
            pid = price_id(plan.key, interval, amount)
            try:
                stripe.Plan.retrieve(pid)
            except stripe.InvalidRequestError:
                stripe.Plan.create(
                    id=pid,
                    product=product_id,
                    amount=amount,
                    currency="eur",
                    interval=interval,
                    nickname=f"{plan.name} ({interval})",
                )
                created.append(pid)
    return created


def _open_order(subdomain: str) -> Order | None:
    return Order.objects.filter(
        subdomain=subdomain, status__in=[Order.Status.AWAITING_PAYMENT, Order.Status.PAID]
    ).first()


def subdomain_available(subdomain: str) -> str:
    """The normalised subdomain if a new order may take it; ValidationError says why not.
    An order still awaiting payment holds its subdomain like an existing portal does."""
    from tenants.services import validate_subdomain

    value = (subdomain or "").strip().lower()
    if _open_order(value) is not None:
        raise ValidationError(
            {"subdomain": _("The subdomain „%(s)s“ is already taken.") % {"s": value}}
        )
    return validate_subdomain(value)


def _validate_order(data: dict) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    for field in ("organisation", "contact_name", "street", "postal_code", "city"):
        if not str(data.get(field) or "").strip():
            fail(field, _("This field is required."))
    try:
        validate_email(data.get("contact_email") or "")
    except ValidationError:
        fail("contact_email", _("Enter a valid e-mail address."))
    plan = Plan.objects.filter(key=data.get("plan")).first()
    if plan is None:
        fail("plan", _("Choose a plan."))
    if data.get("interval") not in Interval.values:
        fail("interval", _("Choose monthly or yearly payment."))
    if not data.get("accept_terms"):
        fail("accept_terms", _("Please accept the terms of use."))
    country = str(data.get("country") or "").upper()
    if len(country) != 2 or not country.isalpha():
        fail("country", _("Use the two-letter country code, e.g. DE."))
    vat_id = str(data.get("vat_id") or "").replace(" ", "").upper()
    if vat_id and not (2 < len(vat_id) <= 14 and vat_id[:2].isalpha() and vat_id[2:].isalnum()):
        fail("vat_id", _("This is not a VAT ID (e.g. DE123456789)."))
    subdomain = str(data.get("subdomain") or "").strip().lower()
    open_order = _open_order(subdomain)
    if open_order is None:
        try:
            subdomain = subdomain_available(subdomain)
        except ValidationError as exc:
            for message in exc.message_dict.get("subdomain", exc.messages):
                fail("subdomain", message)
    elif open_order.contact_email.lower() != str(data.get("contact_email") or "").lower():
        fail("subdomain", _("The subdomain „%(s)s“ is already taken.") % {"s": subdomain})
    if errors:
        raise ValidationError(errors)
    return {
        "organisation": data["organisation"].strip(),
        "contact_name": data["contact_name"].strip(),
        "contact_email": data["contact_email"].strip().lower(),
        "subdomain": subdomain,
        "plan": plan,
        "interval": data["interval"],
        "street": data["street"].strip(),
        "postal_code": data["postal_code"].strip(),
        "city": data["city"].strip(),
        "country": country,
        "vat_id": vat_id,
        "language": data.get("language") or "de",
        "open_order": open_order,
    }


def order_place(**data) -> Order:
    """Take an order. Community: the portal exists when this returns. Professional: the order
    awaits payment (a Stripe customer exists). A double submit returns the first order."""
    cleaned = _validate_order(data)
    open_order = cleaned.pop("open_order")
    if open_order is not None:
        return open_order
    plan: Plan = cleaned["plan"]
    if not plan.is_paid:
        return _order_free(cleaned)
    if not is_configured():
        raise ValidationError(
            {"plan": _("Paid plans cannot be ordered here yet: billing is not set up.")}
        )
    try:
        with transaction.atomic():
            order = Order.objects.create(**{**cleaned, "plan": plan})
    except IntegrityError:
        # A concurrent double submit won the race; it is the same order.
        return Order.objects.get(
            subdomain=cleaned["subdomain"], status=Order.Status.AWAITING_PAYMENT
        )
    stripe = client()
    try:
        customer = stripe.Customer.create(
            email=order.contact_email,
            name=order.organisation,
            address={
                "line1": order.street,
                "postal_code": order.postal_code,
                "city": order.city,
                "country": order.country,
            },
            metadata={"order": str(order.token)},
        )
    except stripe.StripeError as exc:
        order.status, order.error = Order.Status.FAILED, _stripe_error_message(exc)
        order.save(update_fields=["status", "error", "updated_at"])
        raise BillingError(
            _("The payment service is not reachable right now; please try again.")
        ) from exc
    order.stripe_customer_id = customer.id
    order.save(update_fields=["stripe_customer_id", "updated_at"])
    return order


def _order_free(cleaned: dict) -> Order:
    from tenants.services import provision_portal

    with transaction.atomic():
        result = provision_portal(
            name=cleaned["organisation"],
            subdomain=cleaned["subdomain"],
            admin_email=cleaned["contact_email"],
            admin_name=cleaned["contact_name"],
            plan=cleaned["plan"].key,
            language=cleaned["language"],
        )
        return Order.objects.create(
            **{**cleaned, "status": Order.Status.COMPLETED, "portal": result.portal}
        )


def setup_intent_secret(*, customer_id: str | None = None) -> str:
    """A SetupIntent for collecting a card with Stripe.js (confirmCardSetup). Without a customer
    (a portal that has never paid) the card is attached when the payment starts."""
    stripe = client()
    options = {"customer": customer_id} if customer_id else {}
    return stripe.SetupIntent.create(usage="off_session", **options).client_secret


def _payment_step(subscription) -> PaymentStep:
    if subscription.status in PAID_STATES and not _payment_failing(subscription):
        return PaymentStep("succeeded")
    invoice = subscription.latest_invoice
    intent = getattr(invoice, "payment_intent", None) if invoice else None
    if intent is not None and intent.status == "requires_action":
        return PaymentStep("requires_action", client_secret=intent.client_secret)
    error = (
        getattr(getattr(intent, "last_payment_error", None), "message", None) if intent else None
    )
    return PaymentStep(
        "failed", error=error or _("The card was declined. Please use another card.")
    )


def _use_card(stripe, customer_id: str, payment_method: str) -> None:
    """Attach the card to the customer (Stripe.js usually has) and make it the default."""
    method = stripe.PaymentMethod.retrieve(payment_method)
    if getattr(method, "customer", None) != customer_id:
        stripe.PaymentMethod.attach(payment_method, customer=customer_id)
    stripe.Customer.modify(customer_id, invoice_settings={"default_payment_method": payment_method})


def _retry_open_invoice(stripe, subscription_id: str):
    """Pay a subscription's open invoice again with the customer's default card (_use_card just
    made the new card the default); return the fresh subscription."""
    expand = ["latest_invoice.payment_intent"]
    subscription = stripe.Subscription.retrieve(subscription_id, expand=expand)
    invoice = subscription.latest_invoice
    # Also when still "active": a failed renewal may leave it active with the invoice open
    # (localstripe does), which _payment_failing counts as failing; skipping it kept the portal
    # in grace for good.
    if (
        invoice
        and invoice.status == "open"
        and (subscription.status not in PAID_STATES or _payment_failing(subscription))
    ):
        # A second decline shows in the subscription's state below, not as an exception.
        # No payment_method argument: the default is the new card, and localstripe answers
        # Invoice.pay(payment_method=...) with a 500.
        with contextlib.suppress(stripe.CardError):
            stripe.Invoice.pay(invoice.id)
        subscription = stripe.Subscription.retrieve(subscription_id, expand=expand)
    return subscription


def order_pay(*, order: Order, payment_method: str) -> PaymentStep:
    """Start (or retry) the order's subscription with the card the browser just set up."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return PaymentStep("succeeded")
    stripe = client()
    try:
        _use_card(stripe, order.stripe_customer_id, payment_method)
        if not order.stripe_subscription_id:
            subscription = stripe.Subscription.create(
                customer=order.stripe_customer_id,
                items=[
                    {
                        "plan": price_id(
                            order.plan_id, order.interval, plan_price(order.plan, order.interval)
                        )
                    }
                ],
                payment_behavior="allow_incomplete",
                metadata={"order": str(order.token)},
                expand=["latest_invoice.payment_intent"],
            )
            order.stripe_subscription_id = subscription.id
            order.save(update_fields=["stripe_subscription_id", "updated_at"])
        else:
            subscription = _retry_open_invoice(stripe, order.stripe_subscription_id)
    except stripe.CardError as exc:
        return PaymentStep("failed", error=_stripe_error_message(exc))
    except stripe.StripeError as exc:
        raise BillingError(
            _("The payment service is not reachable right now; please try again.")
        ) from exc
    step = _payment_step(subscription)
    if step.status == "succeeded":
        request_fulfilment(order)
    return step


def request_fulfilment(order: Order) -> None:
    from billing.tasks import fulfil_order

    transaction.on_commit(lambda: fulfil_order.delay(order_id=order.pk))


def order_fulfil(*, order_id: int):
    """Provision the ordered portal once its subscription is paid. Idempotent and race-free:
    the order row is locked, so two webhooks never create two portals."""
    from tenants.services import provision_portal

    stripe = client()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.portal_id or order.status not in (
            Order.Status.AWAITING_PAYMENT,
            Order.Status.PAID,
        ):
            return order.portal
        if not order.stripe_subscription_id:
            return None
        subscription = stripe.Subscription.retrieve(order.stripe_subscription_id)
        if subscription.status not in PAID_STATES:
            return None
        try:
            portal = provision_portal(
                name=order.organisation,
                subdomain=order.subdomain,
                admin_email=order.contact_email,
                admin_name=order.contact_name,
                plan=order.plan_id,
                language=order.language,
            ).portal
        except ValidationError as exc:
            order.status, order.error = Order.Status.FAILED, "; ".join(exc.messages)[:500]
            order.save(update_fields=["status", "error", "updated_at"])
            transaction.on_commit(lambda: _refund(order))
            return None
        account = BillingAccount.objects.create(
            portal=portal,
            stripe_customer_id=order.stripe_customer_id,
            stripe_subscription_id=order.stripe_subscription_id,
            billing_email=order.contact_email,
            paid_plan_id=order.plan_id,
            interval=order.interval,
        )
        _apply_subscription(account, subscription)
        order.status, order.portal = Order.Status.COMPLETED, portal
        order.save(update_fields=["status", "portal", "updated_at"])
        customer_id = order.stripe_customer_id
        transaction.on_commit(
            lambda: stripe.Customer.modify(customer_id, metadata={"portal_id": str(portal.pk)})
        )
    return portal


def _refund(order: Order) -> None:
    """No paid subscription without a portal: cancel it and refund what was paid."""
    stripe = client()
    try:
        subscription = stripe.Subscription.retrieve(
            order.stripe_subscription_id, expand=["latest_invoice"]
        )
        stripe.Subscription.cancel(order.stripe_subscription_id)
        charge = getattr(subscription.latest_invoice, "charge", None)
        if charge:
            stripe.Refund.create(charge=charge)
    except stripe.StripeError:
        logger.exception("Refund for failed order %s needs an operator.", order.pk)


def _ts(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def _record(account: BillingAccount, summary: str, source: str) -> None:
    BillingChange.objects.create(portal=account.portal, source=source, summary=summary[:300])


def _payment_failing(subscription) -> bool:
    """Past due at Stripe, or still "active" with its latest invoice unpaid after an attempt
    (Stripe marks the subscription past_due; localstripe only leaves the invoice open)."""
    if subscription.status in DUNNING_STATES:
        return True
    invoice = getattr(subscription, "latest_invoice", None)
    if subscription.status in PAID_STATES and invoice is not None and not isinstance(invoice, str):
        return getattr(invoice, "status", None) == "open" and bool(
            getattr(invoice, "attempted", True)
        )
    return False


def _apply_subscription(
    account: BillingAccount, subscription, *, source: str = "webhook"
) -> list[str]:
    """Bring our record and the portal's plan in line with Stripe's subscription. Returns changes."""
    from features.services import plan_change

    seen = {
        "status": subscription.status,
        "cancel_at_period_end": bool(getattr(subscription, "cancel_at_period_end", False)),
        "current_period_end": _ts(getattr(subscription, "current_period_end", None)),
    }
    items = getattr(getattr(subscription, "items", None), "data", None) or []
    parts = items[0].plan.id.split("-") if items else []
    if len(parts) >= 4 and parts[0] == "allmende":
        seen["paid_plan_id"], seen["interval"] = "-".join(parts[1:-2]), parts[-2]
    # Every field that differs is reported: reconciliation says what it repaired.
    changes = [
        f"{field} {getattr(account, field)} -> {value}"
        for field, value in seen.items()
        if getattr(account, field) != value and field != "current_period_end"
    ]
    for field, value in seen.items():
        setattr(account, field, value)
    status = account.status
    portal = account.portal
    paid_plan = account.paid_plan_id or "professional"
    if _payment_failing(subscription):
        if account.grace_until is None:
            account.grace_until = timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS)
            changes.append(f"payment failed: grace period until {account.grace_until:%Y-%m-%d}")
            _notify_admins(portal, "payment_failed")
    elif status in PAID_STATES:
        if account.grace_until is not None:
            changes.append("paid: grace period over")
        account.grace_until = None
        account.downgraded_for_nonpayment = False
        if portal.plan_id != paid_plan:
            plan_change(portal=portal, plan=paid_plan, actor="billing")
            changes.append(f"plan -> {paid_plan}")
    elif status in ENDED_STATES and portal.plan_id != COMMUNITY:
        plan_change(portal=portal, plan=COMMUNITY, actor="billing")
        changes.append("subscription ended: plan -> community")
    account.last_synced_at = timezone.now()
    account.save()
    for change in changes:
        _record(account, change, source)
    return changes


def subscription_sync(
    *, subscription_id: str, customer_id: str = "", source: str = "webhook"
) -> list[str] | None:
    """Apply Stripe's current state of a subscription. None for customers we do not know."""
    stripe = client()
    with transaction.atomic():
        account = (
            BillingAccount.objects.select_for_update()
            .select_related("portal")
            .filter(stripe_subscription_id=subscription_id)
            .first()
        )
        if account is None and customer_id:
            account = (
                BillingAccount.objects.select_for_update()
                .select_related("portal")
                .filter(stripe_customer_id=customer_id)
                .first()
            )
        if account is None:
            order = Order.objects.filter(stripe_subscription_id=subscription_id).first()
            if order is not None:
                request_fulfilment(order)
                return ["order payment noticed"]
            logger.info("Stripe subscription %s belongs to no portal we know.", subscription_id)
            return None
        try:
            subscription = stripe.Subscription.retrieve(subscription_id, expand=["latest_invoice"])
        except stripe.InvalidRequestError:
            logger.warning(
                "Stripe no longer knows subscription %s (portal %s).",
                subscription_id,
                account.portal_id,
            )
            return None
        account.stripe_subscription_id = subscription.id
        return _apply_subscription(account, subscription, source=source)


def dunning_enforce() -> list[str]:
    """Portals whose grace period is over fall back to Community (their content stays)."""
    from features.services import plan_change

    downgraded = []
    due = BillingAccount.objects.select_related("portal").filter(
        grace_until__lte=timezone.now(), downgraded_for_nonpayment=False
    )
    for account in due:
        with transaction.atomic():
            plan_change(portal=account.portal, plan=COMMUNITY, actor="billing: grace period over")
            account.downgraded_for_nonpayment = True
            account.save(update_fields=["downgraded_for_nonpayment"])
            _record(account, "grace period over: plan -> community", "dunning")
            _notify_admins(account.portal, "downgraded")
        downgraded.append(account.portal.schema_name)
    return downgraded


def reconcile() -> dict[str, list[str]]:
    """Compare every account with Stripe and repair drift (covers missed webhooks)."""
    report = {}
    for account in BillingAccount.objects.exclude(stripe_subscription_id=""):
        changes = subscription_sync(
            subscription_id=account.stripe_subscription_id, source="reconciliation"
        )
        if changes:
            report[account.portal.schema_name] = changes
    for order in Order.objects.filter(status=Order.Status.AWAITING_PAYMENT).exclude(
        stripe_subscription_id=""
    ):
        portal = order_fulfil(order_id=order.pk)
        if portal is not None:
            report[portal.schema_name] = ["order fulfilled by reconciliation"]
    return report


def orders_abandon(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Unpaid orders expire, freeing their subdomain; incomplete subscriptions are cancelled."""
    count = 0
    for order in Order.objects.filter(
        status=Order.Status.AWAITING_PAYMENT, created_at__lt=timezone.now() - older_than
    ):
        if order.stripe_subscription_id:
            stripe = client()
            try:
                subscription = stripe.Subscription.retrieve(order.stripe_subscription_id)
                if subscription.status in PAID_STATES:
                    continue
                stripe.Subscription.cancel(order.stripe_subscription_id)
            except stripe.StripeError:
                logger.exception(
                    "Could not cancel the subscription of abandoned order %s.", order.pk
                )
        order.status = Order.Status.ABANDONED
        order.save(update_fields=["status", "updated_at"])
        count += 1
    return count


def _notify_admins(portal, kind: str) -> None:
    from billing.tasks import notify_admins
    from tenants.celery import PORTAL_HEADER

    schema = portal.schema_name
    transaction.on_commit(
        lambda: notify_admins.apply_async(kwargs={"kind": kind}, headers={PORTAL_HEADER: schema})
    )


def _account_subscription(account: BillingAccount, **changes):
    stripe = client()
    try:
        subscription = stripe.Subscription.modify(account.stripe_subscription_id, **changes)
    except stripe.StripeError as exc:
        raise BillingError(_stripe_error_message(exc)) from exc
    with transaction.atomic():
        locked = (
            BillingAccount.objects.select_for_update().select_related("portal").get(pk=account.pk)
        )
        _apply_subscription(locked, subscription, source="billing page")
    return subscription


def billing_change_interval(*, account: BillingAccount, interval: str) -> None:
    """Switch monthly <-> yearly; Stripe prorates."""
    if interval not in Interval.values:
        raise ValidationError(_("Choose monthly or yearly payment."))
    if account.status not in PAID_STATES | DUNNING_STATES or interval == account.interval:
        return
    stripe = client()
    subscription = stripe.Subscription.retrieve(account.stripe_subscription_id)
    plan = account.paid_plan
    _account_subscription(
        account,
        items=[
            {
                "id": subscription.items.data[0].id,
                "plan": price_id(plan.key, interval, plan_price(plan, interval)),
            }
        ],
    )


def billing_cancel_at_period_end(*, account: BillingAccount, cancel: bool) -> None:
    """Cancel at the end of the paid period (cancel=True), or undo that (cancel=False)."""
    if not account.stripe_subscription_id or account.status in ENDED_STATES:
        raise ValidationError(_("There is no running subscription."))
    _account_subscription(account, cancel_at_period_end=cancel)


def billing_set_email(*, account: BillingAccount, email: str) -> None:
    validate_email(email)
    stripe = client()
    try:
        stripe.Customer.modify(account.stripe_customer_id, email=email)
    except stripe.StripeError as exc:
        raise BillingError(_stripe_error_message(exc)) from exc
    account.billing_email = email
    account.save(update_fields=["billing_email"])


def billing_account_ensure(*, portal, email: str) -> BillingAccount:
    """The portal's Stripe customer, created on first use (upgrading a Community portal)."""
    account = BillingAccount.objects.filter(portal=portal).first()
    if account is not None:
        return account
    stripe = client()
    try:
        customer = stripe.Customer.create(
            email=email, name=portal.name, metadata={"portal_id": str(portal.pk)}
        )
    except stripe.StripeError as exc:
        raise BillingError(_stripe_error_message(exc)) from exc
    return BillingAccount.objects.create(
        portal=portal, stripe_customer_id=customer.id, billing_email=email
    )


def billing_pay(
    *,
    account: BillingAccount,
    payment_method: str,
    plan_key: str = "professional",
    interval: str = Interval.MONTH,
) -> PaymentStep:
    """Use a new card: make it the default; start a subscription if there is none (upgrade),
    or retry the open invoice if a payment failed."""
    stripe = client()
    try:
        _use_card(stripe, account.stripe_customer_id, payment_method)
        subscription = None
        if account.stripe_subscription_id and account.status not in ENDED_STATES:
            subscription = _retry_open_invoice(stripe, account.stripe_subscription_id)
        else:
            plan = Plan.objects.get(key=plan_key)
            subscription = stripe.Subscription.create(
                customer=account.stripe_customer_id,
                items=[{"plan": price_id(plan.key, interval, plan_price(plan, interval))}],
                payment_behavior="allow_incomplete",
                metadata={"portal_id": str(account.portal_id)},
                expand=["latest_invoice.payment_intent"],
            )
            account.stripe_subscription_id, account.paid_plan_id, account.interval = (
                subscription.id,
                plan.key,
                interval,
            )
            account.save(update_fields=["stripe_subscription_id", "paid_plan", "interval"])
    except stripe.CardError as exc:
        return PaymentStep("failed", error=_stripe_error_message(exc))
    except stripe.StripeError as exc:
        raise BillingError(
            _("The payment service is not reachable right now; please try again.")
        ) from exc
    with transaction.atomic():
        locked = (
            BillingAccount.objects.select_for_update().select_related("portal").get(pk=account.pk)
        )
        _apply_subscription(locked, subscription, source="billing page")
    return _payment_step(subscription)


def billing_overview(account: BillingAccount) -> dict:
    """Next invoice and past invoices, straight from Stripe (empty lists if unreachable)."""
    stripe = client()
    result = {"upcoming": None, "invoices": []}
    try:
        invoices = stripe.Invoice.list(customer=account.stripe_customer_id, limit=24)
        result["invoices"] = [
            {
                "number": getattr(inv, "number", None) or inv.id,
                "created": _ts(inv.created),
                "amount_cents": inv.amount_due,
                "status": inv.status,
                "url": getattr(inv, "hosted_invoice_url", None)
                or getattr(inv, "invoice_pdf", None)
                or "",
            }
            for inv in invoices.data
        ]
    except stripe.StripeError:
        logger.warning("Billing overview for %s: Stripe not reachable.", account.portal_id)
    if (
        account.paid_plan
        and account.current_period_end
        and account.status in PAID_STATES | DUNNING_STATES
        and not account.cancel_at_period_end
    ):
        result["upcoming"] = {
            "amount_cents": plan_price(account.paid_plan, account.interval),
            "date": account.current_period_end,
        }
    return result
