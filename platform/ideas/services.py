"""Writes of the ideas marketplace: post and edit an idea, support it and withdraw the support,
move it along its statuses, and start a project from it.

Every function is keyword-only and atomic, checks before it writes and records an audit row.
Refusals are `PermissionDenied` (the actor may not do this to an idea they can see: 403) or
`ValidationError` (bad input or a state that does not allow it, per field where a field is to
blame). An idea the actor may not see is an Http404, the same as a missing one.

One support per (idea, member) is kept by the database (`idea_support_once`): a support that
loses a race finds the winner's row and returns it, so a double click makes one support.
"""

from __future__ import annotations

from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Topic, User
from core import visibility
from core.event_types import EventType
from core.geo import clean_coordinates
from core.media import MiB, safe_filename
from core.media.raster import clean_uploaded_raster
from core.richtext import plain
from core.services import audit_record
from core.text import single_line
from features.limits import check_storage_here
from features.selectors import enabled_here
from ideas import selectors
from ideas.models import Idea, IdeaStatus, StatusChange, Support

MAX_IMAGE_BYTES: Final = 5 * MiB
IMAGE_FORMATS: Final = ("JPEG", "PNG", "WEBP")
IMAGE_MAX_SIDE: Final = 1600
MAX_REASON: Final = 2000


def _require_member(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in as a member of this portal first."))
    if not enabled_here(selectors.FEATURE):
        raise PermissionDenied(_("Ideas are not switched on here."))


def _require_visible(user, idea: Idea) -> None:
    if not visibility.can_see(user, idea):
        from django.http import Http404

        raise Http404


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


def _store_image(idea: Idea, clean, name: str) -> None:
    old = idea.image
    idea.image = default_storage.save(
        f"ideas/{idea.pk}/{safe_filename(name, clean, fallback='image')}",
        ContentFile(clean.content),
    )
    idea.save(update_fields=["image", "updated_at"])
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))


def _validated(
    *,
    author: User,
    title: str,
    description: str,
    topic_id: int | None,
    place: str,
    latitude,
    longitude,
    on_behalf_of_id: int | None,
) -> dict:
    """The cleaned fields, or one ValidationError naming every field that is wrong."""
    errors: dict[str, list[str]] = {}

    def line(field: str, value: str, limit: int) -> str:
        try:
            value = single_line(value or "")
        except ValidationError as exc:
            errors[field] = exc.messages
            return ""
        if len(value) > limit:
            errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
        return value

    title = line("title", title, 200)
    if not title and "title" not in errors:
        errors["title"] = [_("Give the idea a title.")]
    place = line("place", place, 120)
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe the idea.")]
    elif len(description) > 10_000:
        errors["description"] = [_("At most %(limit)d characters.") % {"limit": 10_000}]
    topic = None
    if topic_id:
        topic = Topic.objects.filter(pk=topic_id).first()
        if topic is None:
            errors["topic"] = [_("Choose a topic from the list.")]
    latitude, longitude = clean_coordinates(latitude, longitude, errors)
    space = None
    if on_behalf_of_id:
        space = selectors.spaces_to_speak_for(user=author).filter(pk=on_behalf_of_id).first()
        if space is None:
            errors["on_behalf_of"] = [
                _("You can post only on behalf of a space you are an active member of.")
            ]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "topic": topic,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "on_behalf_of": space,
    }


def _follow(user: User, idea: Idea) -> None:
    from notifications.services import follow

    follow(user=user, target=idea)


@transaction.atomic
def idea_post(
    *,
    author: User,
    title: str,
    description: str,
    topic_id: int | None = None,
    place: str = "",
    latitude=None,
    longitude=None,
    on_behalf_of_id: int | None = None,
    image: UploadedFile | None = None,
) -> Idea:
    """A new idea by `author`, or on behalf of a space they are an active member of; the
    author follows it. Bad input is a ValidationError per field, and nothing is saved."""
    _require_member(author)
    fields = _validated(
        author=author,
        title=title,
        description=description,
        topic_id=topic_id,
        place=place,
        latitude=latitude,
        longitude=longitude,
        on_behalf_of_id=on_behalf_of_id,
    )
    clean_image = _clean_image(image) if image is not None else None  # refuse before saving
    idea = Idea.objects.create(author=author, **fields)
    if clean_image is not None:
        _store_image(idea, clean_image, image.name)
    audit_record(event_type=EventType.IDEA_POSTED, actor=author, obj=idea)
    _follow(author, idea)
    return idea


