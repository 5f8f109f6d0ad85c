"""A member's data rights (core.gdpr, core.privacy): the export holds everything about them and
nothing about anyone else; erasing removes who they were, keeps or deletes what they wrote as
they choose, and never leaves a portal without an administrator. Every model related to a user
takes part: the walk over all models fails on one that does not, shown with a planted one."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Q
from django.test import Client
from django.test.utils import isolate_apps
from django.utils import timezone

from accounts.models import Role, User
from core import gdpr
from core.event_types import EventType
from core.models import AuditEvent
from core.privacy import member_data_export, member_erase
from core.services import audit_record
from features.models import FeatureGrant
from features.services import feature_grant
from news.models import Post
from news.services import post_create
from tests.accounts.factories import (
    admin_of,
    host_of,
    log_in,
    member_of,
    session_user_id,
    staff_user,
)
from tests.conftest import in_portal
from tests.core.images import jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English, so that the assertions hold once the German catalogue is compiled."""


def _image(name: str = "deich.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


def _unzip(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _everything(archive: bytes) -> bytes:
    """The archive as a person could search it: its raw bytes, names and unpacked contents."""
    files = _unzip(archive)
    return archive + b"\n".join(name.encode() + b"\n" + data for name, data in files.items())


def _audit_rows_naming(text: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            Q(object_label__icontains=text)
            | Q(actor_label__icontains=text)
            | Q(detail__icontains=text)
        )
    )


def _english_client(portal) -> Client:
    return Client(HTTP_HOST=host_of(portal), HTTP_ACCEPT_LANGUAGE="en")


# The walk over every model


def test_every_model_related_to_a_user_is_registered_or_exempt():
    related = gdpr.user_related_models()
    # The walk really finds relations in each direction: the user model itself, foreign keys
    # to it (posts, the audit log, public-schema records) and the user's own many-to-many.
    assert {
        "accounts.User",
        "news.Post",
        "core.AuditEvent",
        "features.FeatureGrant",
        "tenants.PortalExport",
        "auth.Group",
    } <= set(related)
    assert gdpr.uncovered_models() == [], "register these in the app's gdpr.py (see core.gdpr)"


@isolate_apps("tests.core")
def test_the_walk_finds_a_model_that_forgot_to_register():
    class Bookmark(models.Model):  # noqa: DJ008 (planted, never shown)
        owner = models.ForeignKey(User, on_delete=models.CASCADE)

        class Meta:
            app_label = "planted"

    class Favourites(models.Model):  # noqa: DJ008
        people = models.ManyToManyField(User)

        class Meta:
            app_label = "planted"

    class Tag(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "planted"

    found = gdpr.uncovered_models([Post, User, Bookmark, Favourites, Tag])
    assert found == ["planted.Bookmark", "planted.Favourites"]


def test_every_exemption_names_an_installed_model_and_says_why():
    for label, reason in gdpr.EXEMPT.items():
        assert apps.get_model(label) is not None
        assert len(reason) > 40


def test_a_model_cannot_be_registered_twice():
    with pytest.raises(ImproperlyConfigured, match="twice"):
        gdpr.register(Post, exporter=lambda user: [], eraser=gdpr.keep)
    assert "news.Post" in gdpr.registered_labels()


# Export


def test_export_holds_everything_the_member_wrote_and_their_image(portal_a):
    member = member_of(portal_a, display_name="Greta Beispiel", language="en")
    with in_portal(portal_a):
        post_create(author=member, body="Die Bank am Deich ist repariert.")
        with_image = post_create(author=member, body="Foto vom Deich", image=_image())
        stored_image = default_storage.open(with_image.image.name).read()
        archive = member_data_export(user=member)
        logged = AuditEvent.objects.get(event_type=EventType.MEMBER_DATA_EXPORTED)
        assert logged.actor == member

    files = _unzip(archive)
    data = json.loads(files["data.json"])
    assert len(data["accounts.User"]) == 1
    account = data["accounts.User"][0]
    assert (account["email"], account["display_name"]) == (member.email, "Greta Beispiel")
    posts = {row["body"]: row for row in data["news.Post"]}
    assert set(posts) == {"Die Bank am Deich ist repariert.", "Foto vom Deich"}
    assert posts["Die Bank am Deich ist repariert."]["image"] is None
    image_path = posts["Foto vom Deich"]["image"]
    assert image_path.startswith("files/posts/")
    assert files[image_path] == stored_image
    published = [r for r in data["core.AuditEvent"] if r["event"] == EventType.POST_PUBLISHED]
    assert len(published) == 2
    readme = files["README.txt"].decode()
    assert "Portal Alpha" in readme and "data.json" in readme and "files/" in readme
    assert "This archive holds" in readme  # the member's language (English), not the portal's


def test_export_holds_nothing_of_another_member(portal_a):
    member = member_of(portal_a, display_name="Greta Beispiel")
    other = member_of(portal_a, display_name="Otto Anders", email="otto.anders@example.org")
    with in_portal(portal_a):
        post_create(author=member, body="Greta schreibt über den Deich.")
        post_create(author=other, body="Ottos Beitrag über die Schleuse", image=_image("o.jpg"))
        archive = member_data_export(user=member)
        others_archive = member_data_export(user=other)

    everything = _everything(archive)
    assert b"Greta schreibt" in everything  # positive control: the search sees the contents
    for trace in ("Ottos Beitrag", "otto.anders@example.org", "Otto Anders"):
        assert trace.encode() not in everything
    assert not [n for n in _unzip(archive) if n.startswith("files/")]
    # Positive control: the same things are in Otto's own export.
    theirs = _everything(others_archive)
    assert b"Ottos Beitrag" in theirs and b"otto.anders@example.org" in theirs
    assert [n for n in _unzip(others_archive) if n.startswith("files/")]


def test_an_admins_export_shows_what_they_did_to_accounts_but_not_whose(portal_a):
    from accounts.services import user_invite

    admin = admin_of(portal_a)
    with in_portal(portal_a):
        user_invite(email="ina.eingeladen@example.org", display_name="Ina Eingeladen", actor=admin)
        user_invite(email="ohne.namen@example.org", actor=admin)  # labelled by the address
        labels = set(AuditEvent.objects.values_list("object_label", flat=True))
        assert {"Ina Eingeladen", "ohne.namen@example.org"} <= labels  # what could leak
        archive = member_data_export(user=admin)

    data = json.loads(_unzip(archive)["data.json"])
    events = [row["event"] for row in data["core.AuditEvent"] if row["as"] == "actor"]
    assert events.count(EventType.MEMBER_INVITED) == 2  # the admin's actions are there
    everything = _everything(archive)
    for trace in ("ina.eingeladen@example.org", "Ina Eingeladen", "ohne.namen@example.org"):
        assert trace.encode() not in everything


def test_the_export_names_a_second_factor_but_never_its_secret(portal_a):
    Authenticator = apps.get_model("mfa", "Authenticator")
    member = member_of(portal_a)
    with in_portal(portal_a):
        Authenticator.objects.create(
            user=member, type="totp", data={"secret": "JBSWY3DPEHPK3PXPSECRET"}
        )
        archive = member_data_export(user=member)
        data = json.loads(_unzip(archive)["data.json"])
        assert [row["type"] for row in data["mfa.Authenticator"]] == ["totp"]
        assert b"JBSWY3DPEHPK3PXPSECRET" not in _everything(archive)
        member_erase(user=member, keep_content=True)
        assert not Authenticator.objects.filter(user=member).exists()


def test_an_account_of_another_portal_is_refused(portal_a, portal_b):
    stranger = member_of(portal_b, display_name="Bea Beta")
    with in_portal(portal_a):
        with pytest.raises(ValueError, match="schema"):
            member_data_export(user=stranger)
        with pytest.raises(ValueError, match="schema"):
            member_erase(user=stranger, keep_content=False)
    with in_portal(portal_b):
        stranger.refresh_from_db()
        assert str(stranger) == "Bea Beta"
        assert member_data_export(user=stranger)  # positive control: in their own portal


# Erasure


def test_erased_member_keeping_posts_is_gone_and_shown_as_former_member(portal_a, client_a):
    admin = admin_of(portal_a, display_name="Vera Vorstand")
    member = member_of(portal_a, display_name="", email="greta.beispiel@example.org")
    with in_portal(portal_a):
        # Rows other people's actions left about her: labelled with her address (she had no
        # name yet) and naming an earlier address in the detail.
        audit_record(event_type=EventType.MEMBER_APPROVED, actor=admin, obj=member)
        audit_record(
            event_type=EventType.MEMBER_EMAIL_CHANGED,
            actor=admin,
            obj=member,
            detail={"from": "greta.alt@example.org", "to": member.email},
        )
        member.display_name = "Greta Beispiel"
        member.save()
        post_create(author=member, body="Die Bank am Deich ist repariert.")
        post_create(author=admin, body="Neues vom Vorstand")
        assert _audit_rows_naming("greta.beispiel@example.org")  # what erasing must remove
    session = log_in(_english_client(portal_a), member)
    assert "Greta Beispiel" in session.get("/").content.decode()

    with in_portal(portal_a):
        member_erase(user=member, keep_content=True)
        member.refresh_from_db()
        assert not User.objects.filter(
            Q(email__icontains="greta") | Q(display_name__icontains="Greta")
        ).exists()
        assert _audit_rows_naming("greta.beispiel@example.org") == []
        assert _audit_rows_naming("greta.alt@example.org") == []
        assert _audit_rows_naming("Greta Beispiel") == []
        deleted = AuditEvent.objects.get(event_type=EventType.MEMBER_DELETED)
        assert deleted.actor is None and deleted.actor_label == "member"
        # The rows stay, pointing at the anonymised account.
        assert AuditEvent.objects.filter(actor=member, event_type=EventType.POST_PUBLISHED)
        assert Post.objects.get(author=member).body == "Die Bank am Deich ist repariert."

    page = client_a.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Die Bank am Deich ist repariert." in page
    assert "Former member" in page and "Greta" not in page
    assert "Neues vom Vorstand" in page and "Vera Vorstand" in page
    # Her open session ends, and she cannot log in again.
    assert 'class="who"' not in session.get("/").content.decode()
    retry = _english_client(portal_a).post(
        "/accounts/login/", {"login": "greta.beispiel@example.org", "password": "x"}
    )
    assert retry.status_code == 200
    assert session_user_id(retry.client, portal_a) is None


def test_the_erased_account_cannot_log_in_with_its_old_password(portal_a):
    from tests.accounts.factories import PASSWORD

    member = member_of(portal_a)
    old_email = member.email
    log_in(_english_client(portal_a), member)  # positive control: the login works before
    with in_portal(portal_a):
        member_erase(user=member, keep_content=True)
        member.refresh_from_db()
        assert not member.has_usable_password() and not member.is_active
    for login in (old_email, member.email):
        client = _english_client(portal_a)
        response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
        assert response.status_code != 302
        assert session_user_id(client, portal_a) is None


def test_erased_member_deleting_posts_loses_them_and_their_images(
    portal_a, client_a, django_capture_on_commit_callbacks
):
    member = member_of(portal_a, display_name="Greta Beispiel")
    other = member_of(portal_a, display_name="Otto Anders")
    with in_portal(portal_a):
        post_create(author=member, body="Gretas Text ohne Bild")
        mine = post_create(author=member, body="Gretas Foto vom Deich", image=_image())
        theirs = post_create(author=other, body="Ottos Foto", image=_image("otto.jpg"))
        assert default_storage.exists(mine.image.name)
        with django_capture_on_commit_callbacks(execute=True):
            member_erase(user=member, keep_content=False, actor=admin_of(portal_a))
        assert not Post.objects.filter(author=member).exists()
        assert not default_storage.exists(mine.image.name)
        assert default_storage.exists(theirs.image.name)
        assert _audit_rows_naming("Gretas") == []  # the start of the text labelled the rows
        deleted = AuditEvent.objects.get(event_type=EventType.MEMBER_DELETED)
        assert deleted.actor is not None and deleted.detail == {"content": "deleted"}

    page = client_a.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Gretas" not in page and "Former member" not in page
    assert "Ottos Foto" in page and "Otto Anders" in page


def test_a_member_cannot_erase_someone_else(portal_a):
    from django.core.exceptions import PermissionDenied

    member = member_of(portal_a, display_name="Greta Beispiel")
    neighbour = member_of(portal_a)
    with in_portal(portal_a):
        with pytest.raises(PermissionDenied):
            member_erase(user=member, keep_content=True, actor=neighbour)
        member.refresh_from_db()
        assert str(member) == "Greta Beispiel"
        member_erase(user=member, keep_content=True, actor=member)  # positive control: herself
        member.refresh_from_db()
        assert str(member) == "Former member"


def test_the_last_administrator_cannot_be_erased_until_there_is_another(portal_a, english):
    with in_portal(portal_a):
        only = User.objects.get(role=Role.ADMIN)  # the portal's first admin, from provisioning
        with pytest.raises(ValidationError, match="last administrator"):
            member_erase(user=only, keep_content=True)
        only.refresh_from_db()
        assert only.email == "admin@alpha.example" and only.is_active
    second = admin_of(portal_a)
    with in_portal(portal_a):
        member_erase(user=only, keep_content=True, actor=second)
        only.refresh_from_db()
        assert str(only) == "Former member" and not only.is_active
        # And now the second is the last one.
        with pytest.raises(ValidationError, match="last administrator"):
            member_erase(user=second, keep_content=True)
        with pytest.raises(ValidationError, match="deleted already"):
            member_erase(user=only, keep_content=True, actor=second)


# Platform staff (public schema)


def test_an_operators_export_and_erasure_cover_the_platform_records(portal_b):
    operator = staff_user(email="ops.one@allmende.example", display_name="Olga Operator")
    colleague = staff_user(email="ops.two@allmende.example")
    grant = feature_grant(
        portal=portal_b,
        feature="custom_css",
        expires_at=timezone.now() + timedelta(days=30),
        granted_by=operator,
        note="Pilot für den Kreistag",
    )
    # The colleague edited Olga's account in the console: the admin log names her.
    LogEntry.objects.log_actions(
        user_id=colleague.pk, queryset=[operator], action_flag=CHANGE, change_message="[]"
    )
    LogEntry.objects.log_actions(
        user_id=operator.pk, queryset=[colleague], action_flag=CHANGE, change_message="[]"
    )
    assert LogEntry.objects.filter(object_repr="Olga Operator").exists()  # what must go

    data = json.loads(_unzip(member_data_export(user=operator))["data.json"])
    assert "news.Post" not in data  # no posts in the public schema
    assert [g["note"] for g in data["features.FeatureGrant"]] == ["Pilot für den Kreistag"]
    assert {row["as"] for row in data["admin.LogEntry"]} == {"actor", "subject"}
    assert "ops.two@allmende.example" not in json.dumps(data)

    member_erase(user=operator, keep_content=True, actor=colleague)
    grant = FeatureGrant.objects.get(pk=grant.pk)
    assert str(grant.granted_by) == "Former member"  # the grant stays, without her name
    assert not LogEntry.objects.filter(
        Q(object_repr__icontains="Olga") | Q(object_repr__icontains="ops.one")
    ).exists()
    assert LogEntry.objects.filter(user=operator).exists()  # her own entries stay
    assert not User.objects.filter(email="ops.one@allmende.example").exists()
    assert not User.objects.get(pk=operator.pk).is_staff
