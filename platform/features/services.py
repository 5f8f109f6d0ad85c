"""Writes on features and plans: switching modules, changing a portal's plan, grants.

Every refusal is a ValidationError whose message says why (not in the plan, a dependency is
off, another module depends on it), so the settings page and the API show the same reason.
Plan changes never delete anything: modules the new plan lacks are hidden, and come back with
their content when a plan includes them again. Billing changes plans through `plan_change`.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.event_types import EventType
from core.services import audit_record
from features import catalogue
from features.limits import limit_warnings
from features.models import FeatureGrant, FeatureSwitch, Plan
from features.selectors import load_portal_features, plans_offering


def _names(keys) -> str:
    return ", ".join(f"„{catalogue.get(k).name}“" for k in keys)


@transaction.atomic
def feature_switch(
    *,
    portal,
    feature: str,
    enabled: bool,
    actor=None,
    actor_label: str = "",
) -> FeatureSwitch:
    """Switch a module on or off for a portal, or refuse with the reason. The audit row goes to
    the log of whoever switched: the portal's own for its admins, the public one for operators."""
    try:
        module = catalogue.get(feature)
    except KeyError as exc:
        raise ValidationError(_("There is no module „%(key)s“.") % {"key": feature}) from exc
    # Fresh from the database: the decision must not rest on a stale cache entry.
    current, _ttl = load_portal_features(portal)
    if enabled:
        if feature not in current.entitled:
            offering = [p.name for p in plans_offering(feature)]
            raise ValidationError(
                _("„%(name)s“ is not part of the plan %(plan)s.")
                % {"name": module.name, "plan": current.plan_display_name}
                + (
                    " " + _("It is included in: %(plans)s.") % {"plans": ", ".join(offering)}
                    if offering
                    else ""
                )
            )
        missing = [k for k in module.requires if k not in current.enabled]
        if missing:
            raise ValidationError(
                _("„%(name)s“ needs %(missing)s switched on first.")
                % {"name": module.name, "missing": _names(missing)}
            )
    else:
        blocking = [k for k in catalogue.dependants(feature) if k in current.enabled]
        if blocking:
            raise ValidationError(
                _("%(blocking)s depend on „%(name)s“: switch them off first.")
                % {"blocking": _names(blocking), "name": module.name}
            )
    was = feature in current.enabled
    switch, _created = FeatureSwitch.objects.update_or_create(
        portal=portal, feature=feature, defaults={"enabled": enabled}
    )
    if was != enabled:
        audit_record(
            event_type=EventType.FEATURE_SWITCHED,
            actor=actor,
            actor_label=actor_label,
            portal=portal,
            object_type="feature",
            object_id=feature,
            object_label=str(module.name),
            detail={"feature": feature, "from": was, "to": enabled},
        )
    return switch


@transaction.atomic
def plan_change(*, portal, plan: str, actor=None, actor_label: str = "") -> list[str]:
    """Move a portal to another plan; returns limit warnings. Never deletes content."""
    from tenants.models import Portal

    target = Plan.objects.filter(key=plan).first()
    if target is None:
        raise ValidationError(_("There is no plan „%(key)s“.") % {"key": plan})
    portal = Portal.objects.select_for_update().get(pk=portal.pk)
    previous = portal.plan_id
    if previous == target.key:
        return []
    portal.plan_id = target.key
    portal.save(update_fields=["plan", "updated_at"])
    audit_record(
        event_type=EventType.PORTAL_PLAN_CHANGED,
        actor=actor,
        actor_label=actor_label,
        portal=portal,
        obj=portal,
        detail={"from": previous, "to": target.key},
    )
    # The cached entitlements are forgotten on commit (features.signals); the warnings are
    # computed from the database inside this transaction.
    return limit_warnings(portal)


@transaction.atomic
def feature_grant(
    *, portal, feature: str, expires_at: datetime, granted_by=None, note: str = ""
) -> FeatureGrant:
    """Grant a module outside the plan until `expires_at` (a pilot)."""
    try:
        catalogue.get(feature)
    except KeyError as exc:
        raise ValidationError(_("There is no module „%(key)s“.") % {"key": feature}) from exc
    if expires_at <= timezone.now():
        raise ValidationError(_("A grant needs an expiry date in the future."))
    grant = FeatureGrant.objects.create(
        portal=portal, feature=feature, expires_at=expires_at, granted_by=granted_by, note=note
    )
    audit_record(
        event_type=EventType.FEATURE_GRANTED,
        actor=granted_by,
        actor_label="operator",  # used only without granted_by
        portal=portal,
        object_type="feature",
        object_id=feature,
        object_label=str(catalogue.get(feature).name),
        detail={"feature": feature, "until": expires_at.isoformat(), "note": note},
    )
    return grant
