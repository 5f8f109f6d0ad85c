"""Access classes of this module's routes (merged into core.access.ROUTES).

Documents are internal to their space: every route needs a login (visitors are sent to log
in), and documents.selectors then answers 404 to members who are not in the space."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "documents:list": Access.MEMBER,
    "documents:upload": Access.MEMBER,
    "documents:folder_create": Access.MEMBER,
    "documents:folder": Access.MEMBER,
    "documents:folder_delete": Access.MEMBER,  # the service allows creator and moderators
    "documents:detail": Access.MEMBER,
    "documents:version_add": Access.MEMBER,
    "documents:delete": Access.MEMBER,  # the service allows uploader and moderators
    "documents:download": Access.MEMBER,
    "documents:download_version": Access.MEMBER,
    "documents-list": Access.MEMBER,
    "documents-detail": Access.MEMBER,
}
