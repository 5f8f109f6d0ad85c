"""Provisioning a portal: row, schema, first admin, theme, domain, in one transaction.

The schema is a spare prepared in the background and renamed (tenants.spares), or, when no
spare is ready, a copy of the migrated template (tenants.schema_clone); never a migration
replay, so a portal is ready in well under a second. Everything runs in one database transaction and
PostgreSQL DDL is transactional: if any step fails, no portal row, schema or domain remains, and
files registered with `on_rollback` are removed. The invitation e-mail goes out only after
commit. A retry with the same input then succeeds.

`FAULT_POINTS` names every point of a provisioning run (each step, each step of the schema copy,
each part of populating the schema); `checkpoint(point)` is reached at each of them and does
nothing. Fault-injection tests replace it (here and in tenants.schema_clone) to crash there, so
a new step is covered by those tests as soon as it is listed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.event_types import EventType
from core.services import audit_record
from core.text import single_line
from features.catalogue import COMMUNITY
from features.models import Plan
from tenants.models import Domain, Portal, PortalStatus
from tenants.schema_clone import CLONE_STEPS, clone_schema
from tenants.schemas import ensure_template
from tenants.selectors import subdomain_hostname

logger = logging.getLogger(__name__)

# Names that must never become a portal: infrastructure, platform pages, and confusables.
RESERVED_SUBDOMAINS = frozenset(
    {
        "admin",
        "administrator",
        "api",
        "app",
        "assets",
        "auth",
        "billing",
        "blog",
        "cdn",
        "dashboard",
        "dev",
        "docs",
        "email",
        "ftp",
        "help",
        "imap",
        "localhost",
        "login",
        "mail",
        "media",
        "mx",
        "ns",
        "ns1",
        "ns2",
        "operator",
        "platform",
        "pop",
        "portal",
        "portals",
        "root",
        "smtp",
        "staging",
        "static",
        "status",
        "support",
        "system",
        "test",
        "webmail",
        "www",
        "allmende",
    }
)
_SUBDOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


def validate_subdomain_form(subdomain: str) -> str:
    """Normalised subdomain if its form is right (no query); ValidationError says why not."""
    value = (subdomain or "").strip().lower()
    if not _SUBDOMAIN_RE.match(value) or "--" in value:
        raise ValidationError(
            {
                "subdomain": _(
                    "„%(s)s“ is not a valid subdomain: use 3 to 40 letters a-z, digits and "
                    "single hyphens, starting and ending with a letter or digit."
                )
                % {"s": (subdomain or "")[:60].encode("unicode_escape").decode()}
            }
        )
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError({"subdomain": _("The subdomain „%(s)s“ is reserved.") % {"s": value}})
    return value


def validate_subdomain(subdomain: str) -> str:
    """Normalised subdomain if a new portal may take it, or ValidationError saying why not."""
    value = validate_subdomain_form(subdomain)
    if (
        Portal.objects.filter(slug=value).exists()
        or Domain.objects.filter(domain=subdomain_hostname(value)).exists()
    ):
        raise ValidationError(
            {"subdomain": _("The subdomain „%(s)s“ is already taken.") % {"s": value}}
        )
    return value


def checkpoint(point: str) -> None:
    """Reached at each of FAULT_POINTS; a hook for tests that inject crashes."""


def schema_name_for(subdomain: str) -> str:
    return "p_" + subdomain.replace("-", "_")


@dataclass(frozen=True)
class ProvisionResult:
    portal: Portal
    admin_email: str | None
    seconds: float


class PortalProvisioning:
    """Creates one portal. `check()` validates; `execute()` runs the steps in one transaction.

    `populate(portal)` fills the new schema (it runs with the connection set to it); the default
    creates the theme and invites the first admin, the import path loads an archive instead.
    """

    STEPS = ("create_portal", "create_schema", "populate", "create_domain", "activate")

    def __init__(
        self,
        *,
        name: str,
        subdomain: str,
        plan: str = COMMUNITY,
        language: str = "de",
        contact_email: str = "",
        populate: Callable[[Portal], None],
        event: EventType = EventType.PORTAL_PROVISIONED,
        actor_label: str = "",
        actor=None,
    ) -> None:
        self.name = (name or "").strip()
        self.subdomain = subdomain
        self.plan = plan
        self.language = language
        self.contact_email = contact_email
        self.populate = populate
        self.event = event
        self.actor = actor
        self.actor_label = actor_label
        self.portal: Portal | None = None
        self._rollback_actions: list[Callable[[], None]] = []

    def check(self) -> None:
        errors: dict[str, list[str]] = {}
        try:
            self.name = single_line(self.name)
        except ValidationError as exc:
            errors.setdefault("name", []).extend(exc.messages)
        if not self.name or len(self.name) > 120:
            errors.setdefault("name", []).append(_("A portal needs a name of 1 to 120 characters."))
        plans = list(Plan.objects.values_list("key", flat=True))
        if self.plan not in plans:
            errors.setdefault("plan", []).append(
                _("Unknown plan „%(plan)s“; choose one of %(plans)s.")
                % {"plan": self.plan, "plans": ", ".join(plans)}
            )
        if self.language not in {"de", "en"}:
            errors.setdefault("language", []).append(_("The language must be de or en."))
        try:
            self.subdomain = validate_subdomain(self.subdomain)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Register clean-up for something outside the database (files) a step created."""
        self._rollback_actions.append(action)

    def execute(self) -> Portal:
        self.check()
        template = ensure_template()
        try:
            with transaction.atomic():
                for step in self.STEPS:
                    getattr(self, f"step_{step}")(template)
                    checkpoint(f"step:{step}")
        except IntegrityError as exc:
            self._roll_back_files()
            if not Portal.objects.filter(slug=self.subdomain).exists():
                raise
            # Lost a race for the same subdomain against a concurrent order.
            raise ValidationError(
                {"subdomain": _("The subdomain „%(s)s“ is already taken.") % {"s": self.subdomain}}
            ) from exc
        except BaseException:
            self._roll_back_files()
            raise
        finally:
            connection.set_schema_to_public()
        return self.portal

    def _roll_back_files(self) -> None:
        for action in reversed(self._rollback_actions):
            try:
                action()
            except Exception:
                logger.exception("Clean-up after failed provisioning of %s failed.", self.subdomain)
        self._rollback_actions.clear()

    def step_create_portal(self, template: str) -> None:
        self.portal = Portal.objects.create(
            name=self.name,
            slug=self.subdomain,
            schema_name=schema_name_for(self.subdomain),
            plan_id=self.plan,
            language=self.language,
            contact_email=self.contact_email,
            status=PortalStatus.PROVISIONING,
        )

    def step_create_schema(self, template: str) -> None:
        from tenants import spares

        if spares.claim(self.portal.schema_name):
            checkpoint("claim:spare")
            from tenants.celery import enqueue_on_commit

            # The pool lost one: top it up in the background, after this portal is live.
            enqueue_on_commit("tenants.tasks.refill_spare_schemas", in_public=True)
            return
        clone_schema(template, self.portal.schema_name)

    def step_populate(self, template: str) -> None:
        connection.set_tenant(self.portal)
        try:
            self.populate(self.portal)
        finally:
            connection.set_schema_to_public()

    def step_create_domain(self, template: str) -> None:
        Domain.objects.create(
            domain=subdomain_hostname(self.subdomain),
            tenant=self.portal,
            is_primary=True,
            is_verified=True,
        )

    def step_activate(self, template: str) -> None:
        self.portal.status = PortalStatus.ACTIVE
        self.portal.save(update_fields=["status", "updated_at"])
        audit_record(
            event_type=self.event,
            actor=self.actor,
            actor_label=self.actor_label or "platform",
            portal=self.portal,
            obj=self.portal,
            detail={"subdomain": self.subdomain, "plan": self.plan},
        )


