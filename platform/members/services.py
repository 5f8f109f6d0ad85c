"""Writes of the members admin: roles, blocking, approvals and the membership rules.

Every function is atomic, validates before it saves, writes one audit row per change and raises
ValidationError (with a message for the admin) for a change it refuses. A portal always keeps
at least one active administrator: changes of role or status lock the member and every active
administrator, in primary-key order, and re-check under the lock, so two administrators demoting
or blocking each other at the same moment wait for each other and the second is refused instead
of leaving the portal without an administrator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from accounts.models import MembershipPolicy, MemberStatus, RegistrationPolicy, Role, User
from core.event_types import EventType
from core.privacy import is_erased
from core.services import audit_record

REASON_MAX_LENGTH = 500
DOMAINS_MAX = 200
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _is_active_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.status == MemberStatus.ACTIVE and user.is_active


def _lock(*, member: User, actor: User) -> tuple[User, int]:
    """`member` re-read under a row lock, together with every active administrator (the actor
    among them), and how many active administrators there are besides the member.
    ValidationError if the member is gone or the actor is no longer an active administrator of
    this portal (another admin demoted them a moment ago). ValueError for an account loaded
    from another schema: its id would name someone else here."""
    schema = getattr(connection, "schema_name", None)
    for role, user in (("member", member), ("actor", actor)):
        loaded = getattr(user, "loaded_schema", schema)
        if loaded != schema:
            raise ValueError(f"{role} is an account of schema {loaded}, not {schema}.")
    rows = list(
        User.objects.select_for_update()
        .filter(Q(pk=member.pk) | Q(role=Role.ADMIN, status=MemberStatus.ACTIVE, is_active=True))
        .order_by("pk")
    )
    by_pk = {row.pk: row for row in rows}
    actor_row = by_pk.get(getattr(actor, "pk", None))
    if actor_row is None or not _is_active_admin(actor_row):
        raise ValidationError(_("Only administrators of this portal may do this."))
    if member.pk not in by_pk or is_erased(by_pk[member.pk]):
        raise ValidationError(_("This account has been deleted."))
    others = sum(1 for row in rows if row.pk != member.pk and _is_active_admin(row))
    return by_pk[member.pk], others


def _refuse_if_last_admin(member: User, other_admins: int) -> None:
    if _is_active_admin(member) and other_admins == 0:
        raise ValidationError(
            _(
                "%(name)s is the last administrator of this portal. Make someone else an "
                "administrator first."
            )
            % {"name": member}
        )


def _set_status(member: User, status: str) -> None:
    member.status = status
    member.is_active = status == MemberStatus.ACTIVE
    member.save(update_fields=["status", "is_active"])


def member_role_change(*, member: User, role: str, actor: User) -> User:
    """Give `member` another role. Refused: an unknown role, and demoting the last active
    administrator. The same role again changes nothing and writes no audit row."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    with transaction.atomic():
        fresh, other_admins = _lock(member=member, actor=actor)
        previous = fresh.role
        if previous == role:
            return fresh
        if role != Role.ADMIN:
            _refuse_if_last_admin(fresh, other_admins)
        fresh.role = role
        fresh.save(update_fields=["role"])
        audit_record(
            event_type=EventType.MEMBER_ROLE_CHANGED,
            actor=actor,
            obj=fresh,
            detail={"from": previous, "to": role},
        )
    return fresh


