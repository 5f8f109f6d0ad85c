"""A payment-problem banner for a portal's admins, on every page of their portal."""

from __future__ import annotations

from core.permissions import is_portal_admin


def billing_notice(request) -> dict:
    portal = getattr(request, "portal", None)
    if portal is None or not is_portal_admin(getattr(request, "user", None)):
        return {}
    from billing.selectors import payment_notice_for

    account = payment_notice_for(portal)
    return {"billing_notice": account} if account is not None else {}
