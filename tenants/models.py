"""Portal (the django-tenants tenant), its domains and its exports, all in the public schema.

What happened to a portal is in the audit log (core.AuditEvent).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name


class PortalStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived (deleted, in grace period)")


class Portal(TenantMixin):
    """One portal: a PostgreSQL schema with its own members, content and theme."""

    # A stable identity that survives domain changes; media files are stored under it.
    uid = models.UUIDField(_("stable ID"), default=uuid.uuid4, unique=True, editable=False)
    # TenantMixin's field, repeated only to give it a translatable name in the console.
    schema_name = models.CharField(
        _("database schema"),
        max_length=63,
        unique=True,
        db_index=True,
        validators=[_check_schema_name],
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("subdomain at creation"), max_length=40, unique=True)
    # Keyed by the plan's key, so the column reads "community" / "professional".
    plan = models.ForeignKey(
        "features.Plan",
        to_field="key",
        db_column="plan",
        on_delete=models.PROTECT,
        default="community",
        related_name="portals",
        verbose_name=_("plan"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PortalStatus.choices, default=PortalStatus.PROVISIONING
    )
    language = models.CharField(_("default language"), max_length=8, default="de")
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    archived_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    purge_after = models.DateTimeField(_("purged after"), null=True, blank=True)

    # Schemas are created from the template by the provisioning service and dropped by the purge
    # service only; a stray save() or delete() must never touch them.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("portal")
        verbose_name_plural = _("portals")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="archived") | models.Q(purge_after__isnull=False),
                name="archived_portal_has_purge_date",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_serving(self) -> bool:
        return self.status == PortalStatus.ACTIVE


class Domain(DomainMixin):
    """A hostname of a portal: <subdomain>.PLATFORM_DOMAIN, or an own domain.

    An own domain starts as an unverified *claim*. Several portals may claim the same hostname at
    once, each with its own token; the first to prove control in DNS gets it (`is_verified`), and
    the database allows one verified row per hostname. Only verified rows route or get
    certificates. A claim counts until DOMAIN_CLAIM_LIFETIME_DAYS after it was made, or until
    another portal verifies the hostname (`lost_at`); then it is dead and a beat task removes it.
    """

    # DomainMixin's field is unique; here only verified hostnames are (constraints below).
    domain = models.CharField(_("hostname"), max_length=253, db_index=True)
    # DomainMixin's fields, repeated only to give them translatable names in the console.
    tenant = models.ForeignKey(
        settings.TENANT_MODEL,
        db_index=True,
        related_name="domains",
        on_delete=models.CASCADE,
        verbose_name=_("portal"),
    )
    is_primary = models.BooleanField(_("main address"), default=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Own domains serve only once their owner proved control of them in DNS (themes issue #10).
    is_verified = models.BooleanField(_("verified"), default=True)
    verification_token = models.CharField(_("verification token"), max_length=64, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    last_check_error = models.CharField(_("last check's error"), max_length=300, blank=True)
    # Set when another portal verified this hostname first: the claim no longer counts.
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="one_primary_domain_per_portal",
            ),
            # The guarantee behind "the first portal to verify wins", also under a race.
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(is_verified=True),
                name="one_portal_per_verified_hostname",
            ),
            models.UniqueConstraint(
                fields=["tenant", "domain"], name="one_row_per_portal_and_hostname"
            ),
        ]

    @property
    def claim_expires_at(self):
        """When an unverified claim stops counting; None for a verified domain."""
        if self.is_verified or self.created_at is None:
            return None
        return self.created_at + timedelta(days=settings.DOMAIN_CLAIM_LIFETIME_DAYS)

    @property
    def claim_is_expired(self) -> bool:
        expires = self.claim_expires_at
        return expires is not None and expires <= timezone.now()

    @property
    def claim_is_dead(self) -> bool:
        """An unverified claim that can no longer be verified: expired, or lost to another portal."""
        return not self.is_verified and (self.lost_at is not None or self.claim_is_expired)

    def __str__(self) -> str:
        return self.domain

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that renaming a domain also forgets the old hostname's cached route.
        instance._loaded_domain = instance.domain
        return instance


class PortalExport(models.Model):
    """An export archive requested from the operator console, written by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    portal = models.ForeignKey(
        Portal, on_delete=models.CASCADE, related_name="exports", verbose_name=_("portal")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    path = models.CharField(_("file path"), max_length=500, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("portal export")
        verbose_name_plural = _("portal exports")

    def __str__(self) -> str:
        return _("Export of %(portal)s (%(status)s)") % {
            "portal": self.portal,
            "status": self.get_status_display(),
        }


class PlatformPage(models.Model):
    """The platform's own legal pages (Impressum, privacy statement, terms of use, data processing
    agreement), written by its operators in the console and shown on the platform host."""

    class Kind(models.TextChoices):
        IMPRESSUM = "impressum", _("Impressum")
        PRIVACY = "privacy", _("Privacy statement")
        # Linked from the order form's "I accept" checkbox.
        TERMS = "terms", _("Terms of use")
        DPA = "dpa", _("Data processing agreement")

    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices, unique=True)
    body = models.TextField(_("text"), help_text=_("Simple HTML: paragraphs, lists, links."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("platform page")
        verbose_name_plural = _("platform pages")

    def __str__(self) -> str:
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        from themes.sanitize import clean_html

        self.body = clean_html(self.body)  # the operator's HTML reduced to the safe subset
        super().save(*args, **kwargs)
        self._forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._forget()
        return result

    @staticmethod
    def _forget() -> None:
        from django.core.cache import caches
        from django.db import transaction

        from tenants.selectors import PLATFORM_PAGES_KEY

        caches["routing"].delete(PLATFORM_PAGES_KEY)
        transaction.on_commit(lambda: caches["routing"].delete(PLATFORM_PAGES_KEY))
