"""Orders, Stripe customers and subscriptions, and the webhook event log (public schema).

Amounts are integer cents in EUR. What billing changed is in the audit log (core.AuditEvent).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Interval(models.TextChoices):
    MONTH = "month", _("monthly")
    YEAR = "year", _("yearly")


class Order(models.Model):
    """An organisation's order of a portal, from the form to the provisioned portal."""

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("awaiting e-mail confirmation")
        AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
        PAID = "paid", _("paid, portal being set up")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")
        ABANDONED = "abandoned", _("abandoned")

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.CharField(_("organisation"), max_length=120)
    contact_name = models.CharField(_("contact person"), max_length=120)
    contact_email = models.EmailField(_("contact e-mail"))
    subdomain = models.SlugField(_("subdomain"), max_length=40)
    plan = models.ForeignKey(
        "features.Plan", to_field="key", on_delete=models.PROTECT, verbose_name=_("plan")
    )
    interval = models.CharField(
        _("billing interval"), max_length=5, choices=Interval.choices, default=Interval.MONTH
    )
    street = models.CharField(_("street and number"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=12)
    city = models.CharField(_("city"), max_length=80)
    country = models.CharField(_("country"), max_length=2, default="DE")
    vat_id = models.CharField(_("VAT ID"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.AWAITING_CONFIRMATION
    )
    # Keyed hash of the session of the browser that owns the order (placed it, or confirmed
    # the contact address); every order page answers that browser only.
    browser = models.CharField(_("browser"), max_length=64, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    stripe_customer_id = models.CharField(_("Stripe customer ID"), max_length=64, blank=True)
    stripe_subscription_id = models.CharField(
        _("Stripe subscription ID"), max_length=64, blank=True
    )
    portal = models.OneToOneField(
        "tenants.Portal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order",
        verbose_name=_("portal"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            # Never two live orders for one address: a double submit finds the first.
            models.UniqueConstraint(
                fields=["subdomain"],
                condition=models.Q(
                    status__in=["awaiting_confirmation", "awaiting_payment", "paid"]
                ),
                name="one_open_order_per_subdomain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.subdomain})"


class BillingAccount(models.Model):
    """A portal's Stripe customer and its current subscription, as last seen at Stripe."""

    class Status(models.TextChoices):
        NONE = "none", _("no subscription")
        INCOMPLETE = "incomplete", _("incomplete")
        ACTIVE = "active", _("active")
        TRIALING = "trialing", _("trial")
        PAST_DUE = "past_due", _("payment overdue")
        UNPAID = "unpaid", _("unpaid")
        # Context: in German a subscription is "gekündigt", an event "abgesagt".
        CANCELED = "canceled", pgettext_lazy("subscription status", "cancelled")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("expired before payment")

    portal = models.OneToOneField(
        "tenants.Portal",
        on_delete=models.CASCADE,
        related_name="billing",
        verbose_name=_("portal"),
    )
    stripe_customer_id = models.CharField(_("Stripe customer ID"), max_length=64, unique=True)
    stripe_subscription_id = models.CharField(
        _("Stripe subscription ID"), max_length=64, blank=True, db_index=True
    )
    billing_email = models.EmailField(_("billing e-mail"))
    paid_plan = models.ForeignKey(
        "features.Plan",
        to_field="key",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paid plan"),
    )
    interval = models.CharField(
        _("billing interval"), max_length=5, choices=Interval.choices, default=Interval.MONTH
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NONE
    )
    current_period_end = models.DateTimeField(_("current period ends"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    # Set when a payment fails; after it the portal falls back to Community until paid.
    grace_until = models.DateTimeField(_("grace period until"), null=True, blank=True)
    downgraded_for_nonpayment = models.BooleanField(_("downgraded for non-payment"), default=False)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return f"{self.portal} – {self.status}"


class StripeEvent(models.Model):
    """Every webhook event we processed, recorded in the same transaction as its effect."""

    event_id = models.CharField(_("event ID"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
