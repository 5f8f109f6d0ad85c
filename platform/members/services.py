"""Writes of the members admin: roles, blocking, approvals, the membership rules and
invitations.

Every function is atomic, validates before it saves, writes one audit row per change and raises
ValidationError (with a message for the admin) for a change it refuses. A portal always keeps
at least one active administrator: changes of role or status lock the member and every active
administrator, in primary-key order, and re-check under the lock, so two administrators demoting
or blocking each other at the same moment wait for each other and the second is refused instead
of leaving the portal without an administrator.
"""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MembershipPolicy, MemberStatus, RegistrationPolicy, Role, User
from accounts.services import admins_notify_member_limit, email_normalise, user_create
from core.event_types import EventType
from core.privacy import is_erased
from core.services import audit_record
from core.text import single_line
from features.limits import check_member_limit
from members import invitees, selectors
from members.models import Invitation, InvitationStatus, invitation_expiry, token_digest
from tenants.celery import enqueue_on_commit

REASON_MAX_LENGTH = 500
DOMAINS_MAX = 200
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _is_active_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.status == MemberStatus.ACTIVE and user.is_active


def _is_active_moderator(user: User) -> bool:
    return user.role == Role.MODERATOR and user.status == MemberStatus.ACTIVE and user.is_active


def _lock(*, member: User, actor: User, moderators_may: bool = False) -> tuple[User, int]:
    """`member` re-read under a row lock, together with every active administrator (the actor
    among them), and how many active administrators there are besides the member.
    ValidationError if the member is gone or the actor is no longer an active administrator of
    this portal (another admin demoted them a moment ago); with `moderators_may`, an active
    moderator may act on a plain member too. ValueError for an account loaded from another
    schema: its id would name someone else here."""
    schema = getattr(connection, "schema_name", None)
    for role, user in (("member", member), ("actor", actor)):
        loaded = getattr(user, "loaded_schema", schema)
        if loaded != schema:
            raise ValueError(f"{role} is an account of schema {loaded}, not {schema}.")
    rows = list(
        User.objects.select_for_update()
        .filter(
            Q(pk=member.pk)
            | Q(pk=getattr(actor, "pk", None))
            | Q(role=Role.ADMIN, status=MemberStatus.ACTIVE, is_active=True)
        )
        .order_by("pk")
    )
    by_pk = {row.pk: row for row in rows}
    actor_row = by_pk.get(getattr(actor, "pk", None))
    moderator_allowed = (
        moderators_may
        and actor_row is not None
        and _is_active_moderator(actor_row)
        and member.pk in by_pk
        and by_pk[member.pk].role == Role.MEMBER
    )
    if actor_row is None or not (_is_active_admin(actor_row) or moderator_allowed):
        if moderators_may and actor_row is not None and _is_active_moderator(actor_row):
            raise ValidationError(_("Moderators may block members, not moderators or admins."))
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
    their next request; everything they wrote stays. Administrators block anyone, the portal's
    moderators plain members (from the moderation queue). Refused: oneself, the last active
    administrator, accounts that are not active (blocked already, or awaiting approval)."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(limit)s characters.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )

    def refuse(fresh: User, other_admins) -> None:
        if fresh.pk == actor.pk:
            raise ValidationError(_("You cannot block yourself."))
        if fresh.status == MemberStatus.PENDING:
            raise ValidationError(
                _("%(name)s is awaiting approval: approve or decline the registration instead.")
                % {"name": fresh}
            )
        _refuse_if_last_admin(fresh, other_admins)

    return _status_change(
        member=member,
        actor=actor,
        expected=MemberStatus.ACTIVE,
        to=MemberStatus.BLOCKED,
        event_type=EventType.MEMBER_BLOCKED,
        refusal=_("%(name)s is blocked already."),
        check=refuse,
        moderators_may=True,
        detail={"reason": reason},
    )


