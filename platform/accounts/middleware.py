"""Who may see what before anything else runs.

- A members-only portal shows visitors its start page, the legal pages and the way in, nothing
  else: every other page sends them to the login page. (What the start page itself lists is
  decided by the selectors, which show visitors nothing internal there.)
- Two-factor login is required for platform staff in the operator console and for a portal's
  admins in its admin area where the portal requires it: without an authenticator set up, those
  pages send them to set one up first."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login

# Paths a visitor of a members-only portal may open: the way in, the legal pages, assets.
OPEN_PREFIXES = (
    "/accounts/",
    "/invitation/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/theme/",
    "/static/",
    "/media/",
    "/i18n/",
    "/healthz",
    # A mail's one-click unsubscribe link: the signed token is the authentication (RFC 8058).
    "/notifications/unsubscribe/",
)
# Under /accounts/ but about members, not the way in.
MEMBER_PREFIXES = ("/accounts/people/",)


class MembersOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(request, "portal", None) is not None
            and not request.user.is_authenticated
            and request.path != "/"
            and (
                not request.path.startswith(OPEN_PREFIXES)
                or request.path.startswith(MEMBER_PREFIXES)
            )
        ):
            from accounts.selectors import membership_policy

            if membership_policy().members_only:
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


MFA_SETUP_URL = "/accounts/2fa/"  # allauth's page: an authenticator app or a security key


class RequiredMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._required(request):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(request.user):
                from django.contrib import messages
                from django.shortcuts import redirect
                from django.utils.http import urlencode
                from django.utils.translation import gettext as _

                messages.info(
                    request,
                    _("Please set up two-factor login first: these pages require it."),
                )
                return redirect(f"{MFA_SETUP_URL}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _required(request) -> bool:
        if getattr(request, "portal", None) is None:
            return request.path.startswith("/operator/") and request.user.is_staff
        if not request.path.startswith("/manage/") or not getattr(
            request.user, "is_portal_admin", False
        ):
            return False
        from accounts.selectors import membership_policy

        return membership_policy().admin_mfa_required


class MemberLanguageMiddleware:
    """A member's chosen language wins over the browser's and the portal's, unless they just
    picked another one with the language switcher (its cookie), and only while the portal offers
    it (a portal may stop offering a language its members chose). Runs after authentication and
    after themes.middleware.PortalLocaleMiddleware, which sets request.offered_languages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        from themes import languages

        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        offered = getattr(request, "offered_languages", languages.ADMIN_LANGUAGES)
        if (
            language in offered
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) not in offered
        ):
            portal = getattr(request, "portal", None)
            if languages.restricted_to_admin_languages(request.path, portal):
                language = languages.admin_fallback(
                    language, getattr(request, "default_language", "de")
                )
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class LastSeenMiddleware:
    """Remembers when a member was last here (for the members list and statistics), at most
    once an hour per member, so that a busy member costs one write an hour, not one a page."""

    EVERY = 60 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and getattr(request, "portal", None) is not None:
            from django.utils import timezone

            now = timezone.now()
            seen = user.last_seen_at
            if seen is None or (now - seen).total_seconds() > self.EVERY:
                from accounts.models import User

                User.objects.filter(pk=user.pk).update(last_seen_at=now)
                user.last_seen_at = now
        return self.get_response(request)
