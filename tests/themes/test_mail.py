"""E-mails carry their portal's branding: sender, colours, signature, canonical links, language."""

from __future__ import annotations

from email.header import decode_header, make_header

from django.db import connection

from accounts.services import user_invite
from tenants.services import portal_provision
from tests.conftest import in_portal
from themes.services import theme_publish, theme_set, theme_update_draft


def test_invitations_from_two_portals_differ_in_branding_and_links(
    db, portal_a, portal_b, mailoutbox, django_capture_on_commit_callbacks
):
    with in_portal(portal_a), django_capture_on_commit_callbacks(execute=True):
        theme_set(site_name="Klimanetz Alpha", preset="climate", actor_label="tests")
        theme_update_draft(email_sender_name="Klimanetz Alpha", email_signature="Euer Klimateam")
        theme_publish(actor_label="tests")
        user_invite(email="neu@alpha.example")
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        theme_set(site_name="Bürgernetz Beta", preset="city", language="en", actor_label="tests")
        user_invite(email="new@beta.example")
    alpha, beta = mailoutbox
    assert alpha.from_email == '"Klimanetz Alpha" <noreply@localhost>'
    assert beta.from_email == '"Bürgernetz Beta" <noreply@localhost>'
    sent_from = str(make_header(decode_header(str(beta.message()["From"]))))
    assert "Bürgernetz Beta" in sent_from and "noreply@localhost" in sent_from
    alpha_html, beta_html = alpha.alternatives[0][0], beta.alternatives[0][0]
    assert "#1b5e20" in alpha_html and "#0d47a1" in beta_html
    assert "#0d47a1" not in alpha_html and "#1b5e20" not in beta_html
    assert "http://alpha.localhost:8000/accounts/set-password/" in alpha.body
    assert "http://beta.localhost:8000/accounts/set-password/" in beta.body
    assert "alpha.localhost" not in beta.body + beta_html
    assert "Euer Klimateam" in alpha.body and "Euer Klimateam" in alpha_html
    assert alpha.subject == "Deine Einladung zu Klimanetz Alpha"
    assert beta.subject == "Your invitation to Bürgernetz Beta"
    assert connection.schema_name == "public"


def test_portal_default_language_applies_to_visitors_without_a_preference(db, client_b, portal_b):
    with in_portal(portal_b):
        theme_set(site_name="Beta", preset="city", language="en", actor_label="tests")
    from django.core.cache import cache

    cache.clear()
    assert 'lang="en"' in client_b.get("/").content.decode()
    assert 'lang="de"' in client_b.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_new_portal_starts_in_its_language(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        portal_provision(
            name="Portal English",
            subdomain="english",
            admin_email="a@en.example",
            language="en",
            actor_label="tests",
        )
    assert mailoutbox[0].subject == "Your invitation to Portal English"
