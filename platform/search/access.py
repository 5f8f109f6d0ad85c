"""Access classes of this module's routes (merged into core.access.ROUTES)."""

from core.access import Access

ROUTES: dict[str, Access] = {
    # Everyone; every hit comes from the searcher's own visibility selectors.
    "search:results": Access.PUBLIC,
}
