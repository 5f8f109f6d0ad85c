"""A payment-problem banner for a portal's admins, on every page of their portal."""

from __future__ import annotations


def billing_notice(request) -> dict:
    portal = getattr(request, "portal", None)
    user = getattr(request, "user", None)
    if portal is None or not getattr(user, "is_portal_admin", False):
        return {}
    from billing.models import BillingAccount

    account = (
        BillingAccount.objects.filter(portal_id=portal.pk)
        .only("grace_until", "downgraded_for_nonpayment")
        .first()
    )
    if account is None or (account.grace_until is None and not account.downgraded_for_nonpayment):
        return {}
    return {"billing_notice": account}
