"""Reads about accounts and the portal's membership rules."""

from __future__ import annotations

from accounts.models import MembershipPolicy, Role, User


def membership_policy() -> MembershipPolicy:
    """The current schema's membership rules (the defaults until an admin sets them)."""
    policy = MembershipPolicy.objects.order_by("pk").first()
    return policy if policy is not None else MembershipPolicy()


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def active_admins():
    return User.objects.filter(role=Role.ADMIN, is_active=True)
