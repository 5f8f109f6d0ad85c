"""The accessibility statement (Erklärung zur Barrierefreiheit) as visitors and admins see it:
generated for every portal from its contact details and the latest automated check, replaced by
the admin's own (sanitised) version, reset to the generated one, open on members-only portals."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.models import RegistrationPolicy, User
from core.event_types import EventType
from core.models import AuditEvent
from tests.accounts.factories import admin_of, host_of, logged_in_client, member_of
from tests.conftest import in_portal
from themes import accessibility, selectors, services
from themes.models import ThemeVersion

PAGE = "/barrierefreiheit/"
EDIT = "/manage/theme/accessibility/"
# Checks run after the portals were made (a check older than the portal does not date the review).
CHECKED_AT = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
CHECK = {
    "date": CHECKED_AT.isoformat(),
    "tool": "axe-core 4.10.2",
    "pages": 37,
    "checks": 222,
    "violations": 0,
}


@pytest.fixture
def check_file(settings, tmp_path):
    """Where the statement reads the check result; the test writes what it needs there."""
    path = tmp_path / "a11y" / "last-check.json"
    path.parent.mkdir()
    settings.ACCESSIBILITY_CHECK_RESULT = path
    return path


def _day(moment: datetime, language: str = "en") -> str:
    """A date as the page in `language` shows it ("June 2, 2025", "2. Juni 2025"): on the
    portal's calendar (TIME_ZONE), as the template's `date` filter does. date_format() alone
    keeps the moment's own zone (UTC), a day early between 23:00 and midnight UTC."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _write(path, data) -> None:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


@pytest.fixture
def generated(db, portal_b, django_capture_on_commit_callbacks):
    """Portal B showing the generated statement, whatever an earlier test published."""
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        services.theme_accessibility_statement_reset(actor=None)
    return portal_b


def _visitor(portal, language: str = "en") -> Client:
    return Client(HTTP_HOST=host_of(portal), HTTP_ACCEPT_LANGUAGE=language)


def _text(response) -> str:
    """The page's visible text, roughly: tags dropped, whitespace collapsed, entities read."""
    body = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _main(response) -> str:
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def _admin(portal, language: str = "en") -> Client:
    return logged_in_client(portal, admin_of(portal), HTTP_ACCEPT_LANGUAGE=language)


# --- generated ----------------------------------------------------------------------------------


def test_an_ordered_portal_states_its_organisation_address_contact_and_latest_check(
    db, check_file, django_capture_on_commit_callbacks
):
    from tests.billing.factories import order_confirmed

    _write(check_file, CHECK)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_confirmed(
            plan="community",
            subdomain="kiel-statement",
            organisation="Stadtnetz Kiel e.V.",
            contact_email="kontakt@stadtnetz.example",
        )
    order.refresh_from_db()
    assert order.portal is not None, order.status
    response = _visitor(order.portal).get(PAGE)
    assert response.status_code == 200
    text = _text(response)
    assert "Stadtnetz Kiel e.V. wants to make this portal accessible" in text
    assert "Rathausplatz 1" in text and "24103 Kiel" in text
    assert 'href="mailto:kontakt@stadtnetz.example"' in response.content.decode()
    assert "http://kiel-statement.localhost" in text  # which website the statement covers
    assert "partially compliant" in text
    assert (
        f"Latest automated check: {_day(CHECKED_AT)}, 37 pages checked (222 checks), 0 violations found (axe-core 4.10.2)."
        in text
    )
    assert "This statement was prepared on" in text and "last reviewed on" in text
    # The enforcement procedure with the conciliation body's address as text, not as a link.
    assert "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz" in text
    assert "https://www.schlichtungsstelle-bgg.de" in text
    assert 'href="https://www.schlichtungsstelle-bgg.de' not in response.content.decode()


def test_violations_found_by_the_latest_check_are_listed_as_not_accessible(generated, check_file):
    _write(check_file, CHECK)
    before = _text(_visitor(generated).get(PAGE))
    assert "0 violations found" in before
    assert "violations of the WCAG rules it tests" not in before
    later = CHECKED_AT + timedelta(days=40)
    _write(check_file, {**CHECK, "violations": 3, "date": later.isoformat().replace("+00:00", "Z")})
    after = _text(_visitor(generated).get(PAGE))
    assert (
        f"The automated check of {_day(later)} found 3 violations of the WCAG rules it tests."
        in after
    )
    assert f"{_day(later)}, 37 pages checked (222 checks), 3 violations found" in after
    assert f"last reviewed on {_day(later)}" in after
    assert f"last reviewed on {_day(CHECKED_AT)}" in before


