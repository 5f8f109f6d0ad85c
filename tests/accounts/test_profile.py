"""A member's profile: each part shown only to whom the member chose, the picture rebuilt
without its metadata, the chosen language on every page."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import MemberStatus, Profile, Topic, User
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import host_of, in_portal
from tests.core.images import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    data = {
        "display_name": "Kim Yilmaz",
        "bio": "Ich repariere Fahrräder im Repair-Café.",
        "place": "Lindenau-Nord",
        "language": "",
        "visibility_avatar": "members",
        "visibility_bio": "public",
        "visibility_place": "private",
        "visibility_topics": "members",
    }
    data.update(overrides)
    return data


def test_each_part_of_the_profile_is_shown_only_to_whom_the_member_chose(portal_a, client_a):
    with in_portal(portal_a):
        topic = Topic.objects.create(name="Mobilität")
    kim = member_of(portal_a)
    own = logged_in_client(portal_a, kim, HTTP_ACCEPT_LANGUAGE="en")
    saved = own.post("/accounts/me/profile/", {**_form(), "topics": [str(topic.pk)]})
    assert saved.status_code == 302

    url = f"/accounts/people/{kim.pk}/"
    visitor_page = client_a.get(url).content.decode()
    member_page = logged_in_client(portal_a, member_of(portal_a)).get(url).content.decode()
    own_page = own.get(url).content.decode()
    assert "Repair-Café" in visitor_page and "Repair-Café" in member_page  # public
    assert "Mobilität" not in visitor_page and "Mobilität" in member_page  # members
    assert "Lindenau-Nord" not in member_page and "Lindenau-Nord" in own_page  # only me


def test_the_picture_is_stored_without_its_gps_data_and_html_in_disguise_is_refused(portal_a):
    kim = member_of(portal_a)
    own = logged_in_client(portal_a, kim, HTTP_ACCEPT_LANGUAGE="en")
    photo = SimpleUploadedFile("ich.jpg", jpeg_with_gps((800, 600)), content_type="image/jpeg")
    assert own.post("/accounts/me/profile/", {**_form(), "avatar": photo}).status_code == 302
    with in_portal(portal_a):
        stored = Profile.objects.get(user=kim).avatar
        with default_storage.open(stored) as handle:
            image = Image.open(io.BytesIO(handle.read()))
            assert max(image.size) <= 512 and not image.getexif()

    fake = SimpleUploadedFile("ich.jpg", b"<html><script>alert(1)</script></html>")
    refused = own.post("/accounts/me/profile/", {**_form(), "avatar": fake})
    assert refused.status_code == 400 and "not a valid image" in refused.content.decode()
    with in_portal(portal_a):
        assert Profile.objects.get(user=kim).avatar == stored


def test_a_name_with_a_line_break_is_refused_and_nothing_changes(portal_a):
    kim = member_of(portal_a, display_name="Kim")
    own = logged_in_client(portal_a, kim, HTTP_ACCEPT_LANGUAGE="en")
    refused = own.post("/accounts/me/profile/", _form(display_name="Kim\nBcc: x@example.org"))
    assert refused.status_code == 400 and "single line" in refused.content.decode()
    with in_portal(portal_a):
        assert User.objects.get(pk=kim.pk).display_name == "Kim"


def test_the_chosen_language_is_used_on_every_page(portal_a):
    kim = member_of(portal_a)
    browser = logged_in_client(portal_a, kim, HTTP_ACCEPT_LANGUAGE="de")
    assert "Mein Konto" in browser.get("/accounts/me/").content.decode()
    browser.post("/accounts/me/profile/", _form(language="en"))
    browser.cookies.pop("django_language", None)  # also without the cookie the form set
    assert "My account" in browser.get("/accounts/me/").content.decode()


def test_blocked_and_unknown_members_have_no_profile_page(portal_a, portal_b):
    blocked = member_of(portal_a, status=MemberStatus.BLOCKED, is_active=False)
    visitor = Client(HTTP_HOST=host_of(portal_a))
    assert visitor.get(f"/accounts/people/{blocked.pk}/").status_code == 404
    other_portal = member_of(portal_b)
    assert visitor.get(f"/accounts/people/{other_portal.pk + 10_000}/").status_code == 404
    active = member_of(portal_a)
    assert visitor.get(f"/accounts/people/{active.pk}/").status_code == 200  # positive control


def test_the_last_visit_is_remembered_once_an_hour(portal_a):
    from datetime import timedelta

    from django.utils import timezone

    kim = member_of(portal_a)
    browser = logged_in_client(portal_a, kim)
    browser.get("/")
    with in_portal(portal_a):
        first = User.objects.get(pk=kim.pk).last_seen_at
    assert first is not None
    browser.get("/")
    with in_portal(portal_a):
        assert User.objects.get(pk=kim.pk).last_seen_at == first  # not a write per page
        User.objects.filter(pk=kim.pk).update(last_seen_at=timezone.now() - timedelta(hours=2))
    browser.get("/")
    with in_portal(portal_a):
        assert User.objects.get(pk=kim.pk).last_seen_at > first
