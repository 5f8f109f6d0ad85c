"""A members-only portal shows visitors its start page, the legal pages and the way in, nothing
else: every other page sends them to the login page. (What the start page itself lists is
decided by the selectors, which show visitors nothing internal there.)"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login

# Paths a visitor of a members-only portal may open: the way in, the legal pages, assets.
OPEN_PREFIXES = (
    "/accounts/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/theme/",
    "/static/",
    "/media/",
    "/i18n/",
    "/healthz",
)


class MembersOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(request, "portal", None) is not None
            and not request.user.is_authenticated
            and request.path != "/"
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            from accounts.selectors import membership_policy

            if membership_policy().members_only:
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
