"""Groups and projects ("spaces"): where members of a portal organise themselves.

A space has a visibility (public, portal members, private) and a joining rule (open, by
request, by invitation). `spaces.selectors.spaces_visible_to` is the one answer to "which spaces
may this person see"; all content inside a space (discussions, documents, ...) is scoped through
it by `core.visibility`. The whole module sits behind the `spaces` feature: switched off, its
pages are 404 and its selectors return nothing, but nothing is deleted.
"""
