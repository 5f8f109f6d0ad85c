"""Writes on spaces and memberships: create, change, archive, join, request, invite, leave,
remove and hand over the space admin role.

Every function is keyword-only and atomic, checks before it writes and records an audit row.
Refusals are `PermissionDenied` (the actor may not do this in a space they can see: the page
answers 403) or `ValidationError` (bad input or a state that does not allow it, with a message
for the person; per field where a form field is to blame). Callers fetch the space through
`spaces.selectors.space_for`, so a space the actor may not see never reaches this module; the
functions here check it once more for callers that forget.

One row per (space, user) is kept by the database (`space_membership_once`): a join or an
acceptance that loses a race finds the winner's row and returns it, so a double click makes one
membership.
"""

from __future__ import annotations

import datetime
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import MemberStatus, Topic, User
from core.event_types import EventType
from core.media import MiB, safe_filename
from core.media.raster import clean_uploaded_raster
from core.services import audit_record
from core.text import single_line
from features.limits import check_storage_here
from features.selectors import enabled_here, portal_features
from spaces import selectors
from spaces.models import (
    JoinPolicy,
    MembershipStatus,
    ProjectStatus,
    Space,
    SpaceKind,
    SpaceMembership,
    SpaceRole,
    SpaceVisibility,
)

MAX_IMAGE_BYTES: Final = 5 * MiB
IMAGE_FORMATS: Final = ("JPEG", "PNG", "WEBP")
IMAGE_MAX_SIDE: Final = 1600
# Paths under spaces/ that are pages, not spaces.
RESERVED_SLUGS: Final = frozenset({"new", "archive"})
MAX_MESSAGE: Final = 500


def _portal():
    portal = getattr(connection, "tenant", None)
    return portal if getattr(portal, "plan_id", None) else None


def _require_member(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in as a member of this portal first."))


def _require_visible(user, space: Space) -> None:
    if not selectors.spaces_visible_to(user=user).filter(pk=space.pk).exists():
        # The same answer as a missing space: nothing is told about it.
        from django.http import Http404

        raise Http404


def _require_admin(user, space: Space) -> None:
    _require_member(user)
    _require_visible(user, space)
    if not selectors.is_space_admin(user=user, space=space):
        raise PermissionDenied(_("Only the space's admins may do this."))


def _require_open(space: Space) -> None:
    if space.is_archived:
        raise ValidationError(_("This space is archived and can only be read."))


def _clean_image(image: UploadedFile):
    clean = clean_uploaded_raster(
        image, formats=IMAGE_FORMATS, max_bytes=MAX_IMAGE_BYTES, max_side=IMAGE_MAX_SIDE
    )
    try:
        # The quota counts what is stored: the re-encoded image, not the upload.
        check_storage_here(len(clean.content))
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    return clean


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70].strip("-") or "space"
    if base in RESERVED_SLUGS:
        base = f"{base}-space"
    taken = set(
        Space.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _validated(
    *,
    name: str,
    description: str,
    place: str,
    goal: str,
    kind: str,
    visibility: str,
    join_policy: str,
    status: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    topic_ids: list[int],
    latitude=None,
    longitude=None,
    was_private: bool = False,
) -> tuple[dict, list[Topic]]:
    """The cleaned fields, or one ValidationError naming every field that is wrong. A space
    that is private already may stay so when the module has been switched off since."""
    errors: dict[str, list[str]] = {}

    def line(field: str, value: str, limit: int) -> str:
        try:
            value = single_line(value)
        except ValidationError as exc:
            errors[field] = exc.messages
            return ""
        if len(value) > limit:
            errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
        return value

    name = line("name", name, 120)
    if not name and "name" not in errors:
        errors["name"] = [_("Give the space a name.")]
    place = line("place", place, 120)
    from core.geo import clean_coordinates

    latitude, longitude = clean_coordinates(latitude, longitude, errors)
    description = (description or "").strip()
    if len(description) > 10_000:
        errors["description"] = [_("At most %(limit)d characters.") % {"limit": 10_000}]
    if kind not in SpaceKind.values:
        errors["kind"] = [_("Choose a group or a project.")]
    if visibility not in SpaceVisibility.values:
        errors["visibility"] = [_("Choose who can see the space.")]
    elif (
        visibility == SpaceVisibility.PRIVATE
        and not was_private
        and not enabled_here("private_spaces")
    ):
        errors["visibility"] = [
            _(
                "Private spaces are not available on this portal: the module "
                "“Private groups and projects” is not switched on."
            )
        ]
    if join_policy not in JoinPolicy.values:
        errors["join_policy"] = [_("Choose who can join.")]
    if kind == SpaceKind.PROJECT:
        goal = (goal or "").strip()
        if len(goal) > 2000:
            errors["goal"] = [_("At most %(limit)d characters.") % {"limit": 2000}]
        if status and status not in ProjectStatus.values:
            errors["status"] = [_("Choose one of the statuses offered.")]
        status = status or ProjectStatus.PLANNED
        if starts_on and ends_on and ends_on < starts_on:
            errors["ends_on"] = [_("The end cannot be before the start.")]
    else:
        # A group is a standing circle: no goal, status or dates.
        goal, status, starts_on, ends_on = "", "", None, None
    topics = list(Topic.objects.filter(pk__in=topic_ids))
    if len(topics) != len(set(topic_ids)):
        errors["topics"] = [_("Choose topics from the list.")]
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "description": description,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "goal": goal,
        "kind": kind,
        "visibility": visibility,
        "join_policy": join_policy,
        "status": status,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    return fields, topics


def _store_image(space: Space, clean, name: str) -> None:
    old = space.image
    space.image = default_storage.save(
        f"spaces/{space.pk}/{safe_filename(name, clean, fallback='image')}",
        ContentFile(clean.content),
    )
    space.save(update_fields=["image", "updated_at"])
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))