def test_a_check_late_in_the_utc_day_is_dated_by_the_portals_calendar(generated, check_file):
    # 23:30 UTC in December is 00:30 the next day in Berlin: both the check line and the review
    # date say the Berlin day, not one a day earlier.
    late = (CHECKED_AT + timedelta(days=2)).replace(hour=23, minute=30, second=0)
    _write(check_file, {**CHECK, "date": late.isoformat()})
    text = _text(_visitor(generated).get(PAGE))
    berlin_day = _day(late.replace(hour=0) + timedelta(days=1))
    utc_day = _day(late.replace(hour=0))
    assert f"Latest automated check: {berlin_day}, 37 pages checked" in text
    assert f"last reviewed on {berlin_day}" in text
    assert utc_day not in text


def test_a_portal_without_an_order_names_its_own_name_and_contact_email(
    db, portal_a, check_file, django_capture_on_commit_callbacks
):
    with in_portal(portal_a), django_capture_on_commit_callbacks(execute=True):
        services.theme_accessibility_statement_reset(actor=None)
    text = _text(_visitor(portal_a).get(PAGE))
    assert "Portal Alpha wants to make this portal accessible" in text
    assert "E-mail: admin@alpha.example" in text


def test_the_statement_is_in_german_for_german_visitors(generated, check_file):
    _write(check_file, CHECK)
    response = _visitor(generated, "de").get(PAGE)
    assert response.status_code == 200
    assert '<html lang="de"' in response.content.decode()
    text = _text(response)
    assert "Erklärung zur Barrierefreiheit" in text
    assert "teilweise vereinbar" in text
    assert f"{_day(CHECKED_AT, 'de')}, 37 Seiten geprüft" in text
    assert "Schlichtungsstelle" in text
    # The positive control: the same page in English is English.
    english = _text(_visitor(generated, "en").get(PAGE))
    assert "partially compliant" in english and "teilweise vereinbar" not in english


@pytest.mark.parametrize(
    "content",
    [
        None,  # no check has run yet
        "{not json",
        "[]",
        '{"date": "yesterday", "pages": 3, "violations": 0}',
        '{"date": "2025-06-02", "pages": -1, "violations": 0}',
        '{"date": "2025-06-02", "pages": true, "violations": 0}',
        '{"date": "2025-06-02", "pages": 3}',
        '{"pages": 3, "violations": 0}',
        b"\xff\xfe\x00garbage",
        "directory",
    ],
    ids=[
        "missing",
        "not-json",
        "not-an-object",
        "bad-date",
        "negative",
        "boolean",
        "no-violations",
        "no-date",
        "not-utf8",
        "a-directory",
    ],
)
def test_a_missing_or_garbled_check_result_is_stated_never_a_server_error(
    generated, check_file, content
):
    if content == "directory":
        check_file.mkdir()
    elif isinstance(content, bytes):
        check_file.write_bytes(content)
    elif content is not None:
        _write(check_file, content)
    response = _visitor(generated).get(PAGE)
    assert response.status_code == 200
    text = _text(response)
    assert "No result of an automated check is available at the moment" in text
    assert "Latest automated check" not in text
    assert "Compliance status" in text  # the rest of the statement is there


def test_a_valid_check_result_is_read_date_with_or_without_time(check_file):
    """The positive control of the garbled cases: what the harness writes is understood."""
    assert accessibility.latest_check() is None
    _write(check_file, {"date": "2025-06-02", "pages": 5, "violations": 1})
    result = accessibility.latest_check()
    assert (result.pages, result.checks, result.violations) == (5, None, 1)
    assert result.checked_at.date().isoformat() == "2025-06-02"
    _write(check_file, CHECK)
    assert accessibility.latest_check().checks == 222


# --- the admin's own version --------------------------------------------------------------------


def test_the_edit_page_starts_from_the_generated_statement(generated, check_file):
    _write(check_file, CHECK)
    response = _admin(generated).get(EDIT)
    assert response.status_code == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    statement = html.unescape(textarea.group(1))
    assert "<h2>Compliance status</h2>" in statement
    assert "37 pages checked" in statement
    assert "Visitors see the generated statement" in _text(response)


