"""Billing in the operator console: orders, accounts, webhook log, and the revenue overview."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from billing.models import BillingAccount, Order, StripeEvent
from billing.selectors import revenue_overview
from core.admin import ReadOnlyAdmin


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "organisation",
        "subdomain",
        "plan",
        "interval",
        "status",
        "portal",
    ]
    list_filter = ["status", "plan"]
    search_fields = ["organisation", "subdomain", "contact_email"]


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = [
        "portal",
        "paid_plan",
        "interval",
        "status",
        "grace_until",
        "downgraded_for_nonpayment",
        "current_period_end",
        "cancel_at_period_end",
    ]
    list_filter = ["status", "downgraded_for_nonpayment"]

    def get_urls(self):
        return [
            path("overview/", self.admin_site.admin_view(self.overview), name="billing_overview"),
            *super().get_urls(),
        ]

    def overview(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Billing overview"),
            **revenue_overview(),
        }
        return TemplateResponse(request, "billing/admin_overview.html", context)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "event_id", "outcome"]
    list_filter = ["type"]
