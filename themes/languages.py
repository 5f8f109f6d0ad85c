"""Which languages a request is served in: the portal's offered languages and its default.

Every portal offers a non-empty subset of settings.LANGUAGES (its theme's `offered_languages`)
and has a default among them. A visitor's stated language (the switcher's cookie, then the
browser's Accept-Language) counts only when the portal offers it; otherwise the portal's default
applies. The platform site, the operator console and a portal's admin area (/manage/) have German
and English catalogues only (docs/languages.md), so there a request in another language falls back
to English, or to the portal's default where that is German or English.

Nothing here raises: a theme with unknown or missing codes (an old published version, a hand-made
row) is read as offering German and English with German as its default.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation.trans_real import parse_accept_lang_header

ADMIN_LANGUAGES = ("de", "en")
ADMIN_PREFIXES = ("/manage/", "/operator/")


def all_codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def normalise(offered, default: str) -> tuple[tuple[str, ...], str]:
    """(offered, default) cleaned: known codes in settings order, the default among them."""
    known = all_codes()
    chosen = set(offered or ())
    codes = tuple(code for code in known if code in chosen) or ADMIN_LANGUAGES
    if default not in codes:
        default = codes[0]
    return codes, default


def portal_languages(portal=None) -> tuple[tuple[str, ...], str]:
    """The current portal's (offered languages, default) from its published theme."""
    from themes.selectors import published_theme

    theme = published_theme()
    default = theme.get("default_language") or getattr(portal, "language", "") or "de"
    return normalise(theme.get("offered_languages") or ADMIN_LANGUAGES, default)


def stated_language(request, offered: tuple[str, ...]) -> str:
    """The first language the visitor asked for that is offered, or ""."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in offered:
        return cookie
    for tag, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        code = tag.lower().split("-")[0]
        if code in offered:
            return code
    return ""


def restricted_to_admin_languages(path: str, portal) -> bool:
    return portal is None or path.startswith(ADMIN_PREFIXES)


def admin_fallback(language: str, default: str) -> str:
    """The language of a page that exists in German and English only."""
    if language in ADMIN_LANGUAGES:
        return language
    return default if default in ADMIN_LANGUAGES else "en"
