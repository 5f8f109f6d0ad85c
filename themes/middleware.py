"""Language per portal: the visitor's choice, then their browser's, then the portal's default.

Django's LocaleMiddleware falls back to the global LANGUAGE_CODE; a portal's admins choose its
default language in the theme, and that is the better fallback for visitors who state nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        super().process_request(request)
        portal = getattr(request, "portal", None)
        stated = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or request.META.get(
            "HTTP_ACCEPT_LANGUAGE"
        )
        if portal is None or stated:
            return
        from themes.selectors import published_theme

        language = published_theme().get("default_language") or portal.language
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
