"""Provision portals with one logged-in member each, for the fault and soak tests.

Run in a process whose settings point at the reliability cluster:
`python -m tests.reliability.seed OUT.json COUNT [PREFIX]`. Writes, per portal, its host and a
session key and CSRF secret of a member (sessions are made directly, not by logging in through
the form, so a hundred portals take seconds). Fails with the traceback of the first portal that
cannot be provisioned.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module


def seed(count: int, prefix: str = "soak") -> list[dict]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_SESSION_KEY
    from django.utils.crypto import get_random_string
    from django_tenants.utils import tenant_context

    from tenants.models import Portal
    from tenants.services import portal_provision
    from tests.accounts.factories import UserFactory

    engine = import_module(settings.SESSION_ENGINE)
    portals = []
    for index in range(count):
        slug = f"{prefix}{index:03d}"
        portal = Portal.objects.filter(slug=slug).first()
        if portal is None:
            portal = portal_provision(
                name=f"Soak {index}",
                subdomain=slug,
                admin_email=f"admin@{slug}.example",
                plan="professional",
                actor_label="soak",
            ).portal
        with tenant_context(portal):
            user = UserFactory(email=f"member-{slug}@example.org")
            session = engine.SessionStore()
            csrf = get_random_string(32)
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[CSRF_SESSION_KEY] = csrf
            session.create()
        portals.append(
            {
                "host": f"{slug}.{settings.PLATFORM_DOMAIN}",
                "schema": portal.schema_name,
                "session": session.session_key,
                "csrf": csrf,
                "session_cookie": settings.SESSION_COOKIE_NAME,
            }
        )
    return portals


def main(argv: list[str]) -> int:
    import django

    django.setup()
    out, count = argv[0], int(argv[1])
    prefix = argv[2] if len(argv) > 2 else "soak"
    with open(out, "w") as handle:
        json.dump(seed(count, prefix), handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
