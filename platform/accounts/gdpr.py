"""Data rights for accounts (see core.gdpr): the account row itself.

The export is the profile (address, name, role, language, status, dates, groups and
permissions); the password hash is a credential, not information about the person, and stays
out. Erasing anonymises the row instead of deleting it, so that posts kept as a "former member"
and the audit log still point at an account: the address becomes a placeholder nobody can
register, the name, language and last visit are cleared, the password is made unusable, roles
and permissions are dropped and the account is blocked (which also ends its sessions).
MembershipPolicy has no relation to a user and needs nothing here.

django-allauth's e-mail addresses (account.EmailAddress) are registered here too, as part of
the account: exported with their verified/primary flags, deleted on erasure, so that no
address of the person is left to log in with or to be found by. So are their second factors
(mfa.Authenticator): the export says which kinds they set up and when they were last used,
never the secrets (TOTP key, recovery codes), which are credentials; erasing deletes them.
"""

from __future__ import annotations

from django.apps import apps

from accounts.models import MemberStatus, Profile, Role, User
from core import gdpr
from core.privacy import erased_address


def _export(user: User) -> list[gdpr.Row]:
    return [
        {
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "language": user.language,
            "status": user.status,
            "date_joined": user.date_joined.isoformat(),
            "last_seen_at": user.last_seen_at.isoformat() if user.last_seen_at else None,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "permissions": sorted(
                f"{app}.{codename}"
                for app, codename in user.user_permissions.values_list(
                    "content_type__app_label", "codename"
                )
            ),
        }
    ]


def _erase(user: User, *, keep_content: bool) -> None:
    user.email = erased_address(user)
    user.display_name = ""
    user.language = ""
    user.last_seen_at = None
    user.role = Role.MEMBER
    user.status = MemberStatus.BLOCKED
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


gdpr.register(User, exporter=_export, eraser=_erase)


def _email_addresses_export(user: User) -> list[gdpr.Row]:
    model = apps.get_model("account", "EmailAddress")
    return list(
        model.objects.filter(user=user).order_by("pk").values("email", "primary", "verified")
    )


def _email_addresses_erase(user: User, *, keep_content: bool) -> None:
    # Pending confirmations go with them (EmailConfirmation cascades).
    apps.get_model("account", "EmailAddress").objects.filter(user=user).delete()


if apps.is_installed("allauth.account"):
    gdpr.register(
        apps.get_model("account", "EmailAddress"),
        exporter=_email_addresses_export,
        eraser=_email_addresses_erase,
    )


def _authenticators_export(user: User) -> list[gdpr.Row]:
    model = apps.get_model("mfa", "Authenticator")
    return [
        {
            "type": row["type"],
            "created_at": row["created_at"].isoformat(),
            "last_used_at": row["last_used_at"].isoformat() if row["last_used_at"] else None,
        }
        for row in model.objects.filter(user=user)
        .order_by("pk")
        .values("type", "created_at", "last_used_at")
    ]


def _authenticators_erase(user: User, *, keep_content: bool) -> None:
    apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()


if apps.is_installed("allauth.mfa"):
    gdpr.register(
        apps.get_model("mfa", "Authenticator"),
        exporter=_authenticators_export,
        eraser=_authenticators_erase,
    )


def _profile_export(user: User) -> list[gdpr.Row]:
    profile = Profile.objects.filter(user=user).prefetch_related("topics").first()
    if profile is None:
        return []
    return [
        {
            "avatar": gdpr.StoredFile(profile.avatar) if profile.avatar else None,
            "bio": profile.bio,
            "place": profile.place,
            "topics": [topic.name for topic in profile.topics.all()],
            "visibility": {f: profile.visibility_of(f) for f in Profile.FIELDS},
        }
    ]


def _profile_erase(user: User, *, keep_content: bool) -> None:
    # Nothing of a profile outlives the account, whatever happens to the posts.
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        gdpr.files_delete_on_commit([profile.avatar])
        profile.delete()


gdpr.register(Profile, exporter=_profile_export, eraser=_profile_erase)
