"""The first admin's invitation: a set-password link that works on its own portal only."""

from __future__ import annotations

import re

from django.test import Client

from accounts.models import Role, User
from core.event_types import EventType
from core.models import AuditEvent
from tenants.services import portal_provision
from tests.conftest import in_portal


def _provision_and_get_link(mailoutbox, django_capture_on_commit_callbacks, subdomain="gamma"):
    with django_capture_on_commit_callbacks(execute=True):
        result = portal_provision(
            name="Portal Gamma",
            subdomain=subdomain,
            admin_email="Chair@Gamma.example",
            language="en",
            actor_label="tests",
        )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["chair@gamma.example"]
    link = re.search(r"http://(\S+?)(/accounts/set-password/\S+/)", mail.body)
    assert link, mail.body
    return result.portal, link.group(1), link.group(2)


def test_invited_admin_sets_a_password_and_logs_in(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    portal, host, path = _provision_and_get_link(mailoutbox, django_capture_on_commit_callbacks)
    assert host == "gamma.localhost:8000"
    client = Client(HTTP_HOST="gamma.localhost")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert b'name="new_password1"' in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"},
    )
    assert response.status_code == 302
    login = client.post(
        "/accounts/login/", {"login": "chair@gamma.example", "password": "a-long-new-password"}
    )
    assert login.status_code == 302
    with in_portal(portal):
        admin = User.objects.get(email="chair@gamma.example")
        assert admin.role == Role.ADMIN
        assert admin.check_password("a-long-new-password")
    # The new admin is one: the admin pages open for them.
    assert client.get("/manage/features/").status_code == 200


def test_provisioning_is_in_the_public_log_and_the_first_theme_in_the_portals(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    portal, _host, _path = _provision_and_get_link(mailoutbox, django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(event_type=EventType.PORTAL_PROVISIONED, portal_id=portal.pk)
    assert (event.actor_id, event.actor_label, event.portal_name) == (None, "tests", "Portal Gamma")
    assert event.detail == {"subdomain": "gamma", "plan": "community"}
    with in_portal(portal):
        published = AuditEvent.objects.get(event_type=EventType.THEME_PUBLISHED)
        assert not AuditEvent.objects.filter(event_type=EventType.PORTAL_PROVISIONED).exists()
    assert (published.actor_id, published.actor_label, published.portal_id) == (
        None,
        "provisioning",
        None,
    )


def test_invitation_link_of_one_portal_is_invalid_on_another(
    db, portal_a, mailoutbox, django_capture_on_commit_callbacks
):
    _portal, _host, path = _provision_and_get_link(mailoutbox, django_capture_on_commit_callbacks)

    page = Client(HTTP_HOST="alpha.localhost").get(path, follow=True)
    own = Client(HTTP_HOST="gamma.localhost").get(path, follow=True)

    assert page.status_code == 200
    assert b'name="new_password1"' not in page.content
    # The same link opens the form on its own portal.
    assert own.status_code == 200
    assert b'name="new_password1"' in own.content


def test_invitation_mail_is_in_the_portals_language(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal_provision(
            name="Portal Delta",
            subdomain="delta",
            admin_email="a@delta.example",
            actor_label="tests",
        )
    assert mailoutbox[0].subject == "Deine Einladung zu Portal Delta"
