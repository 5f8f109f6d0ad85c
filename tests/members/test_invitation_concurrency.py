"""The same invitation link sent twice at the same moment (a double click, two tabs): the
invitation row is locked, so the second waits for the first, finds the invitation used and is
refused; one account is made. Runs on committed data (the two browsers are separate
connections) and cleans up after itself."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from core.models import AuditEvent
from members import services
from members.models import Invitation
from tests.accounts.factories import admin_of
from tests.concurrency import hold_and_wait
from tests.conftest import in_portal

NEW_PASSWORD = "Deichkrone-am-Morgen-7"


@pytest.fixture(autouse=True)
def _invitation_page_mounted(settings):
    settings.ROOT_URLCONF = "tests.members.urls_with_invitations"


def _accounts(portal, email: str) -> list[User]:
    with in_portal(portal):
        return list(User.objects.filter(email__iexact=email))


def test_the_same_link_accepted_twice_at_once_makes_one_account(committed, portal_a):
    mail.outbox = []
    with in_portal(portal_a):
        inviter = admin_of(portal_a, email="race-admin@alpha.example")
    with in_portal(portal_a):
        invitation = services.invitation_create(email="race@example.org", actor=inviter)
    token = re.search(r"/invitation/([\w-]+)/", mail.outbox[-1].body).group(1)

    def first_browser():
        with in_portal(portal_a):
            services.invitation_accept(token=token, password=NEW_PASSWORD, display_name="Eins")
        return "accepted"

    def second_browser():
        with in_portal(portal_a):
            services.invitation_accept(token=token, password=NEW_PASSWORD, display_name="Zwei")
        return "accepted"

    try:
        first, second = hold_and_wait(first_browser, second_browser)
        assert first == "accepted", first
        assert isinstance(second, services.InvitationUnusable), second
        assert second.reason == "accepted"
        [account] = _accounts(portal_a, "race@example.org")
        assert account.display_name == "Eins"
    finally:
        with in_portal(portal_a):
            users = list(User.objects.filter(email__in=["race@example.org", inviter.email]))
            AuditEvent.objects.filter(
                object_type="members.invitation", object_id=str(invitation.pk)
            ).delete()
            AuditEvent.objects.filter(
                object_type="accounts.user", object_id__in=[str(u.pk) for u in users]
            ).delete()
            Invitation.objects.filter(pk=invitation.pk).delete()
            User.objects.filter(pk__in=[u.pk for u in users]).delete()
    assert _accounts(portal_a, "race@example.org") == []
