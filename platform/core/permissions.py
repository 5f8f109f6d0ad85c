"""Who may do what in a portal: the one definition of a portal administrator.

Pages use the admin gate (`core.gates.manage_path`); the API uses `IsPortalAdmin`. Both ask
`is_portal_admin`, so a page and its API endpoint cannot disagree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def is_portal_admin(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and getattr(user, "is_portal_admin", False)
    )


class IsPortalAdmin(BasePermission):
    message = _("Only administrators of this portal may do this.")

    def has_permission(self, request, view) -> bool:
        return is_portal_admin(request.user)
