"""Writes on portals. Each operation is one function (or a small class with check/execute).

Views, admin actions, management commands and tasks call these; none of them repeats a rule.
"""

from tenants.services.lifecycle import (
    portal_archive,
    portal_purge,
    portal_restore,
    portal_resume,
    portal_suspend,
    purge_due_portals,
)
from tenants.services.provisioning import (
    PortalProvisioning,
    ProvisionResult,
    portal_provision,
    validate_subdomain,
    validate_subdomain_form,
)

__all__ = [
    "PortalProvisioning",
    "ProvisionResult",
    "portal_archive",
    "portal_provision",
    "portal_purge",
    "portal_restore",
    "portal_resume",
    "portal_suspend",
    "purge_due_portals",
    "validate_subdomain",
    "validate_subdomain_form",
]
