"""Own domains for portals (a Professional module): claim, verify through DNS, make primary, remove.

A domain is added as an unverified *claim* with a token of its own and does not route until a TXT
record at `_allmende-challenge.<domain>` carries that token; the check runs in a Celery task.
Several portals may claim one hostname at the same time, so nobody can block a domain's owner by
claiming it first: the first portal to verify gets the hostname, the other portals' claims are
marked lost (their admins see why on the domains page), and the partial unique index
`one_portal_per_verified_hostname` keeps it so even when two checks race. A claim counts for
DOMAIN_CLAIM_LIFETIME_DAYS; an expired claim can no longer be verified, blocks nobody, and the
beat task behind `domain_claims_expire` removes it.

Refusals (module off, malformed name, the platform's own domain, a domain another portal has
verified) raise ValidationError with the reason and change nothing. DNS failures never raise: the
claim stays pending with the reason in `last_check_error`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.event_types import EventType
from core.services import audit_record
from tenants.models import Domain, Portal, PortalStatus
from tenants.routing import normalise_hostname

CHALLENGE_PREFIX = "_allmende-challenge"


def challenge_name(domain: Domain) -> str:
    return f"{CHALLENGE_PREFIX}.{domain.domain}"


def dns_instructions(domain: Domain) -> list[tuple[str, str, str]]:
    """(type, name, value) records the portal's admin has to create."""
    target = f"{domain.tenant.slug}.{settings.PLATFORM_DOMAIN}"
    return [
        ("CNAME", domain.domain, target),
        ("TXT", challenge_name(domain), domain.verification_token),
    ]


def _require_module(portal: Portal) -> None:
    from features.gate import is_enabled

    if not is_enabled(portal, "own_domain"):
        raise ValidationError(_("Own domains are not part of this portal's plan."))


def _audit(
    event_type: EventType, domain: Domain, actor, *, label: str = "", detail: dict | None = None
) -> None:
    audit_record(
        event_type=event_type,
        actor=actor,
        actor_label=label or "platform",
        portal=domain.tenant,
        object_type="tenants.domain",
        object_id=domain.pk,
        object_label=domain.domain,
        detail=detail,
    )


def _rows_for_hostname(name: str) -> list[Domain]:
    """Every row of `name`, locked in one order, so that claims and checks on one hostname take
    turns (and never deadlock) while other hostnames go on in parallel."""
    return list(
        Domain.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .filter(domain=name)
        .order_by("pk")
    )


@transaction.atomic
def domain_add(*, portal: Portal, hostname: str, actor=None) -> Domain:
    """Claim `hostname` for `portal`. Other portals' unverified claims do not stand in the way."""
    _require_module(portal)
    name = normalise_hostname(hostname or "")
    platform = settings.PLATFORM_DOMAIN
    if name and (name == platform or name.endswith("." + platform)):
        raise ValidationError(
            _("Addresses under %(platform)s belong to the platform.") % {"platform": platform}
        )
    if name is None or "." not in name:
        raise ValidationError(
            _("„%(name)s“ is not a domain name.") % {"name": (hostname or "")[:80]}
        )
    rows = _rows_for_hostname(name)
    verified = next((row for row in rows if row.is_verified), None)
    if verified is not None and verified.tenant_id != portal.pk:
        raise ValidationError(_("The domain %(name)s belongs to another portal.") % {"name": name})
    own = next((row for row in rows if row.tenant_id == portal.pk), None)
    if own is not None and not own.claim_is_dead:
        raise ValidationError(_("This portal has the domain %(name)s already.") % {"name": name})
    if own is not None:
        # An expired or lost claim of this portal makes way for a new one with a new token.
        own.delete()
    try:
        with transaction.atomic():
            domain = Domain.objects.create(
                domain=name,
                tenant=portal,
                is_primary=False,
                is_verified=False,
                verification_token=secrets.token_urlsafe(24),
            )
    except IntegrityError:  # the same portal's second submit, at the same moment
        raise ValidationError(
            _("This portal has the domain %(name)s already.") % {"name": name}
        ) from None
    _audit(EventType.DOMAIN_ADDED, domain, actor)
    return domain


def _lose(claim: Domain, now: datetime) -> None:
    claim.lost_at = now
    claim.save(update_fields=["lost_at"])
    _audit(EventType.DOMAIN_CLAIM_LOST, claim, None, label="dns check")


