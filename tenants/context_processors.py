"""Template context: the current portal (None on the platform site) and its theme."""

from __future__ import annotations


def portal(request) -> dict:
    current = getattr(request, "portal", None)
    if current is None:
        return {"portal": None, "theme": None}
    from themes.selectors import theme_for_request

    return {"portal": current, "theme": theme_for_request(request)}
