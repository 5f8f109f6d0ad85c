"""Access classes of this module's routes (merged into core.access.ROUTES)."""

from core.access import Access

ROUTES: dict[str, Access] = {}
