"""Documents (Professional module "documents", needs "spaces"): files in a space's folders,
with versions, stored in the portal's media storage and served only through
documents.views.download after the visibility selector (documents.selectors) said yes.

Documents are internal: only the space's active members and the portal's moderators and
administrators see them, even in a public space. Uploads count against the portal's storage
quota and are refused whole when they do not fit. See documents.services for who may write
and how deletion and purging work.
"""
