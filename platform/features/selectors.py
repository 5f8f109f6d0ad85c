"""What a portal may use: its plan's entitlements, grants, switches and limits, cached.

`portal_features(portal)` is the one load per portal; in steady state it costs no query and no
shared-cache call (this process's `tenants.localcache` sits in front of the shared cache). The
entry is forgotten on commit whenever a switch, a grant, the portal's plan or the plan itself
changes (features.signals), in other processes within LOCAL_CACHE_CHECK_SECONDS, and expires by
itself when the earliest grant runs out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import caches
from django.utils import timezone

from features.catalogue import FEATURES
from features.models import FeatureGrant, FeatureSwitch, Plan
from tenants import localcache

CACHE_TTL = 60 * 60


@dataclass(frozen=True)
class Limits:
    max_members: int | None
    storage_mb: int
    max_spaces: int | None


@dataclass(frozen=True)
class PortalFeatures:
    plan_key: str
    plan_name: str
    entitled: frozenset[str]
    enabled: frozenset[str]
    switches: dict[str, bool] = field(default_factory=dict)
    granted_until: dict[str, datetime] = field(default_factory=dict)
    limits: Limits = Limits(None, 0, None)

    def __contains__(self, key: str) -> bool:
        return key in self.enabled

    @property
    def plan_display_name(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.plan_name) if self.plan_name else ""

    def wanted(self, key: str) -> bool:
        return self.switches.get(key, FEATURES[key].default_on)


def _cache_key(portal_id: int) -> str:
    return f"features:v1:{portal_id}"


def resolve_enabled(entitled: frozenset[str], switches: dict[str, bool]) -> frozenset[str]:
    """Entitled and switched-on modules, minus those whose dependencies are not enabled."""
    enabled = {
        key
        for key, feature in FEATURES.items()
        if feature.built and key in entitled and switches.get(key, feature.default_on)
    }
    changed = True
    while changed:
        changed = False
        for key in list(enabled):
            if not set(FEATURES[key].requires) <= enabled:
                enabled.discard(key)
                changed = True
    return frozenset(enabled)


def load_portal_features(portal) -> tuple[PortalFeatures, int]:
    """Read from the database; returns the result and how long it may be cached (seconds)."""
    plan = Plan.objects.get(key=portal.plan_id)
    now = timezone.now()
    grants = {}
    for grant in FeatureGrant.objects.filter(portal_id=portal.pk, expires_at__gt=now):
        grants[grant.feature] = max(grant.expires_at, grants.get(grant.feature, grant.expires_at))
    switches = dict(
        FeatureSwitch.objects.filter(portal_id=portal.pk).values_list("feature", "enabled")
    )
    entitled = frozenset(k for k in plan.features if k in FEATURES) | frozenset(grants)
    result = PortalFeatures(
        plan_key=plan.key,
        plan_name=plan.name,
        entitled=entitled,
        enabled=resolve_enabled(entitled, switches),
        switches=switches,
        granted_until=grants,
        limits=Limits(plan.max_members, plan.storage_mb, plan.max_spaces),
    )
    return result, _keep_for(result, now)


def _keep_for(features: PortalFeatures, now: datetime) -> int:
    """Seconds `features` may be cached: an hour, or until the earliest grant runs out."""
    if not features.granted_until:
        return CACHE_TTL
    return max(1, min(CACHE_TTL, int((min(features.granted_until.values()) - now).total_seconds())))


def portal_features(portal) -> PortalFeatures:
    key = _cache_key(portal.pk)
    return localcache.local_cache.get(
        key, lambda version: _shared_portal_features(portal, localcache.shared_key(key, version))
    )


def _shared_portal_features(portal, key: str) -> tuple[PortalFeatures, int]:
    cache = caches["routing"]
    cached = cache.get(key)
    if cached is not None:
        return cached, _keep_for(cached, timezone.now())
    cached, ttl = load_portal_features(portal)
    cache.set(key, cached, ttl)
    return cached, ttl


def forget_portal_features(portal_ids) -> None:
    """Forget the feature sets of `portal_ids` in the shared cache, then in every process."""
    localcache.local_cache.invalidate([_cache_key(pk) for pk in portal_ids])


def all_plans() -> list[Plan]:
    return list(Plan.objects.all())


def plans_offering(key: str) -> list[Plan]:
    return [plan for plan in Plan.objects.all() if key in plan.features]


def enabled_here(key: str) -> bool:
    """Whether module `key` is on for the portal whose schema the connection is on: the answer
    for code without a request (selectors, tasks, notifications). False in the public schema."""
    from django.db import connection

    from tenants.models import Portal

    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(connection, "schema_name", "public") == "public":
        return False
    if not isinstance(tenant, Portal) or tenant.pk is None:
        tenant = Portal.objects.filter(schema_name=connection.schema_name).first()
        if tenant is None:
            return False
    return key in portal_features(tenant)
