"""Template context: the current portal (None on the platform site) and its theme."""

from __future__ import annotations


def portal(request) -> dict:
    current = getattr(request, "portal", None)
    if current is None:
        from tenants.selectors import platform_page_kinds

        return {"portal": None, "theme": None, "platform_pages": platform_page_kinds()}
    from themes.selectors import theme_for_request

    return {"portal": current, "theme": theme_for_request(request)}