def _status_change(
    *,
    member: User,
    actor: User,
    expected: str,
    to: str,
    event_type: EventType,
    refusal: str,
    check=None,
    detail: dict | None = None,
    moderators_may: bool = False,
) -> User:
    """Move `member` from status `expected` to `to` under the lock, with an audit row; `check`
    (fresh member, other active admins) may refuse first, `refusal` names a wrong status."""
    with transaction.atomic():
        fresh, other_admins = _lock(member=member, actor=actor, moderators_may=moderators_may)
        if check is not None:
            check(fresh, other_admins)
        if fresh.status != expected:
            raise ValidationError(refusal % {"name": fresh})
        _set_status(fresh, to)
        audit_record(
            event_type=event_type,
            actor=actor,
            obj=fresh,
            detail={"from": expected, "to": to, **(detail or {})},
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


# Invitations

SEND_TASK = "members.tasks.send_invitation_link"
RENEWAL_TASK = "members.tasks.notify_admins_renewal_request"
RENEWAL_INTERVAL = datetime.timedelta(days=1)


def _unusable_message(reason: str) -> str:
    return {
        InvitationStatus.ACCEPTED: _("This invitation has been accepted already."),
        InvitationStatus.REVOKED: _("This invitation has been withdrawn."),
        InvitationStatus.EXPIRED: _("This invitation has expired."),
        "member": _("An account with this e-mail address exists already."),
    }[reason]


class InvitationUnusable(ValidationError):
    """The link cannot be used (any more). `reason`: "accepted", "revoked", "expired" or
    "member" (the address has an account here by now)."""

    def __init__(self, reason: str):
        super().__init__(_unusable_message(reason), code=reason)
        self.reason = reason


def _require_admin(actor: User) -> None:
    if not _is_active_admin(actor):
        raise ValidationError(_("Only administrators of this portal may do this."))


def _address_refusal(email: str, obstacle: str) -> str:
    if obstacle == invitees.Problem.MEMBER:
        return _("%(email)s has an account in this portal already.") % {"email": email}
    return _(
        "%(email)s has been invited already. To send the mail again, use “Send again” in the "
        "list of invitations."
    ) % {"email": email}


def _replace_expired(emails: list[str], *, actor: User) -> None:
    """Withdraw the expired, never used invitations of these addresses: a new one replaces
    each (an address has one open invitation at most)."""
    now = timezone.now()
    expired = list(
        Invitation.objects.select_for_update().filter(
            email__in=emails, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
        )
    )
    for invitation in expired:
        invitation.revoked_at = now
        audit_record(
            event_type=EventType.INVITATION_REVOKED,
            actor=actor,
            obj=invitation,
            detail={"reason": "replaced"},
        )
    Invitation.objects.bulk_update(expired, ["revoked_at"])


def _invited(invitation: Invitation, *, actor: User, bulk: bool = False) -> None:
    audit_record(
        event_type=EventType.MEMBER_INVITED,
        actor=actor,
        obj=invitation,
        detail={"role": invitation.role, **({"bulk": True} if bulk else {})},
    )
    enqueue_on_commit(SEND_TASK, invitation_id=invitation.pk)


def invitation_create(
    *, email: str, display_name: str = "", role: str = Role.MEMBER, actor: User
) -> Invitation:
    """Invite `email` to this portal as `role`; the mail with the link goes out after commit.
    Refused (ValidationError per field): an invalid address, a name with a line break or
    another control character, an unknown role, an address that has an account here or an open
    invitation. An expired invitation of the address is withdrawn and replaced. The plan's
    member limit is enforced when the invitation is accepted; selectors.invitation_limit_warning
    tells the admins beforehand."""
    _require_admin(actor)
    email = email_normalise(email)
    display_name = (display_name or "").strip()
    role = invitees.role_normalise(role)
    problems = invitees.invitee_problems(email=email, name=display_name, role=role)
    errors = {}
    if invitees.Problem.INVALID_EMAIL in problems:
        errors["email"] = _("Enter a valid e-mail address.")
    if invitees.Problem.LINE_BREAK in problems:
        errors["display_name"] = _("Use a single line without control characters.")
    elif invitees.Problem.NAME_TOO_LONG in problems:
        errors["display_name"] = _("Keep the name under %(limit)s characters.") % {
            "limit": invitees.NAME_MAX_LENGTH
        }
    if invitees.Problem.BAD_ROLE in problems:
        errors["role"] = _("Choose one of the roles offered.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            [row] = invitees.rows_check([invitees.Row(0, email, display_name, role)])
            if row.problems:
                raise ValidationError({"email": _address_refusal(email, row.problems[0])})
            _replace_expired([email], actor=actor)
            invitation = Invitation.objects.create(
                email=email, display_name=display_name, role=role, invited_by=actor
            )
            _invited(invitation, actor=actor)
    except IntegrityError as exc:  # the same address invited at the same moment
        raise ValidationError({"email": _address_refusal(email, invitees.Problem.INVITED)}) from exc
    return invitation


@dataclass(frozen=True)
class BulkInvitation:
    created: list[Invitation]
    skipped: list[invitees.Row]


def invitations_bulk_create(*, rows: list[invitees.Row], actor: User) -> BulkInvitation:
    """Invite every row without a problem, in one transaction: all of them, or if anything
    fails none (ValidationError). The rows are checked against the database again first, under
    the transaction; rows that are members or invited by now are skipped and reported with the
    others that have a problem."""
    _require_admin(actor)
    try:
        with transaction.atomic():
            rows = invitees.rows_check(rows)
            valid = [row for row in rows if row.ok]
            _replace_expired([row.email for row in valid], actor=actor)
            created = Invitation.objects.bulk_create(
                [
                    Invitation(email=r.email, display_name=r.name, role=r.role, invited_by=actor)
                    for r in valid
                ]
            )
            for invitation in created:
                _invited(invitation, actor=actor, bulk=True)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "Some of these addresses were invited by someone else at the same moment. Nothing "
                "was sent; upload the file again to see who is left to invite."
            )
        ) from exc
    return BulkInvitation(created=created, skipped=[row for row in rows if not row.ok])