# In the order a run reaches them. Steps of `populate` are those of portal_provision's.
FAULT_POINTS = (
    "step:create_portal",
    *CLONE_STEPS,
    "step:create_schema",
    "populate:theme",
    "populate:invite",
    "step:populate",
    "step:create_domain",
    "step:activate",
)


def portal_provision(
    *,
    name: str,
    subdomain: str,
    admin_email: str,
    plan: str = COMMUNITY,
    language: str = "de",
    admin_name: str = "",
    theme_preset: str | None = None,
    actor=None,
    actor_label: str = "",
) -> ProvisionResult:
    """Create a working portal and invite its first admin. Raises ValidationError for bad input."""
    admin_email = (admin_email or "").strip().lower()
    try:
        validate_email(admin_email)
    except ValidationError as exc:
        raise ValidationError(
            {"admin_email": _("„%(e)s“ is not a valid e-mail address.") % {"e": admin_email}}
        ) from exc
    admin_name = single_line(admin_name, field="admin_name")

    def populate(portal: Portal) -> None:
        from accounts.models import Role
        from accounts.services import user_invite
        from themes.presets import DEFAULT_PRESET
        from themes.services import theme_set

        theme_set(
            site_name=portal.name,
            preset=theme_preset or DEFAULT_PRESET,
            language=portal.language,
            actor_label="provisioning",
        )
        checkpoint("populate:theme")
        user_invite(
            email=admin_email,
            display_name=admin_name,
            role=Role.ADMIN,
            actor_label="provisioning",
        )
        checkpoint("populate:invite")

    started = time.perf_counter()
    provisioning = PortalProvisioning(
        name=name,
        subdomain=subdomain,
        plan=plan,
        language=language,
        contact_email=admin_email,
        populate=populate,
        actor=actor,
        actor_label=actor_label,
    )
    portal = provisioning.execute()
    seconds = time.perf_counter() - started
    logger.info("Provisioned portal %s in %.2f s.", portal.schema_name, seconds)
    return ProvisionResult(portal=portal, admin_email=admin_email, seconds=seconds)
