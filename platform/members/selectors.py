"""Reads of the members admin: the filtered members list, approvals waiting, one member's
history, the weekly statistics and the invitations. Everything reads the current schema, i.e.
this portal's members and invitations only; an id or an invitation link of another portal is
simply not found."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberStatus, User
from core.models import AuditEvent
from core.privacy import ERASED_EMAIL_SUFFIX
from core.selectors import audit_events
from members.models import Invitation, InvitationStatus, token_digest

PAGE_SIZE = 50
RECENT_DAYS = 30
PENDING_SHOWN = 20
STATISTICS_WEEKS = 26
TOKEN_MAX_LENGTH = 100


class LastSeen:
    NEVER = "never"
    RECENT = "recent"
    EARLIER = "earlier"
    VALUES = (NEVER, RECENT, EARLIER)


def _members() -> QuerySet[User]:
    """Every account of the portal but the erased ones (core.privacy keeps a placeholder row
    for a deleted member: it is a "former member", not a member)."""
    return User.objects.exclude(email__endswith=ERASED_EMAIL_SUFFIX)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def members_filtered(
    *,
    query: str = "",
    role: str = "",
    status: str = "",
    joined_after: datetime.date | None = None,
    joined_before: datetime.date | None = None,
    last_seen: str = "",
    now: datetime.datetime | None = None,
) -> QuerySet[User]:
    """Members matching every filter given, by name then e-mail. `query` matches a part of the
    name or the e-mail address, in any letter case; both dates are inclusive (whole days in
    the portal's time zone); `last_seen` is "never", "recent" (within 30 days) or "earlier"."""
    members = _members()
    query = (query or "").strip()
    if query:
        members = members.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    if role:
        members = members.filter(role=role)
    if status:
        members = members.filter(status=status)
    if joined_after:
        members = members.filter(date_joined__gte=_start_of(joined_after))
    if joined_before:
        members = members.filter(
            date_joined__lt=_start_of(joined_before + datetime.timedelta(days=1))
        )
    if last_seen:
        cutoff = (now or timezone.now()) - datetime.timedelta(days=RECENT_DAYS)
        if last_seen == LastSeen.NEVER:
            members = members.filter(last_seen_at__isnull=True)
        elif last_seen == LastSeen.RECENT:
            members = members.filter(last_seen_at__gte=cutoff)
        elif last_seen == LastSeen.EARLIER:
            members = members.filter(last_seen_at__lt=cutoff)
    return members.order_by("display_name", "email", "pk")


def members_page(members: QuerySet[User], number) -> tuple[Page, list]:
    """One page of 50 and the page numbers to offer (with "…" for gaps). Two queries
    whatever the number of members: the count and the page itself."""
    paginator = Paginator(members, PAGE_SIZE)
    page = paginator.get_page(number)
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def members_pending() -> QuerySet[User]:
    """Registrations awaiting approval, oldest first."""
    return _members().filter(status=MemberStatus.PENDING).order_by("date_joined", "pk")


def member_by_pk(pk: int) -> User | None:
    return _members().filter(pk=pk).first()


def member_history(member: User) -> QuerySet[AuditEvent]:
    """What happened to this account, newest first."""
    return audit_events(object_type=User._meta.label_lower, object_id=member.pk)


@dataclass(frozen=True)
class WeeklyStatistics:
    weeks: list[datetime.date]  # the Monday each week starts on, oldest first
    members: list[int]  # accounts at the end of each week (cumulative)
    signups: list[int]  # accounts created in each week
    last_seen: list[int]  # accounts whose latest visit falls in each week


def _week_starts(now: datetime.datetime, count: int) -> list[datetime.date]:
    today = timezone.localtime(now).date()
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def _per_week(field: str, since: datetime.datetime) -> dict[datetime.date, int]:
    rows = (
        _members()
        .filter(**{f"{field}__gte": since})
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    return {timezone.localtime(week).date(): n for week, n in rows}


def member_statistics(
    *, weeks: int = STATISTICS_WEEKS, now: datetime.datetime | None = None
) -> WeeklyStatistics:
    """Members over the last `weeks` weeks (Monday to Sunday, in the portal's time zone), in
    three aggregate queries. Only accounts that exist today are counted (a deleted account
    is not), and only the latest visit of each member is known, so "last seen" counts
    each member once, in the week of their latest visit."""
    starts = _week_starts(now or timezone.now(), weeks)
    since = _start_of(starts[0])
    before = _members().filter(date_joined__lt=since).count()
    signups_by_week = _per_week("date_joined", since)
    seen_by_week = _per_week("last_seen_at", since)
    signups = [signups_by_week.get(week, 0) for week in starts]
    members, total = [], before
    for added in signups:
        total += added
        members.append(total)
    return WeeklyStatistics(
        weeks=starts,
        members=members,
        signups=signups,
        last_seen=[seen_by_week.get(week, 0) for week in starts],
    )


# Invitations


def member_emails(emails: list[str]) -> set[str]:
    """Those of these (normalised) addresses that have an account here, in any letter case."""
    if not emails:
        return set()
    return set(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=set(emails))
        .values_list("address", flat=True)
    )


def _open(now: datetime.datetime) -> Q:
    return Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


_STATUS_FILTERS = {
    InvitationStatus.OPEN: _open,
    InvitationStatus.EXPIRED: lambda now: Q(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ),
    InvitationStatus.ACCEPTED: lambda now: Q(accepted_at__isnull=False),
    InvitationStatus.REVOKED: lambda now: Q(accepted_at__isnull=True, revoked_at__isnull=False),
}


def invited_emails(emails: list[str], *, now: datetime.datetime | None = None) -> set[str]:
    """Those of these (normalised) addresses with an open invitation that has not expired."""
    if not emails:
        return set()
    return set(
        Invitation.objects.filter(_open(now or timezone.now()), email__in=set(emails)).values_list(
            "email", flat=True
        )
    )


def invitations_filtered(
    *, status: str = "", now: datetime.datetime | None = None
) -> QuerySet[Invitation]:
    """This portal's invitations, newest first, optionally of one status (open, expired,
    accepted, withdrawn), with who sent them."""
    invitations = Invitation.objects.select_related("invited_by", "accepted_user")
    if status in _STATUS_FILTERS:
        invitations = invitations.filter(_STATUS_FILTERS[status](now or timezone.now()))
    return invitations.order_by("-created_at", "-pk")


def invitation_counts(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many invitations there are of each status, in one query."""
    now = now or timezone.now()
    return Invitation.objects.aggregate(
        **{status: Count("pk", filter=q(now)) for status, q in _STATUS_FILTERS.items()}
    )


def invitation_by_pk(pk: int) -> Invitation | None:
    return Invitation.objects.select_related("invited_by").filter(pk=pk).first()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation of this portal the link's token belongs to; None for anything else (a
    token of another portal, of a mail replaced by a newer one, or no token at all)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return Invitation.objects.filter(token_hash=token_digest(token)).first()


def invitation_obstacle(invitation: Invitation, *, now: datetime.datetime | None = None) -> str:
    """Why this invitation cannot be accepted: "accepted", "revoked", "expired", "member" (the
    address has an account here by now) or "" if it can."""
    status = invitation.status_at(now or timezone.now())
    if status != InvitationStatus.OPEN:
        return status
    if User.objects.filter(email__iexact=invitation.email).exists():
        return "member"
    return ""


def member_room(portal) -> int | None:
    """How many more members the portal's plan allows (None: no limit)."""
    from features.limits import member_count
    from features.selectors import portal_features

    if getattr(portal, "pk", None) is None or not hasattr(portal, "plan_id"):
        return None
    limit = portal_features(portal).limits.max_members
    return None if limit is None else max(limit - member_count(), 0)


def invitation_limit_warning(portal) -> str:
    """A warning for the admins if the open invitations are more than the plan has room for:
    those invited can accept only while there is room."""
    room = member_room(portal)
    if room is None:
        return ""
    pending = Invitation.objects.filter(_open(timezone.now())).count()
    if pending <= room:
        return ""
    if room == 0:
        return _(
            "The portal has reached its plan's member limit: invitations can be sent, but nobody "
            "can accept one until the portal has a larger plan."
        )
    return _(
        "%(pending)s invitations are open, but the plan has room for %(room)s more members: "
        "once it is full, the others cannot accept until the portal has a larger plan."
    ) % {"pending": pending, "room": room}