def _locked(invitation: Invitation) -> Invitation:
    fresh = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if fresh is None:
        raise ValidationError(_("This invitation no longer exists."))
    return fresh


def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Mail the invitation again with a new link, valid for another 14 days; the earlier link
    stops working at once. Refused for an invitation that was accepted or withdrawn, or whose
    address has an account here by now."""
    _require_admin(actor)
    with transaction.atomic():
        fresh = _locked(invitation)
        obstacle = selectors.invitation_obstacle(fresh)
        if obstacle == "member":
            raise ValidationError(_address_refusal(fresh.email, invitees.Problem.MEMBER))
        if obstacle in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
            raise ValidationError(_unusable_message(obstacle))
        fresh.token_hash = ""
        fresh.expires_at = invitation_expiry()
        fresh.renewal_requested_at = None
        fresh.save(update_fields=["token_hash", "expires_at", "renewal_requested_at"])
        audit_record(
            event_type=EventType.INVITATION_RESENT,
            actor=actor,
            obj=fresh,
            detail={"expires_at": fresh.expires_at.isoformat()},
        )
        enqueue_on_commit(SEND_TASK, invitation_id=fresh.pk)
    return fresh


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw an invitation that has not been accepted: its link then shows that it was
    withdrawn. Refused for one accepted (the member exists; block them instead) or withdrawn
    already."""
    _require_admin(actor)
    with transaction.atomic():
        fresh = _locked(invitation)
        if fresh.accepted_at is not None:
            raise ValidationError(
                _("This invitation has been accepted already; block the member instead.")
            )
        if fresh.revoked_at is not None:
            raise ValidationError(_unusable_message(InvitationStatus.REVOKED))
        fresh.revoked_at = timezone.now()
        fresh.save(update_fields=["revoked_at"])
        audit_record(event_type=EventType.INVITATION_REVOKED, actor=actor, obj=fresh)
    return fresh


