"""The attack corpus in every text field of spaces and what lives in them: a space's name,
place, description and goal, a join request's message, a thread's title and text, a comment,
a document's title and a report's text. Read back from the pages (as the space's admin, as a
moderator and as a visitor), the discussions feed, search, the moderators' queue, the
notifications list and their mails, and the API.

Plain-text fields must show each payload as typed; Markdown fields (descriptions, threads,
comments) are rendered and sanitised, so for them only "nothing was created" is asserted.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from tests.accounts.factories import host_of, logged_in_client
from tests.security import corpus
from tests.security.test_attack_corpus import (
    Report,
    check_html,
    check_mail,
    check_response,
    expect_text,
)

pytestmark = pytest.mark.django_db


def _fill(portal, report: Report):
    from comments.services import comment_create
    from discussions.services import thread_create
    from documents.services import document_upload
    from moderation.models import Reason
    from moderation.services import report_file
    from spaces.models import JoinPolicy, SpaceKind, SpaceMembership, SpaceVisibility
    from spaces.services import invitation_accept, space_create, space_invite, space_join

    with tenant_context(portal):
        owner = User.objects.create_user(email="owner@corpus.example", display_name="Olga Owner")
        moderator = User.objects.create_user(
            email="mod@corpus.example", display_name="Mo Moderator", role=Role.MODERATOR
        )
        asker = User.objects.create_user(email="asker@corpus.example", display_name="Asa Asker")
        replier = User.objects.create_user(email="re@corpus.example", display_name="Rea Replier")
        plain: dict[str, list[tuple[str, str]]] = {}  # payload id -> (field, url) shown as typed
        urls: set[str] = {"/spaces/", "/moderation/", "/notifications/", "/dashboard/"}
        for number, payload in enumerate(corpus.ALL):
            shown_in = plain.setdefault(payload.id, [])
            space = None

            def make(payload=payload, number=number):
                return space_create(
                    actor=owner,
                    name=payload.text,
                    kind=SpaceKind.PROJECT,
                    description=payload.text,
                    place=payload.text,
                    goal=payload.text,
                    visibility=SpaceVisibility.PUBLIC,
                    join_policy=JoinPolicy.REQUEST,
                )

            try:
                space = make()
            except Exception as exc:
                from django.core.exceptions import ValidationError

                if not isinstance(exc, ValidationError):
                    raise
                report.refused[payload.id].append("space")
                space = space_create(
                    actor=owner,
                    name=f"Corpus {number}",
                    description=payload.text,
                    visibility=SpaceVisibility.PUBLIC,
                    join_policy=JoinPolicy.REQUEST,
                )
            else:
                shown_in += [("space name", space.get_absolute_url()), ("space name", "/spaces/")]
            urls.add(space.get_absolute_url())
            urls.add(f"{space.get_absolute_url()}members/")
            if report.attempt(
                payload,
                "join message",
                lambda s=space, p=payload: space_join(user=asker, space=s, message=p.text),
            ):
                shown_in.append(("join message", f"{space.get_absolute_url()}members/"))
            thread = None
            try:
                thread = thread_create(
                    author=owner, space=space, title=payload.text, body=payload.text
                )
                shown_in.append(("thread title", thread.get_absolute_url()))
            except Exception as exc:
                from django.core.exceptions import ValidationError

                if not isinstance(exc, ValidationError):
                    raise
                report.refused[payload.id].append("thread")
                thread = thread_create(
                    author=owner, space=space, title=f"Thread {number}", body=payload.text
                )
            urls.update({thread.get_absolute_url(), f"{space.get_absolute_url()}discussions/"})
            comment = comment_create(author=owner, target=thread, body=payload.text)
            if not SpaceMembership.objects.filter(space=space, user=replier).exists():
                space_invite(actor=owner, space=space, invitee=replier)
                invitation_accept(user=replier, space=space)
            # The reply mails the comment's author at once, with the payload in it.
            comment_create(author=replier, target=thread, body=payload.text, parent=comment)
            if report.attempt(
                payload,
                "document title",
                lambda s=space, p=payload: document_upload(
                    user=owner,
                    space=s,
                    folder=None,
                    file=SimpleUploadedFile("a.txt", b"text", "text/plain"),
                    title=p.text,
                ),
            ):
                shown_in.append(("document title", f"{space.get_absolute_url()}documents/"))
                urls.add(f"{space.get_absolute_url()}documents/")
            if report.attempt(
                payload,
                "report text",
                lambda c=comment, p=payload: report_file(
                    reporter=asker, target=c, reason=Reason.OTHER, text=p.text
                ),
            ):
                shown_in.append(("report text", "/moderation/"))
    return owner, moderator, plain, urls


def test_every_spaces_field_is_text_or_sanitised_everywhere(
    portal_b, django_capture_on_commit_callbacks, mailoutbox, english
):
    report = Report()
    with django_capture_on_commit_callbacks(execute=True):
        owner, moderator, plain, urls = _fill(portal_b, report)
    texts: dict[str, str] = {}
    clients = {
        "owner": logged_in_client(portal_b, owner, HTTP_ACCEPT_LANGUAGE="en"),
        "moderator": logged_in_client(portal_b, moderator, HTTP_ACCEPT_LANGUAGE="en"),
        "visitor": Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en"),
    }
    for url in sorted(urls):
        for who, client in clients.items():
            response = client.get(url)
            if response.status_code >= 500:
                report.add(f"{who} GET {url}", f"status {response.status_code}")
            elif response.status_code == 200:
                texts[f"{who} {url}"] = check_response(report, f"{who} GET {url}", response)
    # Feeds: titles are text, texts the sanitised HTML (parsed like a page).
    from defusedxml import ElementTree

    for url in [u for u in urls if u.endswith("/discussions/")]:
        feed = clients["visitor"].get(f"{url}feed/")
        assert feed.status_code == 200, url
        for entry in ElementTree.fromstring(feed.content).iter(
            "{http://www.w3.org/2005/Atom}summary"
        ):
            check_html(report, f"feed {url}", entry.text or "")
    # Search for what every thread shares: each hit's snippet and title.
    found = clients["owner"].get("/search/", {"q": "alert"})
    check_response(report, "search", found)
    # The API gives the values back unchanged (JSON, never HTML).
    for endpoint in ("/api/v1/spaces/", "/api/v1/threads/", "/api/v1/comments/"):
        response = clients["owner"].get(endpoint, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, endpoint
        assert response["Content-Type"].startswith("application/json")
        json.loads(response.content)
    # Every mail (join requests, replies, reports decided...).
    assert mailoutbox, "no mail went out: the notification mails are not checked"
    for message in mailoutbox:
        # Notification mails carry RFC 8058 unsubscribe and RFC 3834 auto-submitted headers.
        check_mail(
            report,
            message,
            f"mail {message.subject!r}",
            allowed=("auto-submitted", "list-unsubscribe", "list-unsubscribe-post"),
        )

    for payload in corpus.READABLE:
        for field, url in plain.get(payload.id, []):
            page = texts.get(f"owner {url}") or texts.get(f"moderator {url}", "")
            expect_text(report, f"{field} {payload.id} on {url}", page, payload)
    report.check()
