"""Own domains for portals (a Professional module): add, verify through DNS, make primary, remove.

A domain is added unverified and does not route until a TXT record at
`_allmende-challenge.<domain>` carries its token; the check runs in a Celery task. Refusals
(module off, malformed name, the platform's own domain, a domain of another portal) raise
ValidationError with the reason and change nothing.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
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


def _audit(event_type: EventType, domain: Domain, actor, *, label: str = "") -> None:
    audit_record(
        event_type=event_type,
        actor=actor,
        actor_label=label or "platform",
        portal=domain.tenant,
        object_type="tenants.domain",
        object_id=domain.pk,
        object_label=domain.domain,
    )


@transaction.atomic
def domain_add(*, portal: Portal, hostname: str, actor=None) -> Domain:
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
    existing = Domain.objects.filter(domain=name).first()
    if existing is not None:
        if existing.tenant_id == portal.pk:
            raise ValidationError(
                _("This portal has the domain %(name)s already.") % {"name": name}
            )
        raise ValidationError(_("The domain %(name)s belongs to another portal.") % {"name": name})
    domain = Domain.objects.create(
        domain=name,
        tenant=portal,
        is_primary=False,
        is_verified=False,
        verification_token=secrets.token_urlsafe(24),
    )
    _audit(EventType.DOMAIN_ADDED, domain, actor)
    return domain


def domain_verify(*, domain: Domain) -> Domain:
    """Look up the challenge record; mark the domain verified if it carries the token."""
    from tenants.dns import txt_records

    if domain.is_verified:
        return domain
    records, error = txt_records(challenge_name(domain))
    if domain.verification_token in records:
        domain.is_verified, domain.verified_at, domain.last_check_error = True, timezone.now(), ""
    else:
        domain.last_check_error = error or _("The TXT record does not contain the token yet.")
    with transaction.atomic():
        domain.save(update_fields=["is_verified", "verified_at", "last_check_error"])
        if domain.is_verified:
            _audit(EventType.DOMAIN_VERIFIED, domain, None, label="dns check")
    return domain


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
