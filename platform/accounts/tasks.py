"""Account e-mails, sent from the worker in the schema of the portal the task was sent from.

A task runs again when its worker died before acknowledging it; themes.mail sends each of its
mails once per task, so a rerun sends only what had not gone out."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from themes.mail import send_themed_mail, themed_context

logger = logging.getLogger(__name__)


@shared_task
def send_invitation(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        logger.warning("Invitation for user %s skipped: the account no longer exists.", user_id)
        return
    base_url = themed_context()["portal_url"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    send_themed_mail(
        to=user.email,
        template="accounts/email/invitation",
        context={
            "user": user,
            "set_password_url": f"{base_url}accounts/set-password/{uid}/{token}/",
        },
        language=user.language,
    )
    logger.info("Invitation sent to user %s.", user.pk)


@shared_task
def notify_admins_member_limit() -> int:
    """Someone could not register because the plan's member limit is reached: tell the admins."""
    from accounts.selectors import active_admins

    admins = list(active_admins())
    base_url = themed_context()["portal_url"]
    for admin in admins:
        send_themed_mail(
            to=admin.email,
            template="accounts/email/member_limit",
            context={"billing_url": f"{base_url}manage/billing/"},
            language=admin.language,
        )
    return len(admins)