@transaction.atomic
def space_create(
    *,
    actor: User,
    name: str,
    kind: str = SpaceKind.GROUP,
    description: str = "",
    place: str = "",
    latitude=None,
    longitude=None,
    visibility: str = SpaceVisibility.MEMBERS,
    join_policy: str = JoinPolicy.OPEN,
    goal: str = "",
    status: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    topic_ids: list[int] | None = None,
    image: UploadedFile | None = None,
) -> Space:
    """A new group or project; `actor` becomes its space admin and follows it.

    Refused with ValidationError when the portal has as many spaces as its plan allows, when
    private spaces are asked for but their module is off, and for bad input (per field)."""
    _require_member(actor)
    if not enabled_here(selectors.FEATURE):
        raise PermissionDenied(_("Groups and projects are not switched on here."))
    portal = _portal()
    limit = portal_features(portal).limits.max_spaces if portal is not None else None
    if limit is not None and Space.objects.count() >= limit:
        raise ValidationError(
            _(
                "This portal has reached its limit of %(limit)d groups and projects (archived "
                "ones count too). To add more, the portal needs a larger plan."
            )
            % {"limit": limit}
        )
    fields, topics = _validated(
        name=name,
        description=description,
        place=place,
        latitude=latitude,
        longitude=longitude,
        goal=goal,
        kind=kind,
        visibility=visibility,
        join_policy=join_policy,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        topic_ids=topic_ids or [],
    )
    clean_image = _clean_image(image) if image is not None else None  # refuse before saving
    space = Space(**fields, created_by=actor)
    for _attempt in range(5):
        space.slug = _unique_slug(space.name)
        try:
            with transaction.atomic():
                space.save()
            break
        except IntegrityError:  # the same name saved at the same moment: try the next slug
            continue
    else:
        raise ValidationError({"name": _("Please try again in a moment.")})
    space.topics.set(topics)
    SpaceMembership.objects.create(
        space=space,
        user=actor,
        role=SpaceRole.ADMIN,
        status=MembershipStatus.ACTIVE,
        joined_at=timezone.now(),
    )
    if clean_image is not None:
        _store_image(space, clean_image, image.name)
    audit_record(event_type=EventType.SPACE_CREATED, actor=actor, obj=space)
    _follow(actor, space)
    return space


