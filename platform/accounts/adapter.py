"""django-allauth, fitted to portals: every account it creates goes through our services, its
mails look like the portal and link to the portal's canonical address.

- Sign-up exists on portal hosts only, and not under the "invitation only" policy; the
  registration policy, the duplicate-address rule and the plan's member limit are checked before
  the sign-up form is accepted (accounts.forms.SignupForm, accounts.services.registration_check),
  with a message for the person.
- The new account is made by `accounts.services.user_register` (accounts.forms.SignupForm):
  audit row, approval status.
- Mails: the portal's themed layout and sender; every link in them is rebuilt on the portal's
  canonical base URL, whatever Host or X-Forwarded-Host the request carried.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import connection
from django.http import HttpRequest

from accounts import services
from core.services import in_public_schema


def canonical_url(url: str) -> str:
    """`url` with scheme and host replaced by the current portal's canonical base URL."""
    portal = getattr(connection, "tenant", None)
    if not url or getattr(portal, "uid", None) is None:
        return url
    from tenants.selectors import portal_base_url

    parts = urlsplit(url)
    base = portal_base_url(portal).rstrip("/")
    return f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        if getattr(request, "portal", None) is None or in_public_schema():
            return False
        from accounts.models import RegistrationPolicy
        from accounts.selectors import membership_policy

        return membership_policy().registration != RegistrationPolicy.INVITATION

    def clean_email(self, email: str) -> str:
        # Every form (sign-up, reset, e-mail change) sees one form of an address.
        return super().clean_email(services.email_normalise(email))

    def pre_login(self, request, user, **kwargs):
        # A new member awaiting approval cannot log in yet, but confirms the address meanwhile.
        from accounts.models import MemberStatus

        if kwargs.get("signup") and getattr(user, "status", "") == MemberStatus.PENDING:
            from allauth.account.internal.flows.email_verification import (
                send_verification_email_to_address,
            )
            from allauth.account.models import EmailAddress

            address = EmailAddress.objects.filter(user=user, verified=False).first()
            if address is not None:
                send_verification_email_to_address(request, address, signup=True)
        return super().pre_login(request, user, **kwargs)

    def respond_user_inactive(self, request, user):
        from django.shortcuts import render

        return render(request, "account/account_inactive.html", {"inactive_user": user})

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        for key in ("activate_url", "password_reset_url", "signup_url"):
            if key in context:
                context[key] = canonical_url(context[key])
        if in_public_schema():
            return super().send_mail(template_prefix, email, context)
        from django.template.loader import render_to_string

        from themes.mail import send_themed_text, themed_context

        full = {**themed_context(), **context, "email": email}
        subject = render_to_string(f"{template_prefix}_subject.txt", full)
        text = render_to_string(f"{template_prefix}_message.txt", full)
        send_themed_text(to=email, subject=subject, text=text)

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ):
        # The page after logging in shows who is logged in; a "signed in as" note adds nothing.
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        return canonical_url(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return canonical_url(super().get_email_confirmation_url(request, emailconfirmation))


class PortalMfaAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        """The authenticator app lists the portal by its name (or the platform's)."""
        portal = getattr(connection, "tenant", None)
        if getattr(portal, "uid", None) is not None:
            return portal.name
        return "Allmende"

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        """Each portal is its own relying party: the host the browser is on (without the port)
        is its id, the portal's name (or the platform's) what the security key shows."""
        entity = super().get_public_key_credential_rp_entity()
        return {**entity, "name": self.get_totp_issuer()}
