"""REST API of this module (registered on the portal's scoped API router)."""

from __future__ import annotations


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
