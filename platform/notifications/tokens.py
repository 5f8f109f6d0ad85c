"""The signed token of the one-click unsubscribe link in every notification mail.

The token names the account and is signed with a salt that includes the portal's schema, so a
link from portal A means nothing on portal B (where the same id is someone else). It has no
expiry: an unsubscribe link in an old mail must still work. A tampered or foreign token reads
as None, never as another account.
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

_SALT = "notifications.unsubscribe"


def _salt() -> str:
    schema = getattr(connection, "schema_name", None)
    if not schema:
        raise RuntimeError("Unsubscribe tokens belong to a portal.")
    return f"{_SALT}:{schema}"


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=_salt())


def user_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_salt())
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def member_from_token(token: str):
    """The active member a (valid, this portal's) unsubscribe token names, or None."""
    from accounts.models import User

    user_id = user_id_from_token(token)
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
