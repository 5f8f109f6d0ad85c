"""Mail at once: only for kinds a member wants at once, in their language, each notification
once, with a one-click unsubscribe link that works on its own portal only."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from core.event_types import EventType
from notifications import delivery, selectors, services
from notifications.models import Delivery, Notification
from notifications.tokens import unsubscribe_token
from tests.accounts.factories import host_of, member_of
from tests.conftest import in_portal
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox = []


def _notify(portal, actor, recipients, *, event_type=EventType.MEMBER_MENTIONED, **fields):
    fields.setdefault("title", "Anna mentioned you")
    with in_portal(portal):
        space = space_of(name="Garden")
        return services.notify(
            event_type=event_type, actor=actor, target=space, recipients=recipients, **fields
        )


def test_mention_is_mailed_at_once_with_unsubscribe_headers(
    portal_a, django_capture_on_commit_callbacks
):
    actor, member = member_of(portal_a), member_of(portal_a, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        made = _notify(portal_a, actor, [member], excerpt="See the plan")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "Anna mentioned you"
    assert "See the plan" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<https?://alpha\.[^/]+/notifications/unsubscribe/[^/]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in message.body
    with in_portal(portal_a):
        assert Notification.objects.get(pk=made[0].pk).emailed_at is not None


def test_daily_kinds_and_none_are_not_mailed_at_once(portal_a, django_capture_on_commit_callbacks):
    actor, daily, off = member_of(portal_a), member_of(portal_a), member_of(portal_a)
    with in_portal(portal_a):
        services.notification_settings_update(user=off, default=Delivery.NONE, overrides={})
    with django_capture_on_commit_callbacks(execute=True):
        _notify(portal_a, actor, [daily], event_type=EventType.THREAD_CREATED)
        _notify(portal_a, actor, [off])
    assert mail.outbox == []
    with in_portal(portal_a):
        assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_override_at_once_for_a_daily_kind_is_respected(
    portal_a, django_capture_on_commit_callbacks
):
    actor, member = member_of(portal_a), member_of(portal_a)
    with in_portal(portal_a):
        services.notification_settings_update(
            user=member, default="daily", overrides={EventType.THREAD_CREATED: "immediate"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        _notify(portal_a, actor, [member], event_type=EventType.THREAD_CREATED)
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_rerun_sends_nothing_twice(portal_a, django_capture_on_commit_callbacks):
    actor, member = member_of(portal_a), member_of(portal_a)
    with django_capture_on_commit_callbacks(execute=True):
        made = _notify(portal_a, actor, [member])
    with in_portal(portal_a):
        assert delivery.send_immediate([n.pk for n in made]) == 0
    assert len(mail.outbox) == 1


def test_mail_is_in_the_recipients_language(portal_a, django_capture_on_commit_callbacks):
    actor, member = member_of(portal_a), member_of(portal_a, language="de")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(portal_a, actor, [member])
    assert "Anna mentioned you" in mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    assert 'lang="de"' in html


def test_markup_is_escaped_in_html_and_kept_as_typed_in_text(
    portal_a, django_capture_on_commit_callbacks
):
    actor, member = member_of(portal_a), member_of(portal_a)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(
            portal_a,
            actor,
            [member],
            title="Tom & <b>Jerry</b>",
            excerpt="<script>alert(1)</script>",
        )
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in message.body
    assert message.subject == "Tom & <b>Jerry</b>"


def _token(portal, user) -> str:
    with in_portal(portal):
        return unsubscribe_token(user)


def test_unsubscribe_link_shows_a_confirmation_then_stops_mail(portal_a):
    member = member_of(portal_a)
    token = _token(portal_a, member)
    client = Client(
        HTTP_HOST=host_of(portal_a), HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True
    )
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200 and b"<button" in page.content
    with in_portal(portal_a):
        assert selectors.delivery_of(user=member, event_type="thread.created") == "daily"
    # RFC 8058: the mail program posts without a session or a CSRF token.
    response = client.post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert b"no more notification e-mails" in response.content
    with in_portal(portal_a):
        for event_type in selectors.CONFIGURABLE_TYPES:
            assert selectors.delivery_of(user=member, event_type=event_type) == Delivery.NONE


def test_unsubscribe_link_of_portal_a_is_useless_on_portal_b(portal_a, portal_b):
    member_a = member_of(portal_a)
    member_b = member_of(portal_b)
    token = _token(portal_a, member_a)
    client_b = Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    assert client_b.post(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert client_b.get(f"/notifications/unsubscribe/{token}/").status_code == 404
    # Positive control: B's own link for B's member works on B.
    own = _token(portal_b, member_b)
    assert client_b.post(f"/notifications/unsubscribe/{own}/").status_code == 200
    with in_portal(portal_a):
        assert selectors.delivery_of(user=member_a, event_type="thread.created") == "daily"


def test_tampered_unsubscribe_token_is_refused(portal_a):
    member, other = member_of(portal_a), member_of(portal_a)
    token = _token(portal_a, member)
    signature = token.partition(":")[2]
    forged = _token(portal_a, other).partition(":")[0] + ":" + signature
    client = Client(HTTP_HOST=host_of(portal_a))
    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
        assert client.post(f"/notifications/unsubscribe/{bad}/").status_code == 404
    with in_portal(portal_a):
        assert selectors.delivery_of(user=other, event_type="thread.created") == "daily"
        assert selectors.delivery_of(user=member, event_type="thread.created") == "daily"
