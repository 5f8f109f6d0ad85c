"""The audit log: one table per schema, one row for everything that changed.

In the public schema it records what operators and the platform did (lifecycle, plans, billing,
grants), each row naming the portal it concerns; in a portal's schema what that portal's people
did. A row always lives in the schema of whoever acted, so `actor` is a real foreign key there;
system actors ("billing", "seed_demo") have an `actor_label` instead. Rows are written only by
`core.services.audit_record`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.event_types import EventType


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No `choices` here: the enum grows with every module, and the column never needs to know.
    # audit_record accepts only EventType values.
    event_type = models.CharField(_("event"), max_length=60, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("system actor"), max_length=80, blank=True)
    # Public schema only: the portal an operator-level event concerns. No database constraint,
    # because the same table exists in every portal schema, where this column stays empty; the
    # name is kept so the row still says which portal it was after a purge.
    portal = models.ForeignKey(
        "tenants.Portal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
        verbose_name=_("portal"),
    )
    portal_name = models.CharField(_("portal name"), max_length=120, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["event_type", "-created_at"], name="audit_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_label} ({self.who})"

    @property
    def event_label(self) -> str:
        try:
            return str(EventType(self.event_type).label)
        except ValueError:
            return self.event_type

    @property
    def who(self) -> str:
        if self.actor_id:
            return str(self.actor)
        return self.actor_label or str(_("a deleted account"))
