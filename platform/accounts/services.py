"""Writes on accounts: creating members and inviting them to set a password.

Invitation e-mails are sent by a Celery task after the transaction commits, so a rolled-back
provisioning or a failed insert never mails anybody.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.event_types import EventType
from core.services import audit_record
from core.text import single_line
from features.limits import check_member_limit
from tenants.celery import enqueue_on_commit


def user_create(
    *,
    email: str,
    display_name: str = "",
    role: str = Role.MEMBER,
    password: str | None = None,
    language: str = "",
    actor=None,
    actor_label: str = "",
) -> User:
    """Create an account in the current schema. Raises ValidationError for a bad or taken e-mail
    or a name that would break e-mail headers (a line break)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    display_name = single_line(display_name, field="display_name")
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role „%(role)s“.") % {"role": role}})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("An account with the e-mail address %(email)s exists already.")
                % {"email": email}
            }
        )
    check_member_limit(getattr(connection, "tenant", None))
    user = User.objects.create_user(
        email, password, display_name=display_name, role=role, language=language
    )
    audit_record(
        event_type=EventType.MEMBER_CREATED,
        actor=actor,
        actor_label=actor_label or ("" if actor else "platform"),
        obj=user,
        detail={"role": role},
    )
    return user


def user_invite(
    *,
    email: str,
    display_name: str = "",
    role: str = Role.MEMBER,
    actor=None,
    actor_label: str = "",
) -> User:
    """Create an account without a password and mail it a link to set one (after commit)."""
    user = user_create(
        email=email, display_name=display_name, role=role, actor=actor, actor_label=actor_label
    )
    audit_record(
        event_type=EventType.MEMBER_INVITED,
        actor=actor,
        actor_label=actor_label or ("" if actor else "platform"),
        obj=user,
    )
    enqueue_on_commit("accounts.tasks.send_invitation", user_id=user.pk)
    return user
