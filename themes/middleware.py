"""Language per portal: the visitor's choice, then their browser's, then the portal's default,
always within the languages the portal offers (themes.languages).

Django's LocaleMiddleware accepts any language of settings.LANGUAGES and falls back to the global
LANGUAGE_CODE; a portal offers only some of them and chooses its own default, so the choice is
made here. Its response half (Content-Language, Vary) is Django's. Pages that exist in German and
English only (platform site, operator console, admin area) fall back to one of those.
"""

from __future__ import annotations

from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from themes import languages


class PortalLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        portal = getattr(request, "portal", None)
        if portal is None:
            offered, default = languages.ADMIN_LANGUAGES, "de"
        else:
            offered, default = languages.portal_languages(portal)
        language = languages.stated_language(request, offered) or default
        admin_only = languages.restricted_to_admin_languages(request.path, portal)
        if admin_only:
            language = languages.admin_fallback(language, default)
        request.offered_languages = offered
        # The switcher lists what this page can be shown in.
        request.switcher_languages = languages.ADMIN_LANGUAGES if admin_only else offered
        request.default_language = default
        translation.activate(language)
        request.LANGUAGE_CODE = language