@transaction.atomic
def space_update(
    *,
    actor: User,
    space: Space,
    name: str,
    kind: str,
    description: str = "",
    place: str = "",
    latitude=None,
    longitude=None,
    visibility: str,
    join_policy: str,
    goal: str = "",
    status: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    topic_ids: list[int] | None = None,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Space:
    """Change a space (its space admins and the portal's admins). The address stays: links to
    the space keep working. An archived space cannot be changed."""
    _require_admin(actor, space)
    _require_open(space)
    fields, topics = _validated(
        name=name,
        description=description,
        place=place,
        latitude=latitude,
        longitude=longitude,
        goal=goal,
        kind=kind,
        visibility=visibility,
        join_policy=join_policy,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        topic_ids=topic_ids or [],
        was_private=space.visibility == SpaceVisibility.PRIVATE,
    )
    clean_image = _clean_image(image) if image is not None else None  # refuse before saving
    before = {key: str(getattr(space, key) or "") for key in fields}
    for key, value in fields.items():
        setattr(space, key, value)
    space.full_clean(exclude=["slug", "search"])
    space.save()
    space.topics.set(topics)
    if clean_image is not None:
        _store_image(space, clean_image, image.name)
    elif remove_image and space.image:
        old = space.image
        space.image = ""
        space.save(update_fields=["image", "updated_at"])
        transaction.on_commit(lambda: default_storage.delete(old))
    changed = sorted(k for k, v in before.items() if v != str(getattr(space, k) or ""))
    audit_record(
        event_type=EventType.SPACE_UPDATED, actor=actor, obj=space, detail={"changed": changed}
    )
    return space


@transaction.atomic
def space_archive(*, actor: User, space: Space) -> Space:
    """Make a space read-only; it is then listed apart from the others. Nothing is deleted."""
    _require_admin(actor, space)
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space.is_archived:
        return space
    space.archived_at = timezone.now()
    space.save(update_fields=["archived_at", "updated_at"])
    audit_record(event_type=EventType.SPACE_ARCHIVED, actor=actor, obj=space)
    return space


@transaction.atomic
def space_unarchive(*, actor: User, space: Space) -> Space:
    _require_admin(actor, space)
    space = Space.objects.select_for_update().get(pk=space.pk)
    if not space.is_archived:
        return space
    space.archived_at = None
    space.save(update_fields=["archived_at", "updated_at"])
    audit_record(event_type=EventType.SPACE_UNARCHIVED, actor=actor, obj=space)
    return space


def _follow(user: User, space: Space) -> None:
    from notifications.services import follow

    follow(user=user, target=space)


def _unfollow(user: User, space: Space) -> None:
    from notifications.services import unfollow

    unfollow(user=user, target=space)


def _notify(*, event_type: EventType, actor, space: Space, recipients, title: str, url=None):
    from notifications.services import notify

    notify(
        event_type=event_type,
        actor=actor,
        target=space,
        recipients=recipients,
        title=title,
        url=url,
    )


def _admins_of(space: Space) -> list[User]:
    """Who hears about requests: the space's admins, else (none left) the portal's admins."""
    admins = list(
        User.objects.filter(
            is_active=True,
            space_memberships__space=space,
            space_memberships__status=MembershipStatus.ACTIVE,
            space_memberships__role=SpaceRole.ADMIN,
        )
    )
    if not admins:
        from accounts.selectors import active_admins

        admins = list(active_admins())
    return admins


def _members_url(space: Space) -> str:
    return reverse("spaces:members", kwargs={"slug": space.slug})


def _insert_once(**fields) -> tuple[SpaceMembership, bool]:
    """Insert the membership row, or find the one a concurrent request just inserted."""
    try:
        with transaction.atomic():
            return SpaceMembership.objects.create(**fields), True
    except IntegrityError:
        return SpaceMembership.objects.get(space=fields["space"], user=fields["user"]), False


def _activate(membership: SpaceMembership) -> SpaceMembership:
    membership.status = MembershipStatus.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at"])
    _follow(membership.user, membership.space)
    return membership


@transaction.atomic
def space_join(*, user: User, space: Space, message: str = "") -> SpaceMembership:
    """Join an open space, ask to join one by request (its admins are told), or accept an
    invitation. Joining follows the space. Refused (PermissionDenied) for a space that takes
    members by invitation only when `user` is not invited, and for archived spaces."""
    _require_member(user)
    _require_visible(user, space)
    _require_open(space)
    existing = SpaceMembership.objects.filter(space=space, user=user).first()
    if existing is not None:
        if existing.status == MembershipStatus.INVITED:
            return invitation_accept(user=user, space=space)
        return existing  # already a member, or the request is waiting
    now = timezone.now()
    if space.join_policy == JoinPolicy.OPEN:
        membership, created = _insert_once(
            space=space, user=user, status=MembershipStatus.ACTIVE, joined_at=now
        )
        if created:
            _follow(user, space)
            audit_record(event_type=EventType.SPACE_JOINED, actor=user, obj=space)
        return membership
    if space.join_policy == JoinPolicy.REQUEST:
        message = (message or "").strip()
        if len(message) > MAX_MESSAGE:
            raise ValidationError(
                {"message": _("At most %(limit)d characters.") % {"limit": MAX_MESSAGE}}
            )
        membership, created = _insert_once(
            space=space, user=user, status=MembershipStatus.REQUESTED, message=message
        )
        if created:
            audit_record(event_type=EventType.SPACE_JOIN_REQUESTED, actor=user, obj=space)
            _notify(
                event_type=EventType.SPACE_JOIN_REQUESTED,
                actor=user,
                space=space,
                recipients=_admins_of(space),
                title=_("%(member)s asks to join %(space)s")
                % {"member": user, "space": space.name},
                url=_members_url(space),
            )
        return membership
    raise PermissionDenied(_("This space takes new members by invitation only."))


@transaction.atomic
def space_request_decide(
    *, actor: User, membership: SpaceMembership, approve: bool
) -> SpaceMembership | None:
    """Approve (the person becomes a member and follows the space) or decline (the request is
    removed) a request to join; the person is told either way. Returns the membership, or None
    when declined."""
    space = membership.space
    _require_admin(actor, space)
    membership = SpaceMembership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None or membership.status != MembershipStatus.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    requester = membership.user
    if approve:
        _require_open(space)
        _activate(membership)
        audit_record(
            event_type=EventType.SPACE_JOIN_APPROVED,
            actor=actor,
            obj=space,
            detail={"member": requester.pk},
        )
        title = _("You are now a member of %(space)s") % {"space": space.name}
    else:
        membership.delete()
        membership = None
        audit_record(
            event_type=EventType.SPACE_JOIN_DECLINED,
            actor=actor,
            obj=space,
            detail={"member": requester.pk},
        )
        title = _("Your request to join %(space)s was declined") % {"space": space.name}
    _notify(
        event_type=EventType.SPACE_JOIN_APPROVED if approve else EventType.SPACE_JOIN_DECLINED,
        actor=actor,
        space=space,
        recipients=[requester],
        title=title,
    )
    return membership


@transaction.atomic
def space_invite(*, actor: User, space: Space, invitee: User) -> SpaceMembership:
    """Invite a member of this portal (space admins). Someone who asked to join is let in at
    once; the invitee is told and sees the space (also a private one) until they answer."""
    _require_admin(actor, space)
    _require_open(space)
    if not invitee.is_active or invitee.status != MemberStatus.ACTIVE:
        raise ValidationError({"invitee": _("Only active members of this portal can be invited.")})
    existing = SpaceMembership.objects.select_for_update().filter(space=space, user=invitee).first()
    if existing is not None:
        if existing.status == MembershipStatus.ACTIVE:
            raise ValidationError(
                {"invitee": _("%(member)s is already a member.") % {"member": invitee}}
            )
        if existing.status == MembershipStatus.INVITED:
            raise ValidationError(
                {"invitee": _("%(member)s is already invited.") % {"member": invitee}}
            )
        return space_request_decide(actor=actor, membership=existing, approve=True)
    membership, _created = _insert_once(
        space=space, user=invitee, status=MembershipStatus.INVITED, invited_by=actor
    )
    audit_record(
        event_type=EventType.SPACE_INVITED, actor=actor, obj=space, detail={"member": invitee.pk}
    )
    _notify(
        event_type=EventType.SPACE_INVITED,
        actor=actor,
        space=space,
        recipients=[invitee],
        title=_("%(member)s invites you to %(space)s") % {"member": actor, "space": space.name},
    )
    return membership


@transaction.atomic
def invitation_accept(*, user: User, space: Space) -> SpaceMembership:
    """Accept an open invitation: one membership however often it is accepted at once (the
    row is locked; a second acceptance finds it active and returns it)."""
    _require_member(user)
    membership = SpaceMembership.objects.select_for_update().filter(space=space, user=user).first()
    if membership is None:
        raise PermissionDenied(_("There is no invitation to this space for you."))
    if membership.status == MembershipStatus.ACTIVE:
        return membership
    if membership.status != MembershipStatus.INVITED:
        raise PermissionDenied(_("There is no invitation to this space for you."))
    _require_open(space)
    _activate(membership)
    audit_record(event_type=EventType.SPACE_INVITATION_ACCEPTED, actor=user, obj=space)
    return membership


@transaction.atomic
def invitation_decline(*, user: User, space: Space) -> None:
    _require_member(user)
    deleted, _rows = SpaceMembership.objects.filter(
        space=space, user=user, status=MembershipStatus.INVITED
    ).delete()
    if not deleted:
        raise PermissionDenied(_("There is no invitation to this space for you."))
    audit_record(
        event_type=EventType.SPACE_LEFT, actor=user, obj=space, detail={"invitation": "declined"}
    )


def _lock_admins(space: Space) -> list[SpaceMembership]:
    """The space's admin rows, locked: two admins leaving at once cannot both be "not the last"."""
    return list(
        SpaceMembership.objects.select_for_update()
        .filter(space=space, status=MembershipStatus.ACTIVE, role=SpaceRole.ADMIN)
        .order_by("pk")
    )


@transaction.atomic
def space_leave(*, user: User, space: Space) -> None:
    """Leave a space (or withdraw a request, decline an invitation) and stop following it. The
    last space admin is refused: they hand the role to another member first."""
    _require_member(user)
    admins = _lock_admins(space)
    membership = SpaceMembership.objects.select_for_update().filter(space=space, user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this space."))
    if membership.is_admin and len(admins) <= 1:
        raise ValidationError(
            _(
                "You are the last admin of this space. Hand the admin role to another member "
                "before you leave."
            )
        )
    membership.delete()
    _unfollow(user, space)
    audit_record(
        event_type=EventType.SPACE_LEFT, actor=user, obj=space, detail={"status": membership.status}
    )


@transaction.atomic
def space_member_remove(*, actor: User, membership: SpaceMembership) -> None:
    """Remove a member, a request or an invitation (space admins). The last admin cannot be
    removed, and nobody removes themselves here (they leave)."""
    space = membership.space
    _require_admin(actor, space)
    admins = _lock_admins(space)
    membership = SpaceMembership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None:
        return
    if membership.user_id == actor.pk:
        raise ValidationError(_("To leave the space yourself, use “Leave the space”."))
    if membership.is_admin and len(admins) <= 1:
        raise ValidationError(_("The last admin of a space cannot be removed."))
    removed = membership.user
    membership.delete()
    _unfollow(removed, space)
    audit_record(
        event_type=EventType.SPACE_MEMBER_REMOVED,
        actor=actor,
        obj=space,
        detail={"member": removed.pk, "status": membership.status},
    )


@transaction.atomic
def space_admin_transfer(*, actor: User, space: Space, to: User) -> SpaceMembership:
    """Hand the space admin role to another active member; the actor stays a member. (A
    portal admin without a membership only gives the role.)"""
    _require_admin(actor, space)
    _lock_admins(space)
    target = SpaceMembership.objects.select_for_update().filter(space=space, user=to).first()
    if target is None or not target.is_active:
        raise ValidationError({"to": _("Choose an active member of this space.")})
    if target.user_id == actor.pk:
        raise ValidationError({"to": _("Choose another member.")})
    target.role = SpaceRole.ADMIN
    target.save(update_fields=["role"])
    own = SpaceMembership.objects.filter(
        space=space, user=actor, status=MembershipStatus.ACTIVE, role=SpaceRole.ADMIN
    ).first()
    if own is not None:
        own.role = SpaceRole.MEMBER
        own.save(update_fields=["role"])
    audit_record(
        event_type=EventType.SPACE_ADMIN_TRANSFERRED,
        actor=actor,
        obj=space,
        detail={"to": to.pk},
    )
    return target
