"""Access classes of this module's routes (merged into core.access.ROUTES).

Pages of one space are PUBLIC or MEMBER here; inside, the visibility selector decides (a space
the caller may not see is a 404) and the services refuse what the caller may not do there (403),
e.g. the members page and its actions for anyone but the space's admins."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "spaces:list": Access.PUBLIC,
    "spaces:detail": Access.PUBLIC,  # the visibility selector decides per space
    "spaces:create": Access.MEMBER,
    "spaces:edit": Access.MEMBER,  # space admins; others 403
    "spaces:join": Access.MEMBER,
    "spaces:leave": Access.MEMBER,
    "spaces:invitation_accept": Access.MEMBER,
    "spaces:invitation_decline": Access.MEMBER,
    "spaces:archive": Access.MEMBER,  # space admins; others 403
    "spaces:unarchive": Access.MEMBER,  # space admins; others 403
    "spaces:members": Access.MEMBER,  # space admins; others 403
    "spaces:invite": Access.MEMBER,  # space admins; others 403
    "spaces:admin_transfer": Access.MEMBER,  # space admins; others 403
    "spaces:request_decide": Access.MEMBER,  # space admins; others 403
    "spaces:member_remove": Access.MEMBER,  # space admins; others 403
    "dashboard:home": Access.MEMBER,
    # REST API (module api_access; core.api.PortalViewSet needs a login)
    "spaces-list": Access.MEMBER,
    "spaces-detail": Access.MEMBER,
    "space-memberships-list": Access.MEMBER,
    "space-memberships-detail": Access.MEMBER,
    "space-memberships-join": Access.MEMBER,
    "space-memberships-leave": Access.MEMBER,
}
