"""Writes on accounts: creating members and inviting them to set a password.

Invitation e-mails are sent by a Celery task after the transaction commits, so a rolled-back
provisioning or a failed insert never mails anybody.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection

from accounts.models import Role, User
from features.limits import check_member_limit
from tenants.celery import enqueue_on_commit


def user_create(
    *,
    email: str,
    display_name: str = "",
    role: str = Role.MEMBER,
    password: str | None = None,
    language: str = "",
) -> User:
    """Create an account in the current schema. Raises ValidationError for a bad or taken e-mail."""
    email = email.strip().lower()
    validate_email(email)
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"An account with the e-mail address {email} exists already.")
    check_member_limit(getattr(connection, "tenant", None))
    return User.objects.create_user(
        email, password, display_name=display_name, role=role, language=language
    )


def user_invite(*, email: str, display_name: str = "", role: str = Role.MEMBER) -> User:
    """Create an account without a password and mail it a link to set one."""
    user = user_create(email=email, display_name=display_name, role=role)
    from accounts.tasks import send_invitation

    enqueue_on_commit(send_invitation, user_id=user.pk)
    return user
