"""Profiles: what a member tells others (picture, about me, place, topics), each part with who
may see it, and their language. Writes and reads in one small module, as both are short.

Refusals are ValidationError per field (a picture that is no image, a topic that is not the
portal's); nothing is saved then. The picture is stored only after core.media has rebuilt it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import Profile, Topic, User, Visibility
from core.media import safe_filename
from core.media.raster import clean_raster
from core.text import single_line
from features.limits import check_storage
from themes.languages import portal_languages

AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_SIDE = 512


def topics() -> list[Topic]:
    return list(Topic.objects.all())


def active_member(pk: int) -> User | None:
    """A member others may look at: an active account (not pending, blocked or deleted)."""
    from accounts.models import MemberStatus

    return User.objects.filter(pk=pk, status=MemberStatus.ACTIVE).first()


def profile_of(user: User) -> Profile:
    """The member's profile, created empty on first use."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    place: str,
    topic_ids: list[int],
    visibility: dict[str, str],
    language: str,
    listed: bool = False,
) -> Profile:
    errors: dict[str, list[str]] = {}
    try:
        display_name = single_line(display_name)
    except ValidationError as exc:
        errors["display_name"] = exc.messages
    try:
        place = single_line(place)
    except ValidationError as exc:
        errors["place"] = exc.messages
    if language and language not in portal_languages()[0]:
        errors["language"] = [_("Choose one of the languages offered.")]
    topics = list(Topic.objects.filter(pk__in=topic_ids))
    if len(topics) != len(set(topic_ids)):
        errors["topics"] = [_("Choose topics from the list.")]
    unknown = {
        f: v for f, v in visibility.items() if f not in Profile.FIELDS or v not in Visibility.values
    }
    if unknown:
        errors["visibility"] = [_("That visibility is not one of those offered.")]
    if errors:
        raise ValidationError(errors)
    user.display_name, user.language = display_name, language
    user.save(update_fields=["display_name", "language"])
    profile = profile_of(user)
    profile.bio, profile.place, profile.listed = bio.strip()[:500], place, listed
    profile.visibility = {**profile.visibility, **visibility}
    profile.full_clean()
    profile.save()
    profile.topics.set(topics)
    return profile


@transaction.atomic
def profile_avatar_set(*, user: User, name: str, data: bytes) -> Profile:
    """Rebuild the picture (square side at most 512 px, no metadata) and store it."""
    try:
        clean = clean_raster(
            data,
            name=name,
            fallback=_("The picture"),
            formats={"PNG", "JPEG", "WEBP"},
            max_bytes=AVATAR_MAX_BYTES,
            max_width=AVATAR_SIDE,
            max_height=AVATAR_SIDE,
        )
        check_storage(getattr(connection, "tenant", None), len(clean.content))
    except ValidationError as exc:
        raise ValidationError({"avatar": exc.messages}) from exc
    profile = profile_of(user)
    old = profile.avatar
    profile.avatar = default_storage.save(
        f"avatars/{user.pk}/{safe_filename(name, clean, fallback='picture')}",
        ContentFile(clean.content),
    )
    profile.save(update_fields=["avatar", "updated_at"])
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    return profile


@dataclass(frozen=True)
class ProfileView:
    """A profile as one viewer may see it: hidden parts are None."""

    user: User
    avatar: str | None
    bio: str | None
    place: str | None
    topics: list[Topic] | None


def profile_visible_to(*, member: User, viewer) -> ProfileView:
    profile = Profile.objects.filter(user=member).prefetch_related("topics").first()
    profile = profile or Profile(user=member)

    def allowed(field: str) -> bool:
        if viewer.is_authenticated and viewer.pk == member.pk:
            return True
        level = profile.visibility_of(field)
        return level == Visibility.PUBLIC or (
            level == Visibility.MEMBERS and viewer.is_authenticated
        )

    return ProfileView(
        user=member,
        avatar=profile.avatar if allowed("avatar") and profile.avatar else None,
        bio=profile.bio if allowed("bio") else None,
        place=profile.place if allowed("place") else None,
        topics=list(profile.topics.all()) if allowed("topics") and profile.pk else None,
    )


@transaction.atomic
def topics_update(*, names: list[str], actor: User) -> list[Topic]:
    """Replace the portal's topic list (one name a line, in order). Topics members chose stay
    linked when their name stays; a removed topic disappears from every profile."""
    from core.event_types import EventType
    from core.services import audit_record

    cleaned: list[str] = []
    for raw in names:
        name = single_line(raw)[:80]
        if name and name.casefold() not in {n.casefold() for n in cleaned}:
            cleaned.append(name)
    if len(cleaned) > 100:
        raise ValidationError({"names": _("At most 100 topics.")})
    before = [t.name for t in Topic.objects.all()]
    Topic.objects.exclude(name__in=cleaned).delete()
    for position, name in enumerate(cleaned):
        Topic.objects.update_or_create(name=name, defaults={"position": position})
    audit_record(
        event_type=EventType.TOPICS_CHANGED,
        actor=actor,
        object_type="accounts.topic",
        object_label=_("Topics"),
        detail={"from": before, "to": cleaned},
    )
    return list(Topic.objects.all())


def directory(*, viewer, query: str = "", topic_id: int | None = None):
    """Members who chose to be listed in the member directory (active accounts only); what each
    shows follows their profile's visibility. A fixed number of queries per page."""
    from django.db.models import Q

    from accounts.models import MemberStatus

    members = (
        User.objects.filter(status=MemberStatus.ACTIVE, profile__listed=True)
        .select_related("profile")
        .prefetch_related("profile__topics")
        .order_by("display_name", "email", "pk")
    )
    if query:
        members = members.filter(Q(display_name__icontains=query))
    if topic_id:
        members = members.filter(profile__topics__pk=topic_id).distinct()
    return members
