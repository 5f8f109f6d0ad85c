"""Writes on accounts: creating members and inviting them to set a password.

Invitation e-mails are sent by a Celery task after the transaction commits, so a rolled-back
provisioning or a failed insert never mails anybody.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from accounts.models import MemberStatus, RegistrationPolicy, Role, User
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
    email_verified: bool | None = None,
) -> User:
    """Create an account in the current schema. Raises ValidationError for a bad or taken e-mail
    or a name that would break e-mail headers (a line break). `email_verified` records the
    address for allauth (True: known to be the person's, e.g. the demo; False: to be proven by
    the invitation link); None leaves that to allauth's sign-up, which records it itself."""
    email = email_normalise(email)
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
    if email_verified is not None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    audit_record(
        event_type=EventType.MEMBER_CREATED,
        actor=actor,
        actor_label=actor_label or ("" if actor else "platform"),
        obj=user,
        detail={"role": role},
    )
    return user


def email_normalise(email: str) -> str:
    """One form per address: Unicode compatibility form, no surrounding space, lower case."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def registration_check(*, email: str) -> str:
    """The normalised address if it may register under this portal's rules; ValidationError
    with the reason for the person registering otherwise (used before anything is created)."""
    from accounts.selectors import membership_policy

    email = email_normalise(email)
    policy = membership_policy()
    if policy.registration == RegistrationPolicy.INVITATION:
        raise ValidationError(_("This portal is open by invitation only."))
    if policy.registration == RegistrationPolicy.DOMAINS:
        domain = email.rpartition("@")[2]
        if domain not in {d.lower() for d in policy.allowed_domains}:
            raise ValidationError(
                _("Only addresses ending in %(domains)s can register here.")
                % {"domains": ", ".join(f"@{d}" for d in policy.allowed_domains) or "–"}
            )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            _("An account with this e-mail address exists already. Log in, or reset the password.")
        )
    try:
        check_member_limit(getattr(connection, "tenant", None))
    except ValidationError as exc:
        admins_notify_member_limit()
        raise ValidationError(
            _(
                "This portal cannot take new members at the moment. Its administrators have been told."
            )
        ) from exc
    return email


def admins_notify_member_limit() -> None:
    """Tell the admins (at most once a day) that someone could not register: the plan's member
    limit is reached."""
    from django.core.cache import cache

    if cache.add("member-limit-notice", True, 60 * 60 * 24):
        enqueue_on_commit("accounts.tasks.notify_admins_member_limit")


def user_register(*, email: str, password: str, display_name: str = "", language: str = "") -> User:
    """A visitor signs up. Under the approval policy the account waits for an administrator
    (it cannot log in before); the address is verified by allauth's mail in any case."""
    from accounts.selectors import membership_policy

    email = registration_check(email=email)
    pending = membership_policy().registration == RegistrationPolicy.APPROVAL
    user = user_create(
        email=email,
        password=password,
        display_name=display_name,
        language=language,
        actor_label="registration",
    )
    if pending:
        user.status, user.is_active = MemberStatus.PENDING, False
        user.save(update_fields=["status", "is_active"])
    audit_record(
        event_type=EventType.MEMBER_REGISTERED,
        actor=user,
        obj=user,
        detail={"pending_approval": pending},
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
        email=email,
        display_name=display_name,
        role=role,
        actor=actor,
        actor_label=actor_label,
        email_verified=False,
    )
    audit_record(
        event_type=EventType.MEMBER_INVITED,
        actor=actor,
        actor_label=actor_label or ("" if actor else "platform"),
        obj=user,
    )
    enqueue_on_commit("accounts.tasks.send_invitation", user_id=user.pk)
    return user


def invitation_accept(*, user: User) -> None:
    """The invited person set a password from the mailed link: the address is theirs."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
