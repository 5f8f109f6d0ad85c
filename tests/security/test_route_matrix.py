"""The route matrix: every route without an object id, on both URLconfs, asked by every role,
with GET (and POST where a POST cannot change the caller's own account), checked against the
route's access class from core.access. The routes come from the URLconf walk, so a new route is
in the matrix the day it lands (and test_route_classes.py makes sure it has a class).

Portal A's host, roles of tests/security/roles.py:
- ADMIN routes: anonymous callers are sent to log in; members and moderators get 403, GET and
  POST; the admin gets neither 403 nor 404 (the positive control).
- MODERATOR routes: anonymous callers are sent to log in; members get 403, GET and POST;
  moderators and the admin get neither 403 nor 404 (the positive controls).
- MEMBER routes: anonymous callers are sent to log in (the API answers 403, a switched-off
  module 404); members, moderators and admins get neither 403 nor 404.
- PUBLIC and INTERNAL routes: never 403 to anyone.
- Platform staff and B's member with B's cookie get exactly what a visitor gets.
The platform host: the console sends everyone but staff to log in; a portal member's cookie is a
visitor's. Nowhere a server error, and nowhere another portal's data.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from core.access import Access, classify
from core.routing import walk
from features.models import FeatureGrant
from news.services import post_create
from tests.accounts.factories import member_of, mfa_activate, session_user_id
from tests.conftest import in_portal
from tests.features.conftest import set_feature
from tests.security.conftest import CASES
from tests.security.roles import ANONYMOUS_ON_A, ROLES, clients_on, platform_clients
from tests.security.test_cross_tenant_matrix import CONVERTER, fingerprint
from themes.services import theme_publish, theme_update_draft

pytestmark = pytest.mark.django_db
LOGIN = ("/accounts/login/", "/operator/login/")

# Routes with an id on the platform host, and where their cross-caller tests are.
PLATFORM_OBJECT_ROUTES = {
    # allauth's key and token pages on the platform host: keys are rows of the public schema,
    # a portal's keys are unknown here (tests/security/test_confirmation_keys.py).
    "account_": "tests/security/test_confirmation_keys.py",
    "mfa_": "a member's own authenticators only (allauth filters by user)",
    "billing:": "an order answers only the browser that placed it: tests/billing/test_order_security.py",
    "admin:": "the console: staff see every portal by design, nobody else passes its login",
}


def _url(route) -> str:
    return "/" + route.route.replace("^", "").replace("$", "")


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def _to_console(response) -> bool:
    # The console's logout sends a visitor to its start page, which sends them to log in.
    return response.status_code == 302 and response["Location"] == "/operator/"


def _unconfigured_webhook(route) -> bool:
    # Without a webhook secret the endpoint says "not now" (Stripe retries), by design.
    return route.name == "billing:stripe_webhook" and not settings.STRIPE_WEBHOOK_SECRET


def _is_api(route) -> bool:
    return hasattr(route.view, "cls")


def _portal_problem(route, access: Access, role: str, method: str, response) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status == 405:
        return ""  # the method check runs first and is the same for everyone
    if role in ANONYMOUS_ON_A:
        if access in (Access.ADMIN, Access.MODERATOR) and not (
            _to_login(response) or (_is_api(route) and status == 403)
        ):
            return f"{access} route answered {status} instead of the login page"
        if access is Access.MEMBER and not (
            _to_login(response) or status == 404 or (_is_api(route) and status == 403)
        ):
            return f"member route answered {status} to someone not logged in"
        return ""
    if access is Access.ADMIN and role in ("member", "moderator"):
        return "" if status == 403 else f"admin route answered {status} to a {role}"
    if access is Access.MODERATOR and role == "member":
        return "" if status == 403 else f"moderator route answered {status} to a member"
    if status in (403, 404):
        return f"{status} to a {role}: the route is {access}"
    return ""


def test_every_portal_route_answers_each_role_as_its_class_says(
    portal_a, portal_b, django_capture_on_commit_callbacks
):
    for feature in ("own_domain", "api_access", "member_directory", "documents", "proposals"):
        FeatureGrant.objects.create(
            portal=portal_a, feature=feature, expires_at=timezone.now() + timedelta(days=1)
        )
        set_feature(portal_a, feature, True)
    clients = clients_on(portal_a, portal_b)
    with in_portal(portal_a):
        # The pages that only exist once there is something to show: the legal texts, and the
        # two-factor pages of members who have set up an authenticator app.
        admin = User.objects.get(pk=session_user_id(clients["admin"], portal_a))
        with django_capture_on_commit_callbacks(execute=True):
            theme_update_draft(
                impressum="<p>Impressum A</p>",
                privacy="<p>Datenschutz A</p>",
                accessibility="<p>Barrierefreiheit A</p>",
            )
            theme_publish(actor=admin)
        for role in ("member", "moderator", "admin"):
            user = User.objects.get(pk=session_user_id(clients[role], portal_a))
            mfa_activate(user)
            RecoveryCodes.activate(user)
    with in_portal(portal_b):
        post_create(
            author=member_of(
                portal_b, email="zora@beta-only.example", display_name="Zora Betaonly"
            ),
            body="Okapi-Beta-Only news of portal B",
        )
    secrets = ["beta-only.example", "Zora Betaonly", "Okapi-Beta-Only"]
    routes = [r for r in walk(settings.ROOT_URLCONF) if not CONVERTER.search(r.route)]
    failures, n = [], 0
    for route in routes:
        access = classify(route)
        url = _url(route)
        for method in ("get", "post"):
            answers = {}
            for role in ROLES:
                # A POST by a logged-in caller to one of their own pages would act on their
                # account (log out, delete): only where the admin gate answers first.
                gated = (access is Access.ADMIN and role in ("member", "moderator")) or (
                    access is Access.MODERATOR and role == "member"
                )
                if method == "post" and role not in ANONYMOUS_ON_A and not gated:
                    continue
                response = getattr(clients[role], method)(url)
                n += 1
                answers[role] = response
                problem = _portal_problem(route, access, role, method, response)
                leaked = [s for s in secrets if s in response.content.decode(errors="replace")]
                if problem or leaked:
                    failures.append(
                        f"{method.upper()} {url} ({route.name}) as {role}: "
                        f"{problem} leaked={leaked}"
                    )
            for role in ("staff", "foreign_member"):
                if fingerprint(answers[role], url) != fingerprint(answers["visitor"], url):
                    failures.append(
                        f"{method.upper()} {url} ({route.name}): {role} is not "
                        f"answered like a visitor"
                    )
    CASES["route matrix, portal host"] += n
    assert n > 4 * len(routes)
    assert failures == [], "\n".join(failures)


def test_every_platform_route_answers_each_role_as_its_class_says(portal_a):
    clients = platform_clients(portal_a)
    with in_portal(portal_a):
        secret = member_of(portal_a, email="quentin@alpha-only.example").email
    routes = [r for r in walk(settings.PUBLIC_SCHEMA_URLCONF) if not CONVERTER.search(r.route)]
    failures, n = [], 0
    for route in routes:
        url, console = _url(route), route.route.startswith("operator/")
        for method in ("get", "post"):
            answers = {}
            for role, client in clients.items():
                if method == "post" and role == "staff":
                    continue  # would log the operator out or change the console's data
                response = getattr(client, method)(url)
                n += 1
                answers[role] = response
                status = response.status_code
                problem = ""
                if status >= 500 and not (status == 503 and _unconfigured_webhook(route)):
                    problem = f"server error {status}"
                elif console and url != "/operator/login/" and role != "staff":
                    if not (_to_login(response) or status == 405 or _to_console(response)):
                        problem = f"console answered {status} to a {role}"
                elif console and role == "staff" and status == 404:
                    problem = "console page missing for staff"
                if secret in response.content.decode(errors="replace"):
                    problem += " shows a portal member's address"
                if problem:
                    failures.append(f"{method.upper()} {url} ({route.name}) as {role}: {problem}")
            if fingerprint(answers["portal_member"], url) != fingerprint(answers["visitor"], url):
                failures.append(f"{method.upper()} {url}: a portal's cookie changes the answer")
    CASES["route matrix, platform host"] += n
    assert failures == [], "\n".join(failures)


def test_every_platform_route_with_an_id_is_accounted_for():
    unknown = [
        r.name or r.route
        for r in walk(settings.PUBLIC_SCHEMA_URLCONF)
        if CONVERTER.search(r.route)
        and not any((r.name or "").startswith(prefix) for prefix in PLATFORM_OBJECT_ROUTES)
        and not r.route.startswith("operator/")
    ]
    assert unknown == [], (
        "platform routes with an id and no cross-caller test; add them to "
        f"PLATFORM_OBJECT_ROUTES with the test that covers them: {unknown}"
    )


def test_the_matrix_knows_a_route_it_cannot_classify_would_fail():
    # The matrix leans on classify(); a route it does not know has no class (positive control
    # of test_route_classes.py from this side).
    from core.routing import Route

    assert classify(Route(route="nowhere/", name="nobody:knows", view=None)) is None
    assert re.search(CONVERTER, "<int:pk>/")
