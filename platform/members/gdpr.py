"""Data rights for invitations (see core.gdpr).

The export has the invitation that made the person's account (their address, name and role,
when it was sent, valid and accepted) and any open invitation to their address. Of the
invitations they sent as an administrator it has only how many there were of each status and
with which roles: the addresses invited are the portal's working data about other people, not
about them. The link's token digest is a credential and stays out.

Erasing removes the name and address from the invitation that made their account (the row
stays as the portal's record that an invitation was accepted; `accepted_user` then names the
anonymised account) and deletes open invitations to their address. Invitations they sent stay
unchanged: `invited_by` then names the anonymised account, like the audit log.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Q

from core import gdpr
from members.models import Invitation


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _export(user) -> list[gdpr.Row]:
    rows: list[gdpr.Row] = []
    own = Invitation.objects.filter(
        Q(accepted_user=user) | Q(email__iexact=user.email, accepted_at__isnull=True)
    ).order_by("created_at", "pk")
    for invitation in own:
        rows.append(
            {
                "as": "invitee",
                "email": invitation.email,
                "display_name": invitation.display_name,
                "role": invitation.role,
                "status": invitation.status,
                "created_at": _iso(invitation.created_at),
                "sent_at": _iso(invitation.sent_at),
                "expires_at": _iso(invitation.expires_at),
                "accepted_at": _iso(invitation.accepted_at),
                "revoked_at": _iso(invitation.revoked_at),
            }
        )
    sent = list(Invitation.objects.filter(invited_by=user))
    if sent:
        rows.append(
            {
                "as": "inviter",
                "invitations_sent": len(sent),
                "by_status": dict(sorted(Counter(i.status for i in sent).items())),
                "by_role": dict(sorted(Counter(i.role for i in sent).items())),
                "first_at": _iso(min(i.created_at for i in sent)),
                "last_at": _iso(max(i.created_at for i in sent)),
            }
        )
    return rows


def _erase(user, *, keep_content: bool) -> None:
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
    Invitation.objects.filter(accepted_user=user).update(email="", display_name="")


gdpr.register(Invitation, exporter=_export, eraser=_erase)