def domain_verify(*, domain: Domain) -> Domain:
    """Look up the challenge record; if it carries the claim's token and no other portal was
    faster, the hostname becomes this portal's and the other portals' claims are lost.

    Returns the claim as it is afterwards; an expired or lost claim is not looked up at all."""
    from tenants.dns import check_error, txt_records

    if domain.is_verified or domain.claim_is_dead:
        return domain
    # The look-up happens before any lock: a slow name server must not hold up other checks.
    records, error = txt_records(challenge_name(domain))
    if domain.verification_token not in records:
        domain.last_check_error = error or check_error("token_missing")
        Domain.objects.filter(pk=domain.pk, is_verified=False).update(
            last_check_error=domain.last_check_error
        )
        return domain
    now = timezone.now()
    with transaction.atomic():
        rows = _rows_for_hostname(domain.domain)
        claim = next((row for row in rows if row.pk == domain.pk), None)
        if claim is None or claim.is_verified:  # removed meanwhile, or a parallel check of it won
            return claim or domain
        winner = next((row for row in rows if row.is_verified), None)
        if winner is not None and claim.lost_at is None:
            _lose(claim, now)
        if claim.claim_is_dead:
            return claim
        claim.is_verified, claim.verified_at, claim.last_check_error = True, now, ""
        try:
            with transaction.atomic():
                claim.save(update_fields=["is_verified", "verified_at", "last_check_error"])
        except IntegrityError:
            # Only a write that bypassed the lock above gets here; the index still decides.
            claim.is_verified, claim.verified_at = False, None
            _lose(claim, now)
            return claim
        _audit(EventType.DOMAIN_VERIFIED, claim, None, label="dns check")
        # Re-read, not `rows`: a claim added since the lock was taken is lost as well.
        others = (
            Domain.objects.select_related("tenant")
            .filter(domain=claim.domain, is_verified=False, lost_at__isnull=True)
            .exclude(pk=claim.pk)
            .order_by("pk")
        )
        for other in others:
            _lose(other, now)
    return claim


def domain_claims_expire(*, now: datetime | None = None) -> list[str]:
    """Remove unverified claims older than DOMAIN_CLAIM_LIFETIME_DAYS, lost ones included.

    Idempotent: a second run, or one running at the same time, finds nothing more to remove.
    Returns "<hostname> (<portal>)" for each removed claim."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DOMAIN_CLAIM_LIFETIME_DAYS)
    removed = []
    with transaction.atomic():
        claims = (
            Domain.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("tenant")
            .filter(is_verified=False, created_at__lte=cutoff)
            .order_by("pk")
        )
        for claim in claims:
            _audit(
                EventType.DOMAIN_CLAIM_EXPIRED,
                claim,
                None,
                label="domain claims",
                detail={"lost": claim.lost_at is not None},
            )
            removed.append(f"{claim.domain} ({claim.tenant.slug})")
            claim.delete()
    return removed


@transaction.atomic
def domain_make_primary(*, domain: Domain, actor=None) -> Domain:
    """Make a verified domain the portal's canonical address (links in e-mails use it)."""
    _require_module(domain.tenant)
    if not domain.is_verified:
        raise ValidationError(_("Only a verified domain can become the main address."))
    Domain.objects.filter(tenant=domain.tenant, is_primary=True).exclude(pk=domain.pk).update(
        is_primary=False
    )
    # update() sends no signals: forget the portal's routes explicitly.
    from tenants.routing import forget_hostnames

    hostnames = list(Domain.objects.filter(tenant=domain.tenant).values_list("domain", flat=True))
    transaction.on_commit(lambda: forget_hostnames(hostnames))
    domain.is_primary = True
    domain.save(update_fields=["is_primary"])
    _audit(EventType.DOMAIN_MADE_PRIMARY, domain, actor)
    return domain


@transaction.atomic
def domain_remove(*, domain: Domain, actor=None) -> None:
    platform_name = f"{domain.tenant.slug}.{settings.PLATFORM_DOMAIN}"
    if domain.domain == platform_name:
        raise ValidationError(_("The portal's address under the platform stays."))
    if domain.is_primary:
        raise ValidationError(_("Make another address the main one first."))
    _audit(EventType.DOMAIN_REMOVED, domain, actor)
    domain.delete()


def hostname_allowed_for_tls(hostname: str) -> bool:
    """May a TLS terminator obtain a certificate for `hostname`? Only for serving portals."""
    name = normalise_hostname(hostname or "")
    if name is None:
        return False
    if name in {settings.PLATFORM_DOMAIN, f"www.{settings.PLATFORM_DOMAIN}"}:
        return True
    return Domain.objects.filter(
        domain=name, is_verified=True, tenant__status=PortalStatus.ACTIVE
    ).exists()
