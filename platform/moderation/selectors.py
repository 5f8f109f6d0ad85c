"""Reads of moderation: the reports someone may see, the queue and the reported items.

`reports_visible_to` is registered with core.visibility (a reporter sees their own reports, a
moderator those they may decide). The queue loads every reported item with one query per kind
of item, whatever the number of reports, and shows each in context: its text, its author, its
space and a link to where it is. A target that cannot be found or seen is Http404, the same
answer as for one that does not exist; a moderator of another space gets PermissionDenied.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import MemberStatus, User
from core import richtext, visibility
from moderation.models import MemberWarning, Report, ReportStatus
from moderation.permissions import administered_spaces, may_moderate
from spaces.selectors import is_portal_staff

MEMBER_LABEL = "accounts.user"
# The foreign keys shown with an item; loaded with it so that the queue needs no query per row.
_SHOWN_RELATIONS = ("author", "uploaded_by", "created_by", "space")


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def reports_visible_to(*, user) -> QuerySet[Report]:
    """The reports `user` filed, and those they may decide."""
    reports = Report.objects.select_related("reporter", "space", "target_type", "decided_by")
    if not _is_member(user):
        return reports.none()
    if is_portal_staff(user):
        return reports
    return reports.filter(Q(reporter=user) | Q(space__in=administered_spaces(user=user)))


def reports_to_moderate(*, user) -> QuerySet[Report]:
    """Portal staff: every report; space admins: those about their spaces' content."""
    reports = Report.objects.select_related("reporter", "space", "target_type", "decided_by")
    if not _is_member(user):
        return reports.none()
    if is_portal_staff(user):
        return reports
    return reports.filter(space__in=administered_spaces(user=user))


def warnings_visible_to(*, user) -> QuerySet[MemberWarning]:
    """A member's own warnings; portal staff see all, space admins those about their spaces."""
    warnings = MemberWarning.objects.select_related("member", "space")
    if not _is_member(user):
        return warnings.none()
    if is_portal_staff(user):
        return warnings
    return warnings.filter(Q(member=user) | Q(space__in=administered_spaces(user=user)))


def own_reports(*, user) -> QuerySet[Report]:
    return reports_visible_to(user=user).filter(reporter=user)


def own_warnings(*, user) -> QuerySet[MemberWarning]:
    return warnings_visible_to(user=user).filter(member=user)


def reportable_model(label: str) -> type[models.Model] | None:
    """The model named `label` ("app.model") if it can be reported: a member account, or
    registered content that moderators can hide."""
    label = (label or "").lower()
    if label == MEMBER_LABEL:
        return User
    kind = visibility.registered().get(label)
    if kind is None:
        return None
    names = {f.name for f in kind.model._meta.get_fields()}
    return kind.model if "hidden_at" in names else None


def _active_members() -> QuerySet[User]:
    return User.objects.filter(is_active=True, status=MemberStatus.ACTIVE).exclude(
        email__endswith="@invalid"
    )


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk <= 0:
        raise Http404
    return pk


