"""Who may configure a portal: its active administrators."""

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def require_portal_admin(request) -> None:
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_portal_admin", False)):
        raise PermissionDenied("Only administrators of this portal may do this.")


class IsPortalAdmin(BasePermission):
    message = "Only administrators of this portal may do this."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user.is_authenticated and getattr(request.user, "is_portal_admin", False)
        )
