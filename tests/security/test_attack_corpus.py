"""The attack corpus (`tests/security/corpus.py`) in every text field people can edit, read
back from every place the text comes out: escaped, sanitised or refused, never run.

Fields: profiles (display name, about me, place) and sign-up names, news posts, topics,
invitations (one by one and from a CSV file, names, addresses and the file's name), membership
rules, every theme text (site name, tagline, texts, legal pages, footer links, call to action,
sender name, signature, tokens, custom CSS), orders (organisation, contact, address, which name
the portal) and the platform's legal pages. Outputs: every page of the portal (every route the
URLconf has, as administrator and as visitor), the API (JSON and the browsable HTML), e-mails
(HTML part, plain-text part, headers), the members CSV export, the member data ZIP, the platform
pages and the operator console (list and change page of every registered model).

A field may refuse a payload (that is recorded and fine); what it accepts must come out as the
same readable text (the positive control: the pages, mails and files below really show each
field) and must not create an element, attribute, formula, header or style rule.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.profiles import profile_update, topics_update
from accounts.services import user_invite, user_register
from core.routing import walk
from news.services import post_create
from tests.accounts.factories import host_of, logged_in_client, member_of, staff_user
from tests.security import corpus
from tests.security.corpus import Payload, css_findings, csv_findings, parse_html, shown
from themes.services import HTML_FIELDS, TEXT_FIELDS

pytestmark = pytest.mark.django_db

ENTITIES = ("&lt;", "&gt;", "&amp;", "&quot;", "&#x27;", "&#39;", "&#34;")


@dataclass
class Report:
    """What went wrong, by payload, field and output; asserted once at the end of a test."""

    problems: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, where: str, what) -> None:
        self.problems.append(f"{where}: {what}")

    def attempt(self, payload: Payload, name: str, action) -> bool:
        """Run a write; a ValidationError is a refusal (fine), anything accepted is checked."""
        try:
            action()
        except ValidationError:
            self.refused[payload.id].append(name)
            return False
        return True

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems[:60])


def check_html(report: Report, where: str, html: str, *, own=("/static/",)) -> str:
    findings, text = parse_html(html, own_scripts=own)
    for finding in findings:
        report.add(where, finding)
    for style in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I):
        for finding in css_findings(style):
            report.add(where, f"in <style>: {finding}")
    return text


def check_response(report: Report, where: str, response, *, own=("/static/",)) -> str:
    """The checks for whatever the response is; returns its readable text."""
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    if "text/html" in content_type:
        return check_html(report, where, body, own=own)
    if "text/css" in content_type:
        for finding in css_findings(body):
            report.add(where, f"stylesheet: {finding}")
        return body
    if "json" in content_type:
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body


def check_mail(report: Report, message, where: str, *, allowed: tuple[str, ...] = ()) -> str:
    """Headers single and expected, the HTML part clean, the text part readable (no entities
    from HTML escaping); returns the plain text."""
    # The default policy unfolds and decodes headers: a long subject folded onto continuation
    # lines is fine, a line break in the decoded value is not.
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    names = {name.lower() for name in parsed}
    unexpected = names - {
        "content-type",
        "mime-version",
        "content-transfer-encoding",
        "subject",
        "from",
        "to",
        "date",
        "message-id",
        "reply-to",
        *allowed,
    }
    if unexpected:
        report.add(where, f"injected headers {sorted(unexpected)}")
    for header in ("subject", "from", "to"):
        if any(ch in str(parsed.get(header, "")) for ch in "\r\n"):
            report.add(where, f"{header} spans lines: {parsed.get(header)!r}")
    for content, mimetype in message.alternatives:
        if mimetype == "text/html":
            check_html(report, f"{where} (HTML part)", content)
    for entity in ENTITIES:
        if entity in message.body or entity in message.subject:
            report.add(where, f"HTML entity {entity} in the plain-text part or subject")
    return " ".join(f"{message.subject}\n{message.body}".split())


def expect_text(report: Report, where: str, text: str, payload: Payload) -> None:
    if shown(payload) not in text:
        report.add(where, f"{payload.text!r} is not shown as typed")


# --- portal content: one object per payload ------------------------------------------------


@dataclass
class Content:
    admin: User
    members: dict[str, User]  # payload id -> member with the payload in every profile field
    accepted: dict[str, set[str]]  # payload id -> fields that accepted it


def fill_portal(portal, report: Report, capture) -> Content:
    """Every payload into every portal field that can hold many values, each in its own row."""
    accepted: dict[str, set[str]] = defaultdict(set)
    with tenant_context(portal):
        admin_user = User.objects.create_user(
            email="corpus-admin@example.org", password="x-corpus-pass", role=Role.ADMIN
        )
        profile_update(
            user=admin_user,
            display_name="Corpus Admin",
            bio="",
            place="",
            topic_ids=[],
            visibility={},
            language="en",
        )
        members: dict[str, User] = {}
        topic_names = []
        for number, payload in enumerate(corpus.ALL):
            member = User.objects.create_user(
                email=f"corpus{number}@example.org", password="x-corpus-pass"
            )
            members[payload.id] = member

            def _profile(member=member, payload=payload):
                profile_update(
                    user=member,
                    display_name=payload.text,
                    bio=payload.text,
                    place=payload.text,
                    topic_ids=[],
                    visibility={"bio": "public", "place": "public", "topics": "public"},
                    language="en",
                    listed=True,
                )

            if report.attempt(payload, "profile", _profile):
                accepted[payload.id].add("profile")
            else:  # the multi-line payloads: the name refuses them, the text takes them
                profile_update(
                    user=member,
                    display_name=f"Corpus {number}",
                    bio=payload.text,
                    place="",
                    topic_ids=[],
                    visibility={"bio": "public"},
                    language="en",
                    listed=True,
                )
                accepted[payload.id].add("bio")
            if report.attempt(
                payload, "post", lambda m=member, p=payload: post_create(author=m, body=p.text)
            ):
                accepted[payload.id].add("post")
            topic_names.append(payload.text)
            with capture(execute=True):
                if report.attempt(
                    payload,
                    "invitation",
                    lambda n=number, p=payload: _invite(admin_user, f"inv{n}@example.org", p.text),
                ):
                    accepted[payload.id].add("invitation")
                report.attempt(
                    payload,
                    "invitation e-mail",
                    lambda p=payload: _invite(admin_user, p.text, "Name"),
                )
                if report.attempt(
                    payload,
                    "account invitation",
                    lambda n=number, p=payload: user_invite(
                        email=f"acct{n}@example.org", display_name=p.text, actor=admin_user
                    ),
                ):
                    accepted[payload.id].add("account invitation")
                report.attempt(
                    payload,
                    "registration",
                    lambda n=number, p=payload: user_register(
                        email=f"reg{n}@example.org", password="x-corpus-pass", display_name=p.text
                    ),
                )
        for payload in corpus.ALL:
            # Topics one by one (the list refuses a line break as a whole).
            if report.attempt(
                payload,
                "topic",
                lambda p=payload: topics_update(names=[*_topic_names(), p.text], actor=admin_user),
            ):
                accepted[payload.id].add("topic")
        for payload in corpus.ALL:
            from members.services import membership_policy_update

            report.attempt(
                payload,
                "allowed domains",
                lambda p=payload: membership_policy_update(
                    actor=admin_user,
                    registration="domains",
                    allowed_domains=p.text,
                    members_only=False,
                    admin_mfa_required=False,
                ),
            )
    return Content(admin=admin_user, members=members, accepted=accepted)


def _topic_names() -> list[str]:
    from accounts.models import Topic

    return list(Topic.objects.values_list("name", flat=True))


def _invite(actor: User, address: str, name: str):
    from members.services import invitation_create

    return invitation_create(email=address, display_name=name, actor=actor)


@pytest.fixture
def content(portal_b, django_capture_on_commit_callbacks, mailoutbox, english):
    report = Report()
    filled = fill_portal(portal_b, report, django_capture_on_commit_callbacks)
    return filled, report


def _plain_routes(urlconf: str) -> list[str]:
    """Every GET-able route of `urlconf` that takes no argument."""
    skip = {"account_logout", "set_language", "healthz", "media", "accounts:delete"}
    routes = []
    for route in walk(urlconf):
        if route.name in skip or route.name.startswith("admin:") or not route.name:
            continue
        if "<" in route.route or "(" in route.route or "^" in route.route:
            continue
        routes.append("/" + route.route)
    return routes


def test_every_portal_page_shows_each_payload_as_text(content, portal_b):
    filled, report = content
    admin_client = logged_in_client(portal_b, filled.admin, HTTP_ACCEPT_LANGUAGE="en")
    visitor = Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    texts: dict[str, str] = {}
    pages = _plain_routes(settings.ROOT_URLCONF)
    assert "/manage/members/" in pages and "/" in pages  # the walk finds the pages
    for path in pages:
        for who, client in (("admin", admin_client), ("visitor", visitor)):
            response = client.get(path)
            if response.status_code >= 500:
                report.add(f"{who} GET {path}", f"status {response.status_code}")
            elif response.status_code == 200:
                texts[f"{who} {path}"] = check_response(report, f"{who} GET {path}", response)

    # The start page shows the latest news a page at a time: every post is on one of them.
    def older(response):
        return re.search(r'href="(\?after=[\w-]+)" rel="next"', response.content.decode())

    link = older(visitor.get("/"))
    while link:
        response = visitor.get("/" + link.group(1))
        texts["visitor /"] += check_response(report, f"visitor GET /{link.group(1)}", response)
        link = older(response)
    with tenant_context(portal_b):
        from members.models import Invitation

        invitations = list(Invitation.objects.values_list("pk", flat=True))
    for payload_id, member in filled.members.items():
        for path in (f"/accounts/people/{member.pk}/", f"/manage/members/{member.pk}/"):
            response = admin_client.get(path)
            assert response.status_code == 200, path
            texts[f"{payload_id} {path}"] = check_response(report, f"GET {path}", response)
        response = visitor.get(f"/accounts/people/{member.pk}/")
        check_response(report, f"visitor GET /accounts/people/{member.pk}/", response)
    assert invitations
    for page in ("/manage/members/invitations/?status=all", "/manage/members/?page=2"):
        texts[page] = check_response(report, page, admin_client.get(page))

    everything = " ".join(texts.values())
    for payload in corpus.READABLE:
        member = filled.members[payload.id]
        person = texts[f"{payload.id} /accounts/people/{member.pk}/"]
        expect_text(report, f"profile page of {payload.id}", person, payload)
        if "post" in filled.accepted[payload.id]:
            expect_text(report, f"start page, post {payload.id}", texts["visitor /"], payload)
        if "topic" in filled.accepted[payload.id]:
            expect_text(
                report, f"topics page {payload.id}", texts["admin /manage/topics/"], payload
            )
        if "invitation" in filled.accepted[payload.id]:
            expect_text(report, f"invitations {payload.id}", everything, payload)
    report.check()


def test_the_api_returns_each_payload_unchanged_and_never_as_a_page(content, portal_b):
    filled, report = content
    with tenant_context(portal_b):
        client = logged_in_client(portal_b, filled.admin, HTTP_ACCEPT_LANGUAGE="en")
    values: list[str] = []
    for path in ("/api/v1/posts/", "/api/v1/members/", "/api/v1/members/me/"):
        response = client.get(path, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, (path, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        values += _strings(response.json())
        # The browsable API is a page: the payloads in it must be escaped like any page's.
        page = client.get(path, HTTP_ACCEPT="text/html")
        check_response(report, f"browsable {path}", page)
        following = response.json().get("next") if path.endswith("s/") else None
        while following:  # lists page by key: every row is on one of the pages
            response = client.get(following, HTTP_ACCEPT="application/json")
            values += _strings(response.json()["results"])
            following = response.json()["next"]
    for payload in corpus.ALL:
        if "post" in filled.accepted[payload.id] and payload.text.strip() not in values:
            report.add(f"API posts {payload.id}", "payload not returned unchanged")
    report.check()


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def test_every_mail_escapes_html_and_keeps_text_and_headers_plain(content, mailoutbox, portal_b):
    filled, report = content
    assert len(mailoutbox) >= len(corpus.ALL)  # invitations and sign-up confirmations went out
    texts = [check_mail(report, m, f"mail {m.subject[:40]!r} to {m.to}") for m in mailoutbox]
    everything = " ".join(texts)
    for payload in corpus.READABLE:
        if "invitation" in filled.accepted[payload.id]:
            expect_text(report, f"invitation mail {payload.id}", everything, payload)
        if "account invitation" in filled.accepted[payload.id]:
            expect_text(report, f"account invitation mail {payload.id}", everything, payload)
    report.check()


def test_the_members_export_has_no_formula_cells(content, portal_b):
    filled, report = content
    client = logged_in_client(portal_b, filled.admin, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/manage/members/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert csv_findings(rows) == []
    cells = {cell for row in rows for cell in row}
    for payload in corpus.READABLE:
        if "profile" not in filled.accepted[payload.id]:
            continue
        name = payload.text.strip()
        if name not in cells and "'" + name not in cells:
            report.add(f"export {payload.id}", f"{name!r} is not in the export")
    # The check itself finds a formula (a check that cannot fail is a defect).
    assert csv_findings([[p.text] for p in corpus.CSV]) == [p.text for p in corpus.CSV]
    report.check()


def test_the_member_data_export_carries_each_payload_as_plain_data(content, portal_b):
    filled, report = content
    from core.privacy import member_data_export

    with tenant_context(portal_b):
        for payload_id, member in filled.members.items():
            archive = zipfile.ZipFile(io.BytesIO(member_data_export(user=member)))
            for name in archive.namelist():
                if name.startswith("/") or ".." in name.split("/"):
                    report.add(f"ZIP of {payload_id}", f"unsafe member name {name!r}")
            readme = archive.read("README.txt").decode()
            for entity in ENTITIES:
                if entity in readme:
                    report.add(f"ZIP README of {payload_id}", f"HTML entity {entity}")
            data = json.loads(archive.read("data.json"))
            payload = next(p for p in corpus.ALL if p.id == payload_id)
            if payload.text.strip() not in _strings(data):
                report.add(f"ZIP data.json of {payload_id}", "payload not in the data")
    report.check()


def test_an_uploaded_invitation_list_shows_names_and_file_name_as_text(portal_b, english):
    report = Report()
    client = logged_in_client(portal_b, member_of(portal_b, Role.ADMIN), HTTP_ACCEPT_LANGUAGE="en")
    rows = "email,name,role\n" + "".join(
        f'up{n}@example.org,"{p.text.replace(chr(34), chr(34) * 2)}",member\n'
        for n, p in enumerate(corpus.ALL)
    )
    for payload in corpus.XSS + corpus.TEMPLATE:
        upload = io.BytesIO(rows.encode())
        upload.name = f"{payload.text}.csv"
        response = client.post("/manage/members/invitations/upload/", {"file": upload})
        assert response.status_code == 200, response.status_code
        text = check_response(report, f"CSV preview, file {payload.id}", response)
        for shown_payload in corpus.READABLE:
            if shown_payload.kind in {"xss", "template"}:
                expect_text(report, f"CSV preview row {shown_payload.id}", text, shown_payload)
    report.check()


# --- the theme: one value per field, so one publication per payload ----------------------------

THEME_TEXT = list(TEXT_FIELDS)
THEME_HTML = list(HTML_FIELDS)
LEGAL_PAGES = {"/impressum/", "/datenschutz/", "/barrierefreiheit/"}


@pytest.mark.parametrize("payload", corpus.ALL, ids=lambda p: p.id)
def test_theme_fields_are_escaped_or_refused_everywhere(
    payload, portal_b, django_capture_on_commit_callbacks, mailoutbox, english
):
    from features.services import feature_switch
    from themes.services import theme_publish, theme_update_draft

    report = Report()
    with tenant_context(portal_b):
        feature_switch(portal=portal_b, feature="custom_css", enabled=True, actor_label="tests")
        admin_user = User.objects.create_user(
            email="theme-admin@example.org", password="x-corpus-pass", role=Role.ADMIN
        )
        accepted = set()
        for name in THEME_TEXT + THEME_HTML + ["cta_url"]:
            if report.attempt(
                payload, name, lambda n=name: theme_update_draft(**{n: payload.text})
            ):
                accepted.add(name)
        for links in (
            [{"label": payload.text, "url": "/"}],
            [{"label": "Link", "url": payload.text}],
        ):
            report.attempt(
                payload, "footer_links", lambda v=links: theme_update_draft(footer_links=v)
            )
        report.attempt(
            payload, "tokens", lambda: theme_update_draft(tokens={"primary": payload.text})
        )
        for source in (payload.text, f"a {{ color: {payload.text} }}", f"a {{ {payload.text} }}"):
            report.attempt(payload, "custom_css", lambda s=source: theme_update_draft(custom_css=s))
        theme_publish(actor_label="tests")
        with django_capture_on_commit_callbacks(execute=True):
            _invite(admin_user, "theme-invitee@example.org", "Invitee")
    client = logged_in_client(portal_b, admin_user, HTTP_ACCEPT_LANGUAGE="en")
    visitor = Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en")
    texts = {}
    for who, c, path in (
        ("visitor", visitor, "/"),
        ("visitor", visitor, "/impressum/"),
        ("visitor", visitor, "/datenschutz/"),
        ("visitor", visitor, "/barrierefreiheit/"),
        ("visitor", visitor, "/accounts/login/"),
        ("admin", client, "/manage/theme/"),
        ("admin", client, "/manage/theme/preview/"),
        ("admin", client, "/manage/theme/draft.css"),
    ):
        response = c.get(path)
        if response.status_code == 404 and path in LEGAL_PAGES:
            continue  # sanitising left the page empty, and an empty legal page is not shown
        assert response.status_code == 200, (path, response.status_code)
        texts[path] = check_response(report, f"{who} GET {path}", response)
    home = visitor.get("/").content.decode()
    for sheet in re.findall(r'href="(/theme/[^"]+\.css)"', home):
        check_response(report, f"stylesheet {sheet}", visitor.get(sheet))
    assert mailoutbox, "the invitation went out"
    mail_text = check_mail(report, mailoutbox[-1], "invitation mail with the theme")
    if payload in corpus.READABLE:
        for name in {"site_name", "hero_title", "tagline", "footer_text", "cta_label"} & accepted:
            expect_text(report, f"start page, {name}", texts["/"], payload)
        for name in set(THEME_TEXT) & accepted:
            expect_text(report, f"theme editor, {name}", texts["/manage/theme/"], payload)
        if "email_signature" in accepted:
            expect_text(report, "mail signature", mail_text, payload)
        if "site_name" in accepted:
            expect_text(report, "mail portal name", mail_text, payload)
    report.check()


# --- the platform: orders, portal names, legal pages, the operator console ----------------------

CONSOLE = ("/static/", "/operator/jsi18n/")  # Django admin's own scripts


def test_orders_platform_pages_and_console_escape_each_payload(
    django_capture_on_commit_callbacks, mailoutbox, english
):
    from billing import services as billing
    from billing.models import Order
    from tenants.models import PlatformPage, Portal
    from tests.billing.factories import order_data

    report = Report()
    orders = {}
    own_scripts = ("/static/", getattr(settings, "STRIPE_JS_URL", "") or "/static/")
    for number, payload in enumerate(corpus.ALL):
        data = order_data(plan="community", subdomain=f"corpus-{number}", vat_id="")
        for name in ("organisation", "contact_name", "street", "city", "postal_code"):
            attempt_data = {**data, name: payload.text}
            browser = f"corpus-{number}-{name}"

            def _place(d=attempt_data, b=browser):
                with django_capture_on_commit_callbacks(execute=True):
                    return billing.order_place(browser=b, **d)

            try:
                order = _place()
            except ValidationError:
                report.refused[payload.id].append(name)
                continue
            if name == "organisation":
                orders[payload.id] = order
            else:
                order.delete()
    # Provisioning is the slow part: the payloads that mean something in HTML name portals;
    # the formula and CSS payloads are checked in the order's pages and mails only.
    html_kinds = {p.id for p in corpus.ALL if p.kind in {"xss", "template"} or "<" in p.text}
    organisations = {pid: o for pid, o in orders.items() if pid in html_kinds}
    for order in organisations.values():
        with django_capture_on_commit_callbacks(execute=True):
            billing.order_confirm(
                order=order,
                signature=billing.confirmation_signature(order),
                browser="corpus-confirming-browser",
            )
    for payload in corpus.ALL:
        PlatformPage.objects.update_or_create(
            kind=PlatformPage.Kind.IMPRESSUM, defaults={"body": payload.text}
        )
        page = Client(HTTP_HOST=settings.PLATFORM_DOMAIN).get("/impressum/")
        assert page.status_code == 200
        check_response(report, f"platform Impressum {payload.id}", page, own=own_scripts)

    for message in mailoutbox:
        check_mail(report, message, f"mail {message.subject[:40]!r}")
    mail_text = " ".join(" ".join(f"{m.subject}\n{m.body}".split()) for m in mailoutbox)
    visitor = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
    for payload in corpus.READABLE:
        if payload.id not in orders:
            continue
        order = orders[payload.id]
        expect_text(report, f"order confirmation mail {payload.id}", mail_text, payload)
        session_client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
        response = session_client.get(f"/order/{order.token}/")
        if response.status_code == 200:
            check_response(report, f"order page {payload.id}", response, own=own_scripts)
    form = visitor.get("/order/")
    check_response(report, "order form", form, own=own_scripts)
    bad = visitor.post("/order/", order_data(organisation=corpus.XSS[1].text, street=""))
    check_response(report, "order form with errors", bad, own=own_scripts)

    # The operator console: every registered model's list and change page.
    operator = staff_user()
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
    console.force_login(operator)
    portals = Portal.objects.filter(name__in=[p.text.strip() for p in corpus.ALL])
    assert portals.count() == len(organisations)  # the organisations named the portals
    console_text = []
    for model in admin.site._registry:
        meta = model._meta
        base = f"/operator/{meta.app_label}/{meta.model_name}/"
        response = console.get(base)
        assert response.status_code == 200, (base, response.status_code)
        console_text.append(check_response(report, f"console {base}", response, own=CONSOLE))
        objects = model._default_manager.all()
        if model is Portal:
            objects = portals
        elif meta.label == "core.AuditEvent":
            objects = objects.filter(portal_name__in=[p.name for p in portals])
        elif meta.label == "billing.Order":
            objects = objects.filter(pk__in=[o.pk for o in organisations.values()])
        limit = len(corpus.ALL) if model in (Portal, Order) else 3
        for obj in objects.order_by("-pk")[:limit]:
            url = f"{base}{obj.pk}/change/"
            response = console.get(url)
            assert response.status_code == 200, (url, response.status_code)
            console_text.append(check_response(report, f"console {url}", response, own=CONSOLE))
    everything = " ".join(console_text)
    for payload in corpus.READABLE:
        if payload.id in organisations:
            expect_text(report, f"console shows organisation {payload.id}", everything, payload)
    report.check()


# --- the checks themselves ------------------------------------------------------------------


@pytest.mark.parametrize("payload", corpus.XSS, ids=lambda p: p.id)
def test_the_html_check_finds_each_xss_payload_unescaped(payload):
    # Where a template would put it unescaped: in both kinds of attribute quotes and in text.
    text = payload.text
    page = f"<html><body><a href=\"{text}\" title='{text}'>x</a><p>{text}</p></body></html>"
    assert parse_html(page)[0], payload.text


@pytest.mark.parametrize("payload", corpus.CSS, ids=lambda p: p.id)
def test_the_css_check_finds_each_css_payload(payload):
    assert css_findings(f"a {{ color: {payload.text} }}"), payload.text


def test_the_mail_check_finds_an_injected_header_and_escaped_text():
    from django.core.mail import EmailMultiAlternatives

    report = Report()
    message = EmailMultiAlternatives("Hi", "Hello &lt;b&gt;", "a@example.org", ["b@example.org"])
    message.extra_headers["Bcc"] = "evil@example.com"
    check_mail(report, message, "planted")
    assert len(report.problems) == 3, report.problems  # the header, &lt; and &gt;
