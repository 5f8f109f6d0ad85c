"""Ordering a portal on the platform site: place, confirm the contact address, pay, fulfil.

- An order belongs to the browser that placed it. The view passes an opaque `browser` key
  derived from its session; a second browser asking for the same subdomain is told it is taken,
  in every branch (an open order, a double submit that lost the race on the unique constraint),
  whatever e-mail address it gives.
- Nothing is created for an address before its owner has confirmed it: placing an order mails a
  signed link; confirming it (a POST from that link's page) provisions a Community portal, or
  opens the payment of a Professional one (only then is a Stripe customer created).
- The new admin's set-password link travels by e-mail only (the portal's invitation); no page
  or JSON answer ever contains it.
- Stripe is called before any row lock, never while one is held.
Bad input raises ValidationError with a message per field; Stripe trouble raises BillingError.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import BillingAccount, Interval, Order
from billing.services.common import (
    OPEN_ORDER_STATES,
    PAID_STATES,
    BillingError,
    PaymentStep,
    order_fulfil_later,
    plan_price,
    stripe_error_message,
)
from billing.services.subscriptions import (
    card_use,
    open_invoice_retry,
    payment_step,
    subscription_apply,
)
from billing.stripe_api import client, is_configured, price_id
from core.event_types import EventType
from core.services import audit_record
from core.text import single_line
from features.models import Plan
from tenants.celery import enqueue_on_commit

logger = logging.getLogger(__name__)
CONFIRMATION_SALT = "allmende.order.confirm"
CONFIRMATION_MAX_AGE = timedelta(hours=48)


def _taken(subdomain: str) -> ValidationError:
    return ValidationError(
        {"subdomain": _("The subdomain „%(s)s“ is already taken.") % {"s": subdomain}}
    )


def _open_order(subdomain: str) -> Order | None:
    return Order.objects.filter(subdomain=subdomain, status__in=OPEN_ORDER_STATES).first()


def subdomain_available(subdomain: str) -> str:
    """The normalised subdomain if a new order may take it; ValidationError says why not.
    Its form is checked before any query; an open order holds its subdomain like a portal."""
    from tenants.services import validate_subdomain, validate_subdomain_form

    value = validate_subdomain_form(subdomain)
    if _open_order(value) is not None:
        raise _taken(value)
    return validate_subdomain(value)


def _cleaned(data: dict) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    texts = {}
    for field in ("organisation", "contact_name", "street", "postal_code", "city"):
        try:
            texts[field] = single_line(str(data.get(field) or ""))
        except ValidationError as exc:
            fail(field, exc.messages[0])
            continue
        if not texts[field]:
            fail(field, _("This field is required."))
    email = str(data.get("contact_email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        fail("contact_email", _("Enter a valid e-mail address."))
    plan = Plan.objects.filter(key=str(data.get("plan") or "")).first()
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
    subdomain = ""
    try:
        subdomain = subdomain_available(str(data.get("subdomain") or ""))
    except ValidationError as exc:
        for message in exc.message_dict.get("subdomain", exc.messages):
            fail("subdomain", message)
    if plan is not None and plan.is_paid and not is_configured():
        fail("plan", _("Paid plans cannot be ordered here yet: billing is not set up."))
    if errors:
        raise ValidationError(errors)
    return {
        **texts,
        "contact_email": email,
        "subdomain": subdomain,
        "plan": plan,
        "interval": data["interval"],
        "country": country,
        "vat_id": vat_id,
        "language": data.get("language") if data.get("language") in ("de", "en") else "de",
    }


def order_place(
    *,
    browser: str,
    organisation: str,
    contact_name: str,
    contact_email: str,
    subdomain: str,
    plan: str,
    interval: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
    accept_terms: bool,
    vat_id: str = "",
    language: str = "de",
) -> Order:
    """Take an order from the browser `browser` and mail its contact a confirmation link.
    The same browser submitting again gets its first order back; any other browser is told
    the subdomain is taken."""
    if not browser:
        raise ValueError("An order needs the browser that places it.")
    from tenants.services import validate_subdomain_form

    try:
        normalised = validate_subdomain_form(subdomain)
    except ValidationError:
        normalised = ""  # reported with the other fields below
    existing = _open_order(normalised) if normalised else None
    if existing is not None:
        if existing.browser == browser:
            return existing
        raise _taken(normalised)
    cleaned = _cleaned(
        {
            "organisation": organisation,
            "contact_name": contact_name,
            "contact_email": contact_email,
            "subdomain": subdomain,
            "plan": plan,
            "interval": interval,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": country,
            "accept_terms": accept_terms,
            "vat_id": vat_id,
            "language": language,
        }
    )
    try:
        with transaction.atomic():
            order = Order.objects.create(
                **cleaned, browser=browser, status=Order.Status.AWAITING_CONFIRMATION
            )
            audit_record(
                event_type=EventType.ORDER_PLACED,
                actor_label="order form",
                obj=order,
                detail={"subdomain": order.subdomain, "plan": order.plan_id},
            )
            enqueue_on_commit("billing.tasks.send_order_confirmation", order_id=order.pk)
    except IntegrityError:
        # A concurrent submit won the race for this subdomain: ours only if the same browser.
        existing = _open_order(cleaned["subdomain"])
        if existing is not None and existing.browser == browser:
            return existing
        raise _taken(cleaned["subdomain"]) from None
    return order


RESEND_AFTER = timedelta(minutes=1)


def order_confirmation_resend(*, order: Order) -> None:
    """Mail the confirmation link again (at most once a minute; ValidationError otherwise)."""
    if order.status != Order.Status.AWAITING_CONFIRMATION:
        return
    sent = order.confirmation_sent_at
    if sent is not None and timezone.now() - sent < RESEND_AFTER:
        raise ValidationError(_("The e-mail was sent a moment ago; please wait a minute."))
    enqueue_on_commit("billing.tasks.send_order_confirmation", order_id=order.pk)


def confirmation_mailed(*, order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(confirmation_sent_at=timezone.now())


def confirmation_signature(order: Order) -> str:
    """The secret part of the link mailed to the order's contact."""
    return signing.dumps(
        {"order": str(order.token), "email": order.contact_email}, salt=CONFIRMATION_SALT
    )


