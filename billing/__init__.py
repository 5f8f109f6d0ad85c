"""Billing for the professional intranet tier (public schema): Stripe customers, subscriptions,
the order flow and dunning. Built by the "Billing" issue; for now the app only reserves its place
so that portals carry a plan (tenants.models.Plan) from day one.
"""
