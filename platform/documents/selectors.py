"""Which folders and documents a person may see: the one place that decides.

Documents are internal to their space, whatever the space's visibility: even in a public
space only its active members see them, plus the portal's moderators and administrators
(who answer for the whole portal). On top of that the space itself must be visible
(spaces.selectors.spaces_visible_to) and the `documents` module on. Hidden (moderated)
documents are shown only to those who may moderate the space; soft-deleted ones to nobody.
Anything else is the same 404 as a document that does not exist.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from documents.models import Document, DocumentVersion, Folder
from features.selectors import enabled_here
from spaces.models import MembershipStatus, SpaceMembership, SpaceRole
from spaces.selectors import is_portal_staff, spaces_visible_to

FEATURE = "documents"


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _readable_spaces(user):
    """Visible spaces whose documents `user` may read: staff all of them, others their own."""
    spaces = spaces_visible_to(user=user)
    if is_portal_staff(user):
        return spaces
    return spaces.filter(
        Exists(
            SpaceMembership.objects.filter(
                space=OuterRef("pk"), user=user, status=MembershipStatus.ACTIVE
            )
        )
    )


def folders_visible_to(*, user) -> QuerySet[Folder]:
    if not enabled_here(FEATURE) or not _is_member(user):
        return Folder.objects.none()
    return Folder.objects.filter(space__in=_readable_spaces(user))


def documents_visible_to(*, user) -> QuerySet[Document]:
    if not enabled_here(FEATURE) or not _is_member(user):
        return Document.objects.none()
    documents = Document.objects.filter(deleted_at__isnull=True, space__in=_readable_spaces(user))
    if is_portal_staff(user):
        return documents
    moderated = SpaceMembership.objects.filter(
        user=user, status=MembershipStatus.ACTIVE, role=SpaceRole.ADMIN
    ).values("space")
    return documents.filter(Q(hidden_at__isnull=True) | Q(space__in=moderated))


def space_for(*, user, slug: str):
    """The space at `slug` if `user` may read its documents; Http404 otherwise (missing, not
    visible, or visible but `user` is not one of its members)."""
    if not enabled_here(FEATURE) or not _is_member(user):
        raise Http404("No such space.")
    return get_object_or_404(_readable_spaces(user), slug=slug)


def with_listing(documents: QuerySet[Document]) -> QuerySet[Document]:
    """`documents` annotated for a list: version count, latest size and time, uploader."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return documents.select_related("space", "created_by", "folder").annotate(
        version_count=Count("versions", distinct=True),
        latest_size=Subquery(latest.values("size")[:1]),
        latest_at=Subquery(latest.values("created_at")[:1]),
        latest_number=Subquery(latest.values("number")[:1]),
        latest_content_type=Subquery(latest.values("content_type")[:1]),
    )


def space_documents(*, user, space, folder: Folder | None) -> QuerySet[Document]:
    """The documents of `space` directly in `folder` (None: at the top), for its page."""
    return with_listing(documents_visible_to(user=user).filter(space=space, folder=folder))


def space_folders(*, user, space, parent: Folder | None) -> QuerySet[Folder]:
    return folders_visible_to(user=user).filter(space=space, parent=parent).select_related("space")


def space_all_folders(*, user, space) -> QuerySet[Folder]:
    """Every folder of `space`, for choosing where an upload goes."""
    return folders_visible_to(user=user).filter(space=space)


def folder_for(*, user, space, pk: int) -> Folder:
    return get_object_or_404(
        folders_visible_to(user=user).select_related("space", "parent__space"), space=space, pk=pk
    )


def document_for(*, user, space, pk: int) -> Document:
    """The document `pk` of `space` if `user` may see it; Http404 otherwise."""
    queryset = documents_visible_to(user=user).select_related(
        "space", "folder__space", "created_by"
    )
    return get_object_or_404(queryset, space=space, pk=pk)


def versions_of(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


def version_for(*, user, space, pk: int, number: int | None = None) -> DocumentVersion:
    """A version (default: the latest) of a document `user` may see; Http404 otherwise."""
    document = document_for(user=user, space=space, pk=pk)
    versions = DocumentVersion.objects.filter(document=document).select_related("document")
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise Http404("No such version.")
    return version


def with_versions(documents: QuerySet[Document]) -> QuerySet[Document]:
    """`documents` with their space, author and every version (newest first) in two queries:
    for the API, whatever the number of documents."""
    from django.db.models import Prefetch

    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-number")
    return documents.select_related("space", "created_by").prefetch_related(
        Prefetch("versions", queryset=versions)
    )