def confirmation_check(*, order: Order, signature: str) -> None:
    """ValidationError unless `signature` is this order's unexpired confirmation link."""
    try:
        value = signing.loads(
            signature,
            salt=CONFIRMATION_SALT,
            max_age=CONFIRMATION_MAX_AGE.total_seconds(),
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This confirmation link has expired. Please place the order again.")
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This confirmation link is not valid.")) from exc
    if value != {"order": str(order.token), "email": order.contact_email}:
        raise ValidationError(_("This confirmation link is not valid."))


def order_confirm(*, order: Order, signature: str, browser: str) -> Order:
    """The contact confirmed their address with the mailed link, in the browser `browser`,
    which from now on owns the order. Community: the portal is created now. Professional: a
    Stripe customer is created and the order awaits payment."""
    confirmation_check(order=order, signature=signature)
    customer_id = ""
    if order.plan.is_paid and not order.stripe_customer_id:
        customer_id = _stripe_customer_create(order)  # before the lock, as every Stripe call
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("plan").get(pk=order.pk)
        locked.browser = browser
        if locked.status != Order.Status.AWAITING_CONFIRMATION:
            # A second click on the link: it only moves the order to this browser.
            locked.save(update_fields=["browser", "updated_at"])
            return locked
        locked.confirmed_at = timezone.now()
        audit_record(event_type=EventType.ORDER_CONFIRMED, actor_label="order contact", obj=locked)
        if locked.plan.is_paid:
            locked.status = Order.Status.AWAITING_PAYMENT
            locked.stripe_customer_id = locked.stripe_customer_id or customer_id
            locked.save(
                update_fields=[
                    "browser",
                    "confirmed_at",
                    "status",
                    "stripe_customer_id",
                    "updated_at",
                ]
            )
            return locked
        return _provision(locked, fields=["browser", "confirmed_at"])


def _stripe_customer_create(order: Order) -> str:
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
        raise BillingError(
            _("The payment service is not reachable right now; please try again.")
        ) from exc
    return customer.id


def _provision(order: Order, *, fields: list[str], subscription=None) -> Order:
    """Create the ordered portal for a locked order (inside its transaction). A subdomain taken
    meanwhile fails the order with the reason instead of raising."""
    from tenants.services import portal_provision

    try:
        with transaction.atomic():
            portal = portal_provision(
                name=order.organisation,
                subdomain=order.subdomain,
                admin_email=order.contact_email,
                admin_name=order.contact_name,
                plan=order.plan_id,
                language=order.language,
                actor_label="order",
            ).portal
    except ValidationError as exc:
        order.status, order.error = Order.Status.FAILED, "; ".join(exc.messages)[:500]
        order.save(update_fields=[*fields, "status", "error", "updated_at"])
        audit_record(
            event_type=EventType.ORDER_FAILED,
            actor_label="order",
            obj=order,
            detail={"error": order.error},
        )
        return order
    if subscription is not None:
        account = BillingAccount.objects.create(
            portal=portal,
            stripe_customer_id=order.stripe_customer_id,
            stripe_subscription_id=order.stripe_subscription_id,
            billing_email=order.contact_email,
            paid_plan_id=order.plan_id,
            interval=order.interval,
        )
        subscription_apply(account, subscription)
    order.status, order.portal = Order.Status.COMPLETED, portal
    order.save(update_fields=[*fields, "status", "portal", "updated_at"])
    audit_record(
        event_type=EventType.ORDER_COMPLETED, actor_label="order", portal=portal, obj=order
    )
    return order


def setup_intent_create(*, customer_id: str | None = None) -> str:
    """A SetupIntent's client secret for collecting a card with Stripe.js (confirmCardSetup).
    Without a customer (a portal that has never paid) the card is attached when paying."""
    stripe = client()
    options = {"customer": customer_id} if customer_id else {}
    try:
        return stripe.SetupIntent.create(usage="off_session", **options).client_secret
    except stripe.StripeError as exc:
        raise BillingError(
            _("The payment service is not reachable right now; please try again.")
        ) from exc


def order_pay(*, order: Order, payment_method: str) -> PaymentStep:
    """Start (or retry) the order's subscription with the card the browser just set up."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return PaymentStep("succeeded")
    stripe = client()
    try:
        card_use(stripe, customer_id=order.stripe_customer_id, payment_method=payment_method)
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
            subscription = open_invoice_retry(stripe, subscription_id=order.stripe_subscription_id)
    except stripe.CardError as exc:
        return PaymentStep("failed", error=stripe_error_message(exc))
    except stripe.StripeError as exc:
        raise BillingError(
            _("The payment service is not reachable right now; please try again.")
        ) from exc
    step = payment_step(subscription)
    if step.status == "succeeded":
        order_fulfil_later(order)
    return step


def order_fulfil(*, order_id: int):
    """Provision the ordered portal once its subscription is paid; the portal, or None while
    unpaid. Idempotent and race-free: Stripe is asked first, then the order row is locked and
    re-checked, so two webhooks never create two portals."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.portal_id:
        return order.portal if order else None
    if order.status not in (Order.Status.AWAITING_PAYMENT, Order.Status.PAID):
        return None
    if not order.stripe_subscription_id:
        return None
    stripe = client()
    subscription = stripe.Subscription.retrieve(order.stripe_subscription_id)
    if subscription.status not in PAID_STATES:
        return None
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("plan").get(pk=order_id)
        if locked.portal_id or locked.status not in (
            Order.Status.AWAITING_PAYMENT,
            Order.Status.PAID,
        ):
            return locked.portal
        locked = _provision(locked, fields=[], subscription=subscription)
        if locked.status == Order.Status.FAILED:
            transaction.on_commit(lambda: _refund(locked))
            return None
        portal = locked.portal
        customer_id = locked.stripe_customer_id
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


def orders_abandon(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Orders never confirmed or never paid expire, freeing their subdomain; their incomplete
    subscriptions are cancelled at Stripe."""
    count = 0
    due = Order.objects.filter(
        status__in=[Order.Status.AWAITING_CONFIRMATION, Order.Status.AWAITING_PAYMENT],
        created_at__lt=timezone.now() - older_than,
    )
    for order in due:
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
        with transaction.atomic():
            order.status = Order.Status.ABANDONED
            order.save(update_fields=["status", "updated_at"])
            audit_record(event_type=EventType.ORDER_ABANDONED, actor_label="billing", obj=order)
        count += 1
    return count
