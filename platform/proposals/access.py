"""Access classes of this module's routes (merged into core.access.ROUTES).

A space's proposal pages, the portal's timeline, the feeds and the downloads are PUBLIC as a
class: the visibility selector decides (drafts only for the space's members, a members-only
portal shows visitors nothing). Drafting, co-signing, submitting and the step form need a login;
the services decide who may (the space's members and admins, the portal's moderators). The CSV
export is for the portal's moderators and administrators; the manage pages for its admins."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "council:list": Access.PUBLIC,
    "council:feed_rss": Access.PUBLIC,
    "council:feed_atom": Access.PUBLIC,
    "council:export": Access.MODERATOR,
    "proposals:space_list": Access.PUBLIC,
    "proposals:detail": Access.PUBLIC,
    "proposals:versions": Access.PUBLIC,
    "proposals:letter": Access.PUBLIC,
    "proposals:answer": Access.PUBLIC,
    "proposals:create": Access.MEMBER,
    "proposals:edit": Access.MEMBER,
    "proposals:cosign": Access.MEMBER,
    "proposals:unsign": Access.MEMBER,
    "proposals:submit": Access.MEMBER,  # the space's admins; the view answers 403
    "proposals:step": Access.MEMBER,  # portal moderators and admins; the view answers 403
    "proposals_manage:index": Access.ADMIN,
    "proposals_manage:threshold": Access.ADMIN,
    "proposals_manage:oparl": Access.ADMIN,
    "proposals_manage:body_create": Access.ADMIN,
    "proposals_manage:body_edit": Access.ADMIN,
    "proposals-list": Access.MEMBER,
    "proposals-detail": Access.MEMBER,
    "proposals-cosign": Access.MEMBER,
    "proposals-unsign": Access.MEMBER,
}