def test_the_admins_version_replaces_the_generated_one_sanitised_and_reset_brings_it_back(
    generated, check_file, django_capture_on_commit_callbacks
):
    admin = _admin(generated)
    with in_portal(generated):
        services.theme_update_draft(tagline="Unveröffentlichter Entwurf")  # not published here
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            EDIT,
            {
                "statement": '<h2>Unsere Erklärung</h2><p onclick="steal()">Eigene Fassung</p>'
                "<script>alert('x')</script><img src=x onerror=alert(1)>"
            },
        )
    assert response.status_code == 302, response.content[:400]
    page = _visitor(generated).get(PAGE)
    main = _main(page)
    assert "Eigene Fassung" in main and "<h2>Unsere Erklärung</h2>" in main
    for stripped in ("<script", "alert", "onclick", "onerror", "<img"):
        assert stripped not in main, stripped
    assert "Compliance status" not in main  # replaced, not added to
    assert "Unveröffentlichter Entwurf" not in page.content.decode()  # only the statement went live
    with in_portal(generated):
        assert selectors.draft().accessibility.startswith("<h2>Unsere Erklärung</h2>")
        row = AuditEvent.objects.filter(event_type=EventType.THEME_PUBLISHED).latest("pk")
        assert row.detail["accessibility_statement"] == "edited"
    edit = _admin(generated).get(EDIT)
    assert "Visitors see your own version" in _text(edit)
    assert "Eigene Fassung" in html.unescape(edit.content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(EDIT, {"reset": "1"}).status_code == 302
    main = _main(_visitor(generated).get(PAGE))
    assert "Eigene Fassung" not in main and "Compliance status" in main
    assert "Visitors see the generated statement" in _text(_admin(generated).get(EDIT))


def test_a_statement_that_is_empty_after_sanitising_is_refused(
    generated, django_capture_on_commit_callbacks
):
    with in_portal(generated):
        versions = ThemeVersion.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin(generated).post(EDIT, {"statement": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "The statement is empty" in _text(response)
    with in_portal(generated):
        assert ThemeVersion.objects.count() == versions
    assert "Compliance status" in _text(_visitor(generated).get(PAGE))


def test_resetting_a_generated_statement_publishes_nothing(generated):
    with in_portal(generated):
        versions = ThemeVersion.objects.count()
        assert services.theme_accessibility_statement_reset(actor=None) is None
        assert ThemeVersion.objects.count() == versions


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_admins_may_edit_the_statement(generated, method):
    data = {"statement": "<p>Von einem Mitglied</p>"} if method == "post" else {}
    member = logged_in_client(generated, member_of(generated))
    assert getattr(member, method)(EDIT, data).status_code == 403
    visitor = getattr(_visitor(generated), method)(EDIT, data)
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    assert "Von einem Mitglied" not in _text(_visitor(generated).get(PAGE))
    admin = getattr(_admin(generated), method)(EDIT, data)
    assert admin.status_code == (200 if method == "get" else 302)  # the positive control


# --- where it is linked and who reaches it ------------------------------------------------------


def test_every_portal_page_links_the_statement_and_the_editor_links_its_edit_page(generated):
    home = _visitor(generated).get("/").content.decode()
    assert f'href="{PAGE}"' in home
    editor = _admin(generated).get("/manage/theme/").content.decode()
    assert f'href="{EDIT}"' in editor
    assert 'name="accessibility"' not in editor  # one place to edit it, not two


def test_visitors_of_a_members_only_portal_can_read_the_statement(generated):
    from members.services import membership_policy_update

    with in_portal(generated):
        admin = User.objects.get(pk=admin_of(generated).pk)
        membership_policy_update(
            actor=admin,
            registration=RegistrationPolicy.OPEN,
            allowed_domains="",
            members_only=True,
            admin_mfa_required=False,
        )
        person = member_of(generated)
    visitor = _visitor(generated)
    # The positive control: members-only is on, so a member's profile sends visitors to log in.
    closed = visitor.get(f"/accounts/people/{person.pk}/")
    assert closed.status_code == 302 and "/accounts/login/" in closed["Location"]
    response = visitor.get(PAGE)
    assert response.status_code == 200
    assert "Compliance status" in _text(response)
