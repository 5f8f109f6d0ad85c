"""Data rights for ideas (see core.gdpr): the ideas a member posted, their supports, and the
status changes they made as a moderator.

The export has each idea's text, place, status and image, the ideas the member supports, and
the reasons they gave for status changes. Erasing deletes the supports; keeps the ideas (shown
under "Former member") or, as the member chooses, deletes them with their images and the label
the audit log keeps; status changes stay on the public timeline without the name of who made
them.
"""

from __future__ import annotations

from core import gdpr
from ideas.models import Idea, StatusChange, Support


def _export_ideas(user) -> list[gdpr.Row]:
    return [
        {
            "id": idea.pk,
            "title": idea.title,
            "description": idea.description,
            "place": idea.place,
            "status": idea.status,
            "on_behalf_of": idea.on_behalf_of.name if idea.on_behalf_of else None,
            "image": gdpr.StoredFile(idea.image) if idea.image else None,
            "created_at": idea.created_at.isoformat(),
        }
        for idea in Idea.objects.filter(author=user)
        .select_related("on_behalf_of")
        .order_by("created_at", "pk")
    ]


def _erase_ideas(user, *, keep_content: bool) -> None:
    if keep_content:
        return
    ideas = Idea.objects.filter(author=user)
    ids, images = [], []
    for pk, image in ideas.values_list("pk", "image"):
        ids.append(pk)
        if image:
            images.append(image)
    ideas.delete()
    gdpr.audit_forget_objects(object_type=Idea._meta.label_lower, object_ids=ids)
    gdpr.files_delete_on_commit(images)


def _export_supports(user) -> list[gdpr.Row]:
    return [
        {
            "idea": support.idea.title,
            "idea_id": support.idea_id,
            "at": support.created_at.isoformat(),
        }
        for support in Support.objects.filter(user=user).select_related("idea").order_by("pk")
    ]


def _erase_supports(user, *, keep_content: bool) -> None:
    Support.objects.filter(user=user).delete()


def _export_status_changes(user) -> list[gdpr.Row]:
    return [
        {
            "idea_id": change.idea_id,
            "from": change.from_status,
            "to": change.to_status,
            "reason": change.reason,
            "at": change.created_at.isoformat(),
        }
        for change in StatusChange.objects.filter(by=user).order_by("pk")
    ]


def _erase_status_changes(user, *, keep_content: bool) -> None:
    StatusChange.objects.filter(by=user).update(by=None)


gdpr.register(Idea, exporter=_export_ideas, eraser=_erase_ideas)
gdpr.register(Support, exporter=_export_supports, eraser=_erase_supports)
gdpr.register(StatusChange, exporter=_export_status_changes, eraser=_erase_status_changes)
