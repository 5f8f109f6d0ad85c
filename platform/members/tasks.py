"""Invitation e-mails, sent from the worker in the schema of the portal the task was sent from.
Links point at the portal's canonical address, whatever host the admin used.

Tasks are acknowledged late, so one may run again after its worker died; each mail goes out
once per task (themes.mail), and a rerun does not replace the link of a mail already sent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection
from django.urls import reverse

from accounts.selectors import active_admins
from members import selectors, services
from tenants.selectors import portal_base_url
from themes.mail import already_sent, send_themed_mail

logger = logging.getLogger(__name__)


INVITATION_TEMPLATE = "members/email/invitation"


def _url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


@shared_task
def send_invitation_link(*, invitation_id: int) -> None:
    """Mail the invitation with a new link (services.invitation_token_issue), in the portal's
    language. Skipped if the invitation was accepted, withdrawn or has expired meanwhile."""
    earlier = selectors.invitation_by_pk(invitation_id)
    if earlier is not None and already_sent(to=earlier.email, template=INVITATION_TEMPLATE):
        # A rerun of this task: a new token would break the link in the mail that went out.
        services.invitation_mark_sent(invitation=earlier)
        logger.info("Invitation %s was sent before this task was redelivered.", invitation_id)
        return
    issued = services.invitation_token_issue(invitation_id=invitation_id)
    if issued is None:
        logger.info("Invitation %s not sent: it can no longer be accepted.", invitation_id)
        return
    invitation, token = issued
    base_url = portal_base_url(connection.tenant)
    send_themed_mail(
        to=invitation.email,
        template=INVITATION_TEMPLATE,
        context={
            "invitation": invitation,
            "accept_url": _url(base_url, reverse("invitations:accept", kwargs={"token": token})),
        },
    )
    services.invitation_mark_sent(invitation=invitation)
    logger.info("Invitation %s sent.", invitation.pk)


@shared_task
def notify_admins_renewal_request(*, invitation_id: int) -> int:
    """Tell the portal's administrators that someone with an expired invitation asks for a new
    one, with a link to the expired invitations (where "Send again" is)."""
    invitation = selectors.invitation_by_pk(invitation_id)
    if invitation is None:
        return 0
    base_url = portal_base_url(connection.tenant)
    list_url = _url(base_url, reverse("members:invitations") + "?status=expired")
    admins = list(active_admins())
    for admin in admins:
        send_themed_mail(
            to=admin.email,
            template="members/email/renewal_request",
            context={"invitation": invitation, "invitations_url": list_url},
            language=admin.language,
        )
    return len(admins)