def target_to_report(*, user, label: str, pk) -> models.Model:
    """What `user` wants to report, if they may see it: Http404 otherwise."""
    model = reportable_model(label)
    if model is None or not _is_member(user):
        raise Http404
    pk = _pk(pk)
    if model is User:
        found = _active_members().filter(pk=pk).first()
    else:
        found = visibility.visible(model, user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _unfiltered(model: type[models.Model]) -> QuerySet:
    rows = model._base_manager.all()
    if any(f.name == "deleted_at" for f in model._meta.concrete_fields):
        rows = rows.filter(deleted_at__isnull=True)
    return rows


def target_to_moderate(*, user, label: str, pk) -> models.Model:
    """An item `user` may moderate, hidden or not. Http404 if it is missing or they cannot
    even see it; PermissionDenied if they see it but it lives in a space they do not moderate."""
    from django.core.exceptions import PermissionDenied

    model = reportable_model(label)
    if model is None or not _is_member(user):
        raise Http404
    pk = _pk(pk)
    if model is User:
        found = User.objects.filter(pk=pk).exclude(email__endswith="@invalid").first()
        if found is None:
            raise Http404
        if not is_portal_staff(user):
            raise PermissionDenied
        return found
    found = _unfiltered(model).filter(pk=pk).first()
    if found is None:
        raise Http404
    if may_moderate(user=user, space=visibility.space_of(found)):
        return found
    if visibility.can_see(user, found):
        raise PermissionDenied
    raise Http404


def space_of_target(target: models.Model):
    if target._meta.label_lower == MEMBER_LABEL:
        return None
    return visibility.space_of(target)


def _load(keys: set[tuple[int, int]], *, depth: int = 2) -> dict[tuple[int, int], models.Model]:
    """The rows named by (content type id, pk), one query per content type, with the relations
    they are shown with; generic parents (a comment's discussion) are loaded the same way so
    that a link to the item needs no query of its own."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for type_id, pk in keys:
        by_type[type_id].add(pk)
    found: dict[tuple[int, int], models.Model] = {}
    for type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        shown = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and f.name in _SHOWN_RELATIONS
        ]
        for row in _unfiltered(model).filter(pk__in=pks).select_related(*shown):
            found[(type_id, row.pk)] = row
        if depth > 1:
            _load_parents(model, [found[(type_id, pk)] for pk in pks if (type_id, pk) in found])
    return found


def _load_parents(model: type[models.Model], rows: list[models.Model]) -> None:
    for gfk in model._meta.private_fields:
        if not isinstance(gfk, GenericForeignKey):
            continue
        type_field = model._meta.get_field(gfk.ct_field)
        keys = {
            (getattr(row, type_field.attname), getattr(row, gfk.fk_field))
            for row in rows
            if getattr(row, type_field.attname) is not None
        }
        parents = _load(keys, depth=1)
        for row in rows:
            key = (getattr(row, type_field.attname), getattr(row, gfk.fk_field))
            gfk.set_cached_value(row, parents.get(key))


def author_of(target: models.Model):
    if target._meta.label_lower == MEMBER_LABEL:
        return target
    for name in ("author", "uploaded_by", "created_by"):
        if hasattr(target, name):
            return getattr(target, name)
    return None


def _link_of(target: models.Model) -> str:
    try:
        if target._meta.label_lower == MEMBER_LABEL:
            return reverse("accounts:person", kwargs={"pk": target.pk})
        if hasattr(target, "get_absolute_url"):
            return target.get_absolute_url()
    except NoReverseMatch:
        pass
    return ""


@dataclass
class Item:
    """A reported thing with the reports about it, as the queue shows it."""

    label: str
    pk: int
    target: models.Model | None
    space: object
    reports: list[Report] = field(default_factory=list)
    # A decision on this item that was refused, and what the moderator had written.
    errors: list[str] = field(default_factory=list)
    posted: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def is_member(self) -> bool:
        return self.label == MEMBER_LABEL

    @property
    def kind(self) -> str:
        if self.is_member:
            return str(_("member"))
        model = type(self.target) if self.target is not None else None
        return str(model._meta.verbose_name) if model is not None else self.label

    @property
    def title(self) -> str:
        if self.target is None:
            return ""
        if self.is_member:
            return str(self.target)
        return getattr(self.target, "title", "") or getattr(self.target, "name", "")

    @property
    def html(self) -> SafeString:
        if self.target is None or self.is_member:
            return SafeString("")
        text = getattr(self.target, "body", "") or getattr(self.target, "description", "")
        return richtext.render(text)

    @property
    def author(self):
        return author_of(self.target) if self.target is not None else None

    @property
    def link(self) -> str:
        return _link_of(self.target) if self.target is not None else ""

    @property
    def hidden_at(self):
        return getattr(self.target, "hidden_at", None)

    @property
    def author_blocked(self) -> bool:
        author = self.author
        return author is not None and author.status == MemberStatus.BLOCKED


def _items(reports: list[Report]) -> list[Item]:
    targets = _load({(r.target_type_id, r.target_id) for r in reports})
    items: dict[tuple[int, int], Item] = {}
    for report in reports:
        key = (report.target_type_id, report.target_id)
        if key not in items:
            items[key] = Item(
                label=_label(report.target_type),
                pk=report.target_id,
                target=targets.get(key),
                space=report.space,
            )
        items[key].reports.append(report)
    return list(items.values())


def _label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def queue(*, user) -> list[Item]:
    """The open reports `user` may decide, one item per reported thing, the most reported
    first, then the oldest report first."""
    reports = list(
        reports_to_moderate(user=user).filter(status=ReportStatus.OPEN).order_by("created_at")
    )
    items = _items(reports)
    items.sort(key=lambda item: (-item.count, item.reports[0].created_at))
    return items


def resolved(*, user, limit: int = 50) -> list[Item]:
    """The latest decisions `user` may see, newest first, grouped like the queue."""
    reports = list(
        reports_to_moderate(user=user)
        .filter(status=ReportStatus.RESOLVED)
        .order_by("-decided_at", "-pk")[:limit]
    )
    return _items(reports)


def open_reports_by_key(*, user, label: str, pk: int) -> QuerySet[Report]:
    """The open reports `user` may decide about the item named by `label` and `pk`, also when
    the item itself is gone (deleted by its author after it was reported)."""
    app_label, _dot, model = (label or "").lower().partition(".")
    return reports_to_moderate(user=user).filter(
        status=ReportStatus.OPEN,
        target_type__app_label=app_label,
        target_type__model=model,
        target_id=pk,
    )


def open_reports_about(target: models.Model) -> QuerySet[Report]:
    return Report.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        status=ReportStatus.OPEN,
    )
