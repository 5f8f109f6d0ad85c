"""Accounts in a portal's schema (members, admins) or in public (platform staff), and clients
logged in as them. Portal rows are made inside `in_portal(portal)`, as the helpers here do."""

from __future__ import annotations

import factory
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context
from factory.django import DjangoModelFactory

from accounts.models import Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Faker("name", locale="de_DE")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # A member made here has a known address, as if they had confirmed it (allauth
            # lets nobody log in before that).
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"primary": True, "verified": True}
            )


def host_of(portal) -> str:
    return f"{portal.slug}.{settings.PLATFORM_DOMAIN}"


def member_of(portal, role: str = Role.MEMBER, **fields) -> User:
    """A new account in `portal` (password PASSWORD)."""
    with tenant_context(portal):
        return UserFactory(role=role, **fields)


def admin_of(portal, **fields) -> User:
    return member_of(portal, Role.ADMIN, **fields)


def staff_user(*, two_factor: bool = True, **fields) -> User:
    """A platform operator (public schema) who may use the console: the console requires
    two-factor login, so by default the operator has an authenticator app set up."""
    fields.setdefault("email", "operator@allmende.example")
    user = UserFactory(is_staff=True, is_superuser=True, role=Role.ADMIN, **fields)
    if two_factor:
        mfa_activate(user)
    return user


def mfa_activate(user: User) -> str:
    """Set up an authenticator app for `user` (in the current schema); returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code the authenticator app shows now. Close to the end of a 30-second window it waits
    for the next one, as a person would: a code read at :29.9 is checked at :30 and refused."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 27:
        time.sleep(30.1 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def logged_in_client(portal, user: User, **client_options) -> Client:
    """A client on `portal`'s host with `user`'s session (sessions live in the portal's schema)."""
    client = Client(HTTP_HOST=host_of(portal), **client_options)
    with tenant_context(portal):
        client.force_login(user)
    return client


def log_in(client: Client, user: User, password: str | None = None) -> Client:
    """Log in through the portal's login form, as a person would."""
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": password or PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return client


def admin_client(portal, **client_options) -> Client:
    """A new administrator of `portal`, logged in through the form."""
    client_options.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return log_in(Client(HTTP_HOST=host_of(portal), **client_options), admin_of(portal))


def session_user_id(client: Client, portal) -> str | None:
    """Who `client` is logged in as on `portal` (its session lives in the portal's schema; read
    outside it, `client.session` is always empty, and an assertion on it could never fail)."""
    with tenant_context(portal):
        return client.session.get("_auth_user_id")