@transaction.atomic
def idea_edit(
    *,
    user: User,
    idea: Idea,
    title: str,
    description: str,
    topic_id: int | None = None,
    place: str = "",
    latitude=None,
    longitude=None,
    on_behalf_of_id: int | None = None,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Idea:
    """Change an idea (its author, while it is neither realised nor archived)."""
    _require_member(user)
    _require_visible(user, idea)
    if not selectors.can_edit(user=user, idea=idea):
        raise PermissionDenied(_("Only the author can change this idea, until it is realised."))
    fields = _validated(
        author=user,
        title=title,
        description=description,
        topic_id=topic_id,
        place=place,
        latitude=latitude,
        longitude=longitude,
        on_behalf_of_id=on_behalf_of_id,
    )
    clean_image = _clean_image(image) if image is not None else None
    before = {key: str(getattr(idea, key) or "") for key in fields}
    for key, value in fields.items():
        setattr(idea, key, value)
    idea.save()
    if clean_image is not None:
        _store_image(idea, clean_image, image.name)
    elif remove_image and idea.image:
        old = idea.image
        idea.image = ""
        idea.save(update_fields=["image", "updated_at"])
        transaction.on_commit(lambda: default_storage.delete(old))
    changed = sorted(k for k, v in before.items() if v != str(getattr(idea, k) or ""))
    audit_record(
        event_type=EventType.IDEA_EDITED, actor=user, obj=idea, detail={"changed": changed}
    )
    return idea


@transaction.atomic
def idea_support(*, user: User, idea: Idea) -> Support:
    """Support an idea (once: a second support, also at the same moment, returns the first).
    Supporting follows the idea. An archived idea takes no more support."""
    _require_member(user)
    _require_visible(user, idea)
    if idea.status == IdeaStatus.ARCHIVED:
        raise ValidationError(_("This idea is archived and takes no more support."))
    existing = Support.objects.filter(idea=idea, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            support = Support.objects.create(idea=idea, user=user)
    except IntegrityError:  # the same support at the same moment: the other one counts
        return Support.objects.get(idea=idea, user=user)
    audit_record(event_type=EventType.IDEA_SUPPORTED, actor=user, obj=idea)
    _follow(user, idea)
    return support


@transaction.atomic
def idea_support_withdraw(*, user: User, idea: Idea) -> bool:
    """Take back one's support; False when there was none. The idea stays followed (one
    unfollows it apart)."""
    _require_member(user)
    _require_visible(user, idea)
    deleted, _rows = Support.objects.filter(idea=idea, user=user).delete()
    if deleted:
        audit_record(event_type=EventType.IDEA_SUPPORT_WITHDRAWN, actor=user, obj=idea)
    return bool(deleted)


def _notify_status(*, actor: User, idea: Idea, reason: str) -> None:
    from notifications.services import notify_followers

    notify_followers(
        event_type=EventType.IDEA_STATUS_CHANGED,
        actor=actor,
        target=idea,
        title=_("“%(idea)s” is now %(status)s")
        % {"idea": idea.title, "status": idea.get_status_display()},
        excerpt=plain(reason, limit=300),
        also=list(selectors.supporters_of(idea=idea)),
    )


def _change_status(*, actor: User, idea: Idea, status: str, reason: str) -> StatusChange:
    change = StatusChange.objects.create(
        idea=idea, from_status=idea.status, to_status=status, reason=reason, by=actor
    )
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    audit_record(
        event_type=EventType.IDEA_STATUS_CHANGED,
        actor=actor,
        obj=idea,
        detail={"from": change.from_status, "to": status},
    )
    _notify_status(actor=actor, idea=idea, reason=reason)
    return change


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: it is shown on the idea's timeline.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("At most %(limit)d characters.") % {"limit": MAX_REASON}}
        )
    return reason


@transaction.atomic
def idea_status_change(*, moderator: User, idea: Idea, status: str, reason: str) -> StatusChange:
    """Move an idea one step: new → under discussion → in implementation (only with a linked
    project space) → realised, or to archived from any status; portal moderators and admins
    only, always with a reason. Supporters and followers are told."""
    _require_member(moderator)
    _require_visible(moderator, idea)
    if not selectors.can_change_status(user=moderator):
        raise PermissionDenied(_("Only the portal's moderators can change an idea's status."))
    reason = _clean_reason(reason)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if status not in selectors.allowed_statuses(idea=idea):
        raise ValidationError(
            {
                "status": _("An idea that is %(now)s cannot become %(next)s.")
                % {
                    "now": idea.get_status_display(),
                    "next": dict(IdeaStatus.choices).get(status, status),
                }
            }
        )
    if status == IdeaStatus.IMPLEMENTATION and idea.project_id is None:
        raise ValidationError(
            {"status": _("An idea is in implementation only with a project: start one first.")}
        )
    return _change_status(actor=moderator, idea=idea, status=status, reason=reason)


def _project_description(idea: Idea) -> str:
    # Markdown: the link leads back to the idea the project carries out.
    title = idea.title.replace("[", "(").replace("]", ")")
    return _("This project carries out the idea [%(title)s](%(url)s).") % {
        "title": title,
        "url": idea.get_absolute_url(),
    }


@transaction.atomic
def idea_start_project(*, user: User, idea: Idea):
    """Create a project space for the idea (named after it, linking back), link it, set the
    idea in implementation and invite its supporters. The author and the portal's moderators
    may; the spaces' own rules (the plan's limit of spaces) apply and refuse as there."""
    from spaces import services as space_services
    from spaces.models import SpaceKind, SpaceVisibility

    _require_member(user)
    _require_visible(user, idea)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not selectors.can_start_project(user=user, idea=idea):
        if idea.project_id is not None:
            raise ValidationError(_("A project carries this idea already."))
        raise PermissionDenied(_("Only the author or a moderator can start a project from it."))
    space = space_services.space_create(
        actor=user,
        name=idea.title[:120],
        kind=SpaceKind.PROJECT,
        description=_project_description(idea),
        place=idea.place,
        topic_ids=[idea.topic_id] if idea.topic_id else [],
        # As public as the idea it carries out: its supporters and the portal follow it there.
        visibility=SpaceVisibility.PUBLIC,
    )
    idea.project = space
    idea.save(update_fields=["project", "updated_at"])
    audit_record(
        event_type=EventType.IDEA_PROJECT_STARTED,
        actor=user,
        obj=idea,
        detail={"space": space.pk},
    )
    _change_status(
        actor=user,
        idea=idea,
        status=IdeaStatus.IMPLEMENTATION,
        reason=_("The project “%(space)s” carries out this idea.") % {"space": space.name},
    )
    from accounts.models import MemberStatus

    for supporter in selectors.supporters_of(idea=idea).filter(status=MemberStatus.ACTIVE):
        if supporter.pk == user.pk:
            continue
        space_services.space_invite(actor=user, space=space, invitee=supporter)
    return space
