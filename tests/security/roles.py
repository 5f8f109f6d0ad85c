"""Who asks, in the generated matrices: one client per role, all on portal A's host.

- visitor: nobody logged in;
- member, moderator, admin: accounts of portal A, logged in through the form (so allauth's
  reauthentication checks see a real login);
- staff: a platform operator logged in on the platform host, whose cookie then reaches A;
- foreign_member: a member of portal B logged in on B, whose session cookie is sent to A (what a
  cookie planted for the parent domain, or a shared browser, would do).

The last two are anonymous on A (their sessions live in other schemas), so they must be answered
exactly like a visitor.
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from accounts.models import Role
from tests.accounts.factories import host_of, log_in, member_of, staff_user

ROLES = ("visitor", "member", "moderator", "admin", "staff", "foreign_member")
ANONYMOUS_ON_A = ("visitor", "staff", "foreign_member")


def _with_cookies_of(source: Client, host: str) -> Client:
    client = Client(HTTP_HOST=host)
    for name, morsel in source.cookies.items():
        client.cookies[name] = morsel.value
    return client


def clients_on(portal_a, portal_b) -> dict[str, Client]:
    host = host_of(portal_a)
    operator = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    operator.force_login(staff_user(email="matrix-operator@allmende.example"))
    b_member = log_in(Client(HTTP_HOST=host_of(portal_b)), member_of(portal_b))
    return {
        "visitor": Client(HTTP_HOST=host),
        "member": log_in(Client(HTTP_HOST=host), member_of(portal_a)),
        "moderator": log_in(Client(HTTP_HOST=host), member_of(portal_a, Role.MODERATOR)),
        "admin": log_in(Client(HTTP_HOST=host), member_of(portal_a, Role.ADMIN)),
        "staff": _with_cookies_of(operator, host),
        "foreign_member": _with_cookies_of(b_member, host),
    }


def platform_clients(portal_a) -> dict[str, Client]:
    """On the platform host: a visitor, an operator, and a member of A with A's cookie."""
    operator = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    operator.force_login(staff_user(email="matrix-console@allmende.example"))
    a_member = log_in(Client(HTTP_HOST=host_of(portal_a)), member_of(portal_a))
    return {
        "visitor": Client(HTTP_HOST=settings.PLATFORM_DOMAIN),
        "staff": operator,
        "portal_member": _with_cookies_of(a_member, settings.PLATFORM_DOMAIN),
    }
