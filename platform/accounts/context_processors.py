"""Whether the page may offer sign-up (a visitor on a portal that is open for it)."""

from __future__ import annotations


def accounts(request) -> dict:
    if getattr(request, "portal", None) is None or request.user.is_authenticated:
        return {"signup_open": False}
    from accounts.adapter import PortalAccountAdapter

    return {"signup_open": PortalAccountAdapter(request).is_open_for_signup(request)}