def invitation_token_issue(*, invitation_id: int) -> tuple[Invitation, str] | None:
    """A new token for the invitation's mail; its digest replaces the stored one, so an
    earlier link stops working. None if the invitation is gone, accepted, withdrawn or expired,
    or its address has an account by now: then no mail is to go out. Only the mail task calls
    this, so the token exists nowhere but in the mail."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or selectors.invitation_obstacle(invitation):
            return None
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_digest(token)
        invitation.save(update_fields=["token_hash"])
    return invitation, token


def invitation_mark_sent(*, invitation: Invitation) -> None:
    """Record that the mail with the invitation's current link went out."""
    Invitation.objects.filter(pk=invitation.pk, token_hash=invitation.token_hash).update(
        sent_at=timezone.now()
    )


def invitation_accept(
    *, token: str, password: str, display_name: str = "", language: str = ""
) -> User:
    """Create the invitee's account in this portal from the link's token: their address
    (verified: the link reached it), the invitation's role, the name and password they chose.
    The invitation row is locked, so the same link used twice at once makes one account; the
    second is refused like any used link. Raises InvitationUnusable for a link accepted,
    withdrawn or expired, or whose address has an account by now; ValidationError for an
    unknown token, a name with a line break, a password the validators refuse (per field), or
    the plan's member limit (then the admins are told, once a day)."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="unknown")
    display_name = single_line(display_name, field="display_name")
    if len(display_name) > invitees.NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "display_name": _("Keep the name under %(limit)s characters.")
                % {"limit": invitees.NAME_MAX_LENGTH}
            }
        )
    try:
        validate_password(password, User(email=invitation.email, display_name=display_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    limit_reached = False
    try:
        with transaction.atomic():
            fresh = (
                Invitation.objects.select_for_update()
                .filter(pk=invitation.pk, token_hash=invitation.token_hash)
                .first()
            )
            if fresh is None:  # sent again meanwhile: this link is the replaced one
                raise ValidationError(_("This invitation link is not valid."), code="unknown")
            obstacle = selectors.invitation_obstacle(fresh)
            if obstacle:
                raise InvitationUnusable(obstacle)
            try:
                check_member_limit(getattr(connection, "tenant", None))
            except ValidationError:
                limit_reached = True
            else:
                user = user_create(
                    email=fresh.email,
                    display_name=display_name,
                    role=fresh.role,
                    password=password,
                    language=language,
                    actor_label="invitation",
                    email_verified=True,
                )
                fresh.accepted_at = timezone.now()
                fresh.accepted_user = user
                fresh.save(update_fields=["accepted_at", "accepted_user"])
                audit_record(event_type=EventType.INVITATION_ACCEPTED, actor=user, obj=fresh)
    except IntegrityError as exc:  # the address registered at this very moment
        raise InvitationUnusable("member") from exc
    if limit_reached:
        admins_notify_member_limit()
        raise ValidationError(
            _(
                "This portal cannot take new members at the moment. Its administrators have been told."
            ),
            code="member_limit",
        )
    return user


def invitation_renewal_request(*, invitation: Invitation) -> bool:
    """The holder of an expired link asks for a new invitation: the portal's administrators
    get a mail (after commit) at most once a day per invitation. True if they are told now,
    False if they were within the last day. ValidationError for an invitation that has not
    expired (it is open, accepted or withdrawn)."""
    with transaction.atomic():
        fresh = _locked(invitation)
        if fresh.status != InvitationStatus.EXPIRED:
            raise ValidationError(_("Only an expired invitation can be renewed."))
        now = timezone.now()
        if fresh.renewal_requested_at and now - fresh.renewal_requested_at < RENEWAL_INTERVAL:
            return False
        fresh.renewal_requested_at = now
        fresh.save(update_fields=["renewal_requested_at"])
        audit_record(
            event_type=EventType.INVITATION_RENEWAL_REQUESTED, actor_label="invitee", obj=fresh
        )
        enqueue_on_commit(RENEWAL_TASK, invitation_id=fresh.pk)
    return True
