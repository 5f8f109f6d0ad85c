"""Reads about accounts and the portal's membership rules."""

from __future__ import annotations

from accounts.models import MembershipPolicy, Role, User

POLICY_CACHE_KEY = "membership-policy"
KEPT_SECONDS = 60 * 60
MEMBER_COUNT_CACHE_KEY = "active-member-count"


def membership_policy() -> MembershipPolicy:
    """The current schema's membership rules (the defaults until an admin sets them).

    Read on most requests (members-only check, sign-up link, admin two-factor rule), so it is
    kept in this process (tenants.localcache) in front of the portal's shared cache, and
    forgotten in every process when the row changes (accounts.signals)."""
    return _kept(
        policy_local_key,
        POLICY_CACHE_KEY,
        lambda: MembershipPolicy.objects.order_by("pk").first() or MembershipPolicy(),
    )


def shown_member_count() -> int:
    """How many active members the portal has, as its pages show it: counted once and kept
    like the membership rules until a member is added, removed or (de)activated
    (accounts.signals), rather than counting the members table on every start page. Limits
    that must be exact (features.limits) count for themselves."""
    return _kept(
        member_count_local_key,
        MEMBER_COUNT_CACHE_KEY,
        lambda: User.objects.filter(is_active=True).count(),
    )


def policy_local_key(schema: str) -> str:
    return f"membership-policy:{schema}"


def member_count_local_key(schema: str) -> str:
    return f"active-member-count:{schema}"


def _kept(local_key, shared_name: str, read):
    """`read()`'s value, kept in this process and in the portal's shared cache (versioned
    there, see tenants.localcache) for KEPT_SECONDS or until forgotten."""
    from django.core.cache import cache

    from tenants import localcache
    from tenants.cache import _current_schema

    def load(version: str):
        shared = localcache.shared_key(shared_name, version)
        value = cache.get(shared)
        if value is None:
            value = read()
            cache.set(shared, value, KEPT_SECONDS)
        return value, KEPT_SECONDS

    return localcache.local_cache.get(local_key(_current_schema()), load, alias="default")


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
