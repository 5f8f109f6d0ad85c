"""Billing for the professional intranet tier, in the public schema, through the `stripe` SDK.

Organisations order a portal on the platform site (order flow), pay by card (Stripe.js; in tests
and the local demo the same code talks to localstripe), and manage their subscription on their
portal's billing page. Stripe's webhooks and a nightly reconciliation keep our records true; plan
changes always go through features.services.plan_change, so a payment problem never deletes
data: after the grace period the portal falls back to Community and comes back when paid.
"""
