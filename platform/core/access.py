"""Who may call a route: every route of both URLconfs has exactly one access class, declared here.

`classify(route)` answers for a `core.routing.Route` (see `walk()`):

1. a route behind `manage_path` (the manage marker) is ADMIN, whatever its name;
2. otherwise its namespaced URL name is looked up in `ROUTES` (exact names);
3. then in `PREFIXES`, allowed only where a whole include shares one class (the operator
   console, allauth's two-factor pages); the longest matching prefix wins;
4. unnamed routes (the console's redirects, the console login shortcut) are looked up by their
   route in `UNNAMED_PREFIXES`, for the same reason.

Anything else is None: `tests/security/test_route_classes.py` walks both URLconfs and fails for
every route that does not classify, so a new endpoint cannot ship without a class. Names are
shared between the portal and the platform URLconf (allauth's `account_*`, `healthz`,
`set_language`); they mean the same on either host.
"""

from __future__ import annotations

from enum import StrEnum

from core.routing import Route


class Access(StrEnum):
    PUBLIC = "public"  # anyone, visitors included (a view may still narrow it per object)
    MEMBER = "member"  # logged-in members of this portal
    ADMIN = "admin"  # the portal's administrators (the admin gate)
    # The portal's moderators and administrators, and space admins for their spaces' content:
    # visitors are sent to log in, other members get 403 (moderation.permissions).
    MODERATOR = "moderator"
    PLATFORM = "platform"  # the platform host: the public platform site or the staff console
    INTERNAL = "internal"  # machine endpoints: health checks, the TLS ask hook, webhooks


PUBLIC, MEMBER, MODERATOR, ADMIN, PLATFORM, INTERNAL = (
    Access.PUBLIC,
    Access.MEMBER,
    Access.MODERATOR,
    Access.ADMIN,
    Access.PLATFORM,
    Access.INTERNAL,
)

ROUTES: dict[str, Access] = {
    # --- portal: news
    "news:home": PUBLIC,
    "news:post_create": MEMBER,
    "news:post": PUBLIC,  # the post's visibility selector decides (members-only portals)
    # --- portal: accounts (our own views)
    "accounts:password_reset_from_key": PUBLIC,
    "accounts:confirm_email": PUBLIC,
    "accounts:set_password": PUBLIC,  # the invitation's set-password link
    "accounts:overview": MEMBER,
    "accounts:profile": MEMBER,
    "accounts:data": MEMBER,
    "accounts:delete": MEMBER,
    "accounts:person": PUBLIC,  # each profile part says who may see it
    "directory:list": MEMBER,  # module member_directory; the view sends visitors to log in
    # --- allauth accounts (portal and platform host); each listed on purpose
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,
    "account_confirm_login_code": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reauthenticate": MEMBER,
    "account_request_reauthentication_code": MEMBER,
    "account_confirm_reauthentication_code": MEMBER,
    "account_email": MEMBER,
    "account_change_password": MEMBER,
    "account_set_password": MEMBER,
    # The second step of a login: the person is not logged in yet (the rest of mfa_* is MEMBER).
    "mfa_authenticate": PUBLIC,
    # --- portal: invitation links (for people without an account)
    "invitations:accept": PUBLIC,
    "invitations:renew": PUBLIC,
    # --- portal: themes (the manage/theme/ pages are ADMIN by marker)
    "themes:stylesheet": PUBLIC,
    "themes:impressum": PUBLIC,
    "themes:privacy": PUBLIC,
    "themes:accessibility": PUBLIC,
    # --- portal: REST API (module api_access; core.api.PortalViewSet needs a login)
    "api-root": MEMBER,
    "posts-list": MEMBER,
    "features-list": MEMBER,
    "features-detail": ADMIN,  # PATCH switches a module: IsPortalAdmin
    "members-list": ADMIN,  # IsPortalAdmin
    "members-me": MEMBER,
    # --- both hosts
    "set_language": PUBLIC,
    "media": PUBLIC,  # the current portal's folder only
    "favicon": PUBLIC,  # the theme's icon, else the default one
    "healthz": INTERNAL,
    # --- platform host
    "platform_home": PLATFORM,
    "platform_impressum": PLATFORM,
    "platform_privacy": PLATFORM,
    "platform_terms": PLATFORM,
    "platform_dpa": PLATFORM,
    "platform_favicon": PLATFORM,
    "billing:order_form": PLATFORM,
    "billing:subdomain_check": PLATFORM,
    "billing:order": PLATFORM,
    "billing:order_confirm": PLATFORM,
    "billing:order_resend": PLATFORM,
    "billing:order_pay": PLATFORM,
    "billing:order_setup": PLATFORM,
    "billing:order_status": PLATFORM,
    "billing:stripe_webhook": INTERNAL,
    "tls_allowed": INTERNAL,
}

# Whole includes that share one class.
PREFIXES: dict[str, Access] = {
    "admin:": PLATFORM,  # the operator console (staff only, two-factor)
    "mfa_": MEMBER,  # allauth's two-factor management pages
}

# Unnamed routes, by the start of their route (the console's own redirects and catch-all).
UNNAMED_PREFIXES: dict[str, Access] = {
    "operator/": PLATFORM,
}


# Modules declare their routes' classes next to their URLs, in `<app>/access.py` (a dict
# `ROUTES` of the same form), so a module's pages and their classes land in one change. They are
# merged here once; a name declared twice is an error at import. (Each of those modules imports
# `Access` from this one, which is defined by the time they run.)
MODULE_TABLES = (
    "spaces",
    "discussions",
    "comments",
    "documents",
    "moderation",
    "notifications",
    "search",
    "ideas",
    "proposals",
    "places",
    "events",
)


def _merge_module_tables() -> None:
    from importlib import import_module

    for app in MODULE_TABLES:
        table: dict[str, Access] = import_module(f"{app}.access").ROUTES
        twice = ROUTES.keys() & table.keys()
        if twice:
            raise RuntimeError(
                f"{app}.access declares routes classified elsewhere: {sorted(twice)}"
            )
        ROUTES.update(table)


_merge_module_tables()


def _by_prefix(key: str, table: dict[str, Access]) -> Access | None:
    matches = [prefix for prefix in table if key.startswith(prefix)]
    return table[max(matches, key=len)] if matches else None


def classify(route: Route) -> Access | None:
    """The access class of `route`, or None when this module does not know it."""
    if route.is_manage:
        return ADMIN
    if not route.name:
        return _by_prefix(route.route, UNNAMED_PREFIXES)
    if route.name in ROUTES:
        return ROUTES[route.name]
    return _by_prefix(route.name, PREFIXES)
