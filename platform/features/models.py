"""Plans, per-portal feature switches, operator grants and the switch audit trail (public schema)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from features.catalogue import FEATURES


def _validate_feature_keys(keys: list[str]) -> None:
    unknown = sorted(set(keys) - set(FEATURES))
    if unknown:
        raise ValidationError(f"Unknown feature(s): {', '.join(unknown)}.")


class Plan(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    monthly_price_cents = models.PositiveIntegerField(_("monthly price (cents)"), default=0)
    yearly_price_cents = models.PositiveIntegerField(_("yearly price (cents)"), default=0)
    features = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        validators=[_validate_feature_keys],
        verbose_name=_("features"),
    )
    max_members = models.PositiveIntegerField(
        _("member limit"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    storage_mb = models.PositiveIntegerField(_("storage (MB)"), default=500)
    max_spaces = models.PositiveIntegerField(
        _("limit of groups and projects"),
        null=True,
        blank=True,
        help_text=_("Empty means unlimited."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language: the seeded plans' texts are in the catalogue
        (features.catalogue.PLAN_TEXTS); a name an operator typed is shown as typed."""
        return gettext(self.name) if self.name else ""

    @property
    def display_description(self) -> str:
        return gettext(self.description) if self.description else ""

    @property
    def is_paid(self) -> bool:
        return bool(self.monthly_price_cents or self.yearly_price_cents)


class FeatureSwitch(models.Model):
    """A tenant admin's choice for one module. Absent means the catalogue's default."""

    portal = models.ForeignKey(
        "tenants.Portal",
        on_delete=models.CASCADE,
        related_name="feature_switches",
        verbose_name=_("portal"),
    )
    feature = models.CharField(_("module"), max_length=40)
    enabled = models.BooleanField(_("switched on"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("module switch")
        verbose_name_plural = _("module switches")
        constraints = [
            models.UniqueConstraint(fields=["portal", "feature"], name="one_switch_per_feature")
        ]

    def __str__(self) -> str:
        return f"{self.feature}: {'on' if self.enabled else 'off'}"


class FeatureGrant(models.Model):
    """A module granted outside the plan (a pilot), until `expires_at`."""

    portal = models.ForeignKey(
        "tenants.Portal",
        on_delete=models.CASCADE,
        related_name="feature_grants",
        verbose_name=_("portal"),
    )
    feature = models.CharField(
        _("module"), max_length=40, choices=[(k, f.name) for k, f in FEATURES.items()]
    )
    expires_at = models.DateTimeField(_("expires at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-expires_at"]
        verbose_name = _("module grant")
        verbose_name_plural = _("module grants")

    def __str__(self) -> str:
        return _("%(module)s until %(date)s") % {
            "module": self.get_feature_display(),
            "date": date_format(self.expires_at, "SHORT_DATE_FORMAT"),
        }
