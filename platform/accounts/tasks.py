"""Account e-mails, sent from the worker in the schema of the portal the task was sent from."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User

logger = logging.getLogger(__name__)


@shared_task
def send_invitation(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        logger.warning("Invitation for user %s skipped: the account no longer exists.", user_id)
        return
    from tenants.selectors import portal_base_url

    portal = connection.tenant
    base_url = portal_base_url(portal)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "portal_name": portal.name,
        "set_password_url": f"{base_url}accounts/set-password/{uid}/{token}/",
        "portal_url": base_url,
    }
    with translation.override(user.language or portal.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    logger.info("Invitation sent to user %s.", user.pk)
