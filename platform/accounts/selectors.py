"""Reads about accounts and the portal's membership rules."""

from __future__ import annotations

from accounts.models import MembershipPolicy, Role, User

POLICY_CACHE_KEY = "membership-policy"


def membership_policy() -> MembershipPolicy:
    """The current schema's membership rules (the defaults until an admin sets them).

    Read on most requests (members-only check, sign-up link, admin two-factor rule), so it is
    cached per portal and forgotten when the row changes (accounts.signals)."""
    from django.core.cache import cache

    policy = cache.get(POLICY_CACHE_KEY)
    if policy is None:
        policy = MembershipPolicy.objects.order_by("pk").first() or MembershipPolicy()
        cache.set(POLICY_CACHE_KEY, policy, 60 * 60)
    return policy


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def active_admins():
    return User.objects.filter(role=Role.ADMIN, is_active=True)


def members_visible_to(*, user):
    """The members list of the API: every account for the portal's admins, nothing for others."""
    if not getattr(user, "is_portal_admin", False):
        return User.objects.none()
    return User.objects.order_by("display_name", "email", "pk")


def account_exists(pk) -> bool:
    """Whether this schema has an account with this id (a link of another portal names none)."""
    return pk is not None and User.objects.filter(pk=pk).exists()