def member_block(*, member: User, actor: User, reason: str = "") -> User:
    """Block an active member: they can no longer log in, and a session they have ends with
    their next request; everything they wrote stays. Refused: oneself, the last active
    administrator, accounts that are not active (blocked already, or awaiting approval)."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(limit)s characters.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        fresh, other_admins = _lock(member=member, actor=actor)
        if fresh.pk == actor.pk:
            raise ValidationError(_("You cannot block yourself."))
        if fresh.status == MemberStatus.BLOCKED:
            raise ValidationError(_("%(name)s is blocked already.") % {"name": fresh})
        if fresh.status != MemberStatus.ACTIVE:
            raise ValidationError(
                _("%(name)s is awaiting approval: approve or decline the registration instead.")
                % {"name": fresh}
            )
        _refuse_if_last_admin(fresh, other_admins)
        _set_status(fresh, MemberStatus.BLOCKED)
        audit_record(
            event_type=EventType.MEMBER_BLOCKED,
            actor=actor,
            obj=fresh,
            detail={"from": MemberStatus.ACTIVE, "to": MemberStatus.BLOCKED, "reason": reason},
        )
    return fresh


def _status_change(
    *, member: User, actor: User, expected: str, to: str, event_type: EventType, refusal: str
) -> User:
    with transaction.atomic():
        fresh, _others = _lock(member=member, actor=actor)
        if fresh.status != expected:
            raise ValidationError(refusal % {"name": fresh})
        _set_status(fresh, to)
        audit_record(
            event_type=event_type, actor=actor, obj=fresh, detail={"from": expected, "to": to}
        )
    return fresh


def member_unblock(*, member: User, actor: User) -> User:
    """Let a blocked member log in again. Refused for an account that is not blocked."""
    return _status_change(
        member=member,
        actor=actor,
        expected=MemberStatus.BLOCKED,
        to=MemberStatus.ACTIVE,
        event_type=EventType.MEMBER_UNBLOCKED,
        refusal=_("%(name)s is not blocked."),
    )


def member_approve(*, member: User, actor: User) -> User:
    """Accept a registration that awaits approval: the account becomes active and can log in."""
    return _status_change(
        member=member,
        actor=actor,
        expected=MemberStatus.PENDING,
        to=MemberStatus.ACTIVE,
        event_type=EventType.MEMBER_APPROVED,
        refusal=_("%(name)s is not awaiting approval."),
    )


def member_decline(*, member: User, actor: User) -> None:
    """Decline a registration that awaits approval: the account, never used, is deleted (the
    audit row keeps its id and name). Refused for any other account, and for one that has
    been used or that something refers to: those are blocked, never deleted, here."""
    try:
        with transaction.atomic():
            fresh, _others = _lock(member=member, actor=actor)
            if fresh.status != MemberStatus.PENDING:
                raise ValidationError(_("%(name)s is not awaiting approval.") % {"name": fresh})
            if fresh.last_seen_at is not None:
                raise ValidationError(
                    _("%(name)s has used the account already; block it instead.") % {"name": fresh}
                )
            audit_record(
                event_type=EventType.MEMBER_DELETED,
                actor=actor,
                obj=fresh,
                detail={"from": MemberStatus.PENDING, "to": "deleted", "declined": True},
            )
            fresh.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("Content refers to %(name)s, so the account cannot be deleted; block it instead.")
            % {"name": member}
        ) from exc


def _domain_normalise(value: str) -> str:
    """One form per domain, the one e-mail addresses are compared in: compatibility-normalised
    Unicode, lower case, without a leading "@" or a trailing dot."""
    value = unicodedata.normalize("NFKC", value or "").strip().lower()
    return value.removeprefix("@").rstrip(".")


def _domain_valid(domain: str) -> bool:
    try:
        ascii_form = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_form.split(".")
    return (
        len(ascii_form) <= 253
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _domains_clean(allowed_domains: Iterable[str] | str) -> list[str]:
    if isinstance(allowed_domains, str):
        allowed_domains = allowed_domains.splitlines()
    domains: list[str] = []
    invalid: list[str] = []
    for raw in allowed_domains:
        domain = _domain_normalise(raw)
        if not domain or domain in domains:
            continue
        (domains if _domain_valid(domain) else invalid).append(domain)
    if invalid:
        raise ValidationError(
            {
                "allowed_domains": _("Not a valid domain: %(domains)s")
                % {"domains": ", ".join(invalid)}
            }
        )
    if len(domains) > DOMAINS_MAX:
        raise ValidationError(
            {"allowed_domains": _("List at most %(limit)s domains.") % {"limit": DOMAINS_MAX}}
        )
    return domains


def membership_policy_update(
    *,
    actor: User,
    registration: str,
    allowed_domains: Iterable[str] | str,
    members_only: bool,
    admin_mfa_required: bool,
) -> MembershipPolicy:
    """Set how people become members. Domains are normalised (lower case, no "@"), must be
    valid and are required for the policy "only certain e-mail domains"; ValidationError per
    field otherwise. One audit row lists each changed field with from/to; saving the same
    rules again writes none."""
    if not _is_active_admin(actor):
        raise ValidationError(_("Only administrators of this portal may do this."))
    errors: dict[str, str] = {}
    if registration not in RegistrationPolicy.values:
        errors["registration"] = _("Choose one of the registration policies offered.")
    try:
        domains = _domains_clean(allowed_domains)
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
        domains = []
    else:
        if registration == RegistrationPolicy.DOMAINS and not domains:
            errors["allowed_domains"] = _(
                "List at least one domain: only addresses of these domains can register."
            )
    if errors:
        raise ValidationError(errors)
    wanted = {
        "registration": registration,
        "allowed_domains": domains,
        "members_only": bool(members_only),
        "admin_mfa_required": bool(admin_mfa_required),
    }
    with transaction.atomic():
        policy = MembershipPolicy.objects.select_for_update().order_by("pk").first()
        if policy is None:
            policy = MembershipPolicy.objects.create()
        changes = {
            field: {"from": getattr(policy, field), "to": value}
            for field, value in wanted.items()
            if getattr(policy, field) != value
        }
        if not changes:
            return policy
        for field, value in wanted.items():
            setattr(policy, field, value)
        policy.save()
        audit_record(
            event_type=EventType.MEMBERSHIP_POLICY_CHANGED,
            actor=actor,
            obj=policy,
            detail=changes,
        )
    return policy
