"""The documents pages, the download and the API, as people on the portal meet them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import services
from documents.models import Document, DocumentVersion
from features.models import FeatureGrant, Plan
from features.selectors import forget_portal_features, portal_features
from tenants.storage import portal_media_root
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal
from tests.documents.conftest import HTML, PDF, SVG, png_bytes, upload
from tests.features.conftest import set_feature
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


def _document(cast, name="Protokoll.pdf", data=PDF, title="Protokoll", folder=None, user=None):
    with in_portal(cast.portal):
        return services.document_upload(
            user=user or cast.member,
            space=cast.space,
            folder=folder,
            file=upload(name, data),
            title=title,
        )


def _urls(document) -> dict[str, str]:
    slug = document.space.slug
    return {
        "list": f"/spaces/{slug}/documents/",
        "page": f"/spaces/{slug}/documents/{document.pk}/",
        "download": f"/spaces/{slug}/documents/{document.pk}/download/",
        "version": f"/spaces/{slug}/documents/{document.pk}/download/1/",
        "api": f"/api/v1/documents/{document.pk}/",
    }


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_portal_b_has_documents_by_default(portal_b):
    enabled = portal_features(portal_b).enabled
    assert "documents" in enabled and "spaces" in enabled


def test_upload_and_download_round_trip(cast):
    client = logged_in_client(cast.portal, cast.member)
    response = client.post(
        f"/spaces/{cast.space.slug}/documents/upload/",
        {"file": upload("Plan.pdf", PDF, "text/html"), "title": "Der Plan", "folder": ""},
    )
    assert response.status_code == 302
    with in_portal(cast.portal):
        document = Document.objects.select_related("space").get(title="Der Plan")
    assert response["Location"] == f"/spaces/{cast.space.slug}/documents/{document.pk}/"

    download = client.get(_urls(document)["download"])
    assert download.status_code == 200
    assert _body(download) == PDF
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "content_type", "disposition"),
    [
        ("bericht.pdf", PDF, "application/pdf", "inline"),
        ("bild.png", png_bytes(), "image/png", "inline"),
        ("seite.html", HTML, "text/plain; charset=utf-8", "attachment"),
        ("logo.svg", SVG, "text/plain; charset=utf-8", "attachment"),
        ("daten.bin", b"\0\1\2\3", "application/octet-stream", "attachment"),
        (
            "falsch.png",
            b"\x89PNG\r\n\x1a\n<script>alert(1)</script>",
            "application/octet-stream",
            "attachment",
        ),
    ],
)
def test_download_headers(cast, name, data, content_type, disposition):
    document = _document(cast, name=name, data=data)
    response = logged_in_client(cast.portal, cast.member).get(_urls(document)["download"])

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(f"{disposition}; filename=")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert "script-src" not in csp


def test_a_non_ascii_file_name_is_sent_as_rfc_6266_filename_star(cast):
    document = _document(cast, name='Grüße "aus"\r\nX-Evil: 1.txt', data=b"hallo")
    response = logged_in_client(cast.portal, cast.member).get(_urls(document)["download"])
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe")
    assert "\n" not in disposition and "\r" not in disposition


@pytest.mark.parametrize("surface", ["list", "page", "download", "version", "api"])
def test_a_portal_member_outside_the_space_gets_404_and_a_space_member_200(cast, surface):
    document = _document(cast)
    url = _urls(document)[surface]

    assert logged_in_client(cast.portal, cast.member).get(url).status_code == 200
    assert logged_in_client(cast.portal, cast.outsider).get(url).status_code == 404


@pytest.mark.parametrize("surface", ["list", "page", "download", "version"])
def test_visitors_are_sent_to_log_in_and_see_nothing(cast, surface):
    document = _document(cast)
    url = _urls(document)[surface]
    missing = url.replace(f"/{document.pk}/", "/999999/").replace(cast.space.slug, "no-such-space")

    response = Client(HTTP_HOST=host_of(cast.portal)).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # The same answer for something that does not exist: the redirect tells nothing.
    other = Client(HTTP_HOST=host_of(cast.portal)).get(missing)
    assert other.status_code == 302 and other["Location"].startswith("/accounts/login/")
    assert logged_in_client(cast.portal, cast.member).get(url).status_code == 200


def test_visitors_get_no_api_answer(cast):
    document = _document(cast)
    response = Client(HTTP_HOST=host_of(cast.portal)).get(_urls(document)["api"])
    assert response.status_code in (401, 403)
    assert b"Protokoll" not in response.content


@pytest.mark.parametrize("surface", ["list", "page", "download", "version", "api"])
def test_a_member_of_another_portal_gets_404(cast, portal_a, surface):
    # Portal A gets the module too (a grant), so the 404 comes from the portals' separation.
    for key in ("spaces", "documents"):
        FeatureGrant.objects.create(
            portal=portal_a, feature=key, expires_at=timezone.now() + timedelta(days=1)
        )
    forget_portal_features([portal_a.pk])
    document = _document(cast)
    url = _urls(document)[surface]
    stranger = member_of(portal_a)

    assert logged_in_client(cast.portal, cast.member).get(url).status_code == 200
    assert logged_in_client(portal_a, stranger).get(url).status_code == 404
    # Their cookie on B's host is nobody's there.
    on_b = logged_in_client(portal_a, stranger)
    on_b.defaults["HTTP_HOST"] = host_of(cast.portal)
    assert on_b.get(url).status_code in (302, 403)


def test_documents_are_internal_even_in_a_public_space_but_staff_see_them(cast):
    document = _document(cast)
    moderator = member_of(cast.portal, role="moderator")
    assert logged_in_client(cast.portal, moderator).get(_urls(document)["page"]).status_code == 200


def test_a_private_space_is_404_for_outsiders_with_a_positive_control(cast):
    from spaces.models import SpaceVisibility

    with in_portal(cast.portal):
        cast.space.visibility = SpaceVisibility.PRIVATE
        cast.space.save()
    document = _document(cast)
    for url in _urls(document).values():
        assert logged_in_client(cast.portal, cast.outsider).get(url).status_code == 404
        assert logged_in_client(cast.portal, cast.member).get(url).status_code == 200


def test_hidden_documents_only_for_moderators_and_deleted_for_nobody(cast):
    hidden = _document(cast, title="Versteckt")
    deleted = _document(cast, title="Gelöscht")
    with in_portal(cast.portal):
        Document.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
        Document.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    member = logged_in_client(cast.portal, cast.member)
    admin = logged_in_client(cast.portal, cast.admin)
    assert member.get(_urls(hidden)["download"]).status_code == 404
    assert admin.get(_urls(hidden)["download"]).status_code == 200
    assert admin.get(_urls(deleted)["download"]).status_code == 404
    assert "Versteckt" not in member.get(_urls(hidden)["list"]).content.decode()


def test_the_module_switched_off_hides_everything_and_on_brings_it_back(cast):
    document = _document(cast)
    client = logged_in_client(cast.portal, cast.member)
    urls = _urls(document)
    for url in urls.values():
        assert client.get(url).status_code == 200

    set_feature(cast.portal, "documents", False)
    for url in urls.values():
        assert client.get(url).status_code == 404, url

    set_feature(cast.portal, "documents", True)
    assert client.get(urls["download"]).status_code == 200


def test_document_files_are_not_served_under_media(cast):
    document = _document(cast)
    with in_portal(cast.portal):
        name = DocumentVersion.objects.get(document=document).file.name
    assert (portal_media_root(cast.portal) / name).is_file()

    for client in (
        logged_in_client(cast.portal, cast.outsider),
        logged_in_client(cast.portal, cast.member),  # even the space's own members
    ):
        for path in (name, f"x/../{name}"):
            assert client.get(f"/media/{path}").status_code == 404, path


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "Ohne Datei"}, "Choose a file"),
        ({"title": "Leer", "file": upload("leer.txt", b"")}, "is empty"),
    ],
)
def test_bad_uploads_show_the_form_again_with_a_clear_error(cast, english, fields, message):
    client = logged_in_client(cast.portal, cast.member, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(f"/spaces/{cast.space.slug}/documents/upload/", fields)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{fields["title"]}"' in body  # the title is kept
    with in_portal(cast.portal):
        assert not Document.objects.exists()


def test_an_upload_over_quota_shows_the_form_again_and_stores_nothing(
    cast, english, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(key="professional")
    plan.storage_mb = 1
    with django_capture_on_commit_callbacks(execute=True):
        plan.save()
    client = logged_in_client(cast.portal, cast.member, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"/spaces/{cast.space.slug}/documents/upload/",
        {"title": "Riesig", "file": upload("riesig.bin", b"\1" * (2 * 1024 * 1024))},
    )

    assert response.status_code == 400
    assert "does not fit" in response.content.decode()
    with in_portal(cast.portal):
        assert not Document.objects.exists()
    root = portal_media_root(cast.portal)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_a_new_version_through_the_page(cast):
    document = _document(cast)
    client = logged_in_client(cast.portal, cast.member)
    response = client.post(
        f"/spaces/{cast.space.slug}/documents/{document.pk}/versions/",
        {"file": upload("neu.txt", b"Fassung zwei")},
    )
    assert response.status_code == 302
    assert _body(client.get(_urls(document)["download"])) == b"Fassung zwei"
    assert _body(client.get(_urls(document)["version"])) == PDF
    page = client.get(_urls(document)["page"]).content.decode()
    assert "neu.txt" in page and "Protokoll.pdf" in page


def test_a_missing_version_is_404(cast):
    document = _document(cast)
    client = logged_in_client(cast.portal, cast.member)
    assert (
        client.get(_urls(document)["download"].replace("/download/", "/download/7/")).status_code
        == 404
    )


def test_delete_through_the_page(cast):
    document = _document(cast)
    outsider = logged_in_client(cast.portal, cast.outsider)
    assert (
        outsider.post(f"/spaces/{cast.space.slug}/documents/{document.pk}/delete/").status_code
        == 404
    )
    client = logged_in_client(cast.portal, cast.member)
    response = client.post(f"/spaces/{cast.space.slug}/documents/{document.pk}/delete/")
    assert response.status_code == 302
    assert client.get(_urls(document)["page"]).status_code == 404


def test_folders_through_the_pages(cast, english):
    client = logged_in_client(cast.portal, cast.member, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(f"/spaces/{cast.space.slug}/documents/folders/new/", {"name": "Fotos"})
    assert response.status_code == 302
    folder_url = response["Location"]
    response = client.post(
        f"/spaces/{cast.space.slug}/documents/upload/",
        {
            "file": upload("a.png", png_bytes()),
            "title": "Foto",
            "folder": folder_url.rstrip("/").rsplit("/", 1)[1],
        },
    )
    assert response.status_code == 302
    page = client.get(folder_url).content.decode()
    assert "<h1>Fotos</h1>" in page and "Foto" in page
    assert "Foto</a>" not in client.get(f"/spaces/{cast.space.slug}/documents/").content.decode()
    # Not empty: it stays.
    client.post(folder_url + "delete/")
    assert client.get(folder_url).status_code == 200


def test_script_in_a_title_is_escaped(cast):
    document = _document(cast, title='<script>alert("x")</script>')
    client = logged_in_client(cast.portal, cast.member)
    for url in (f"/spaces/{cast.space.slug}/documents/", _urls(document)["page"]):
        body = client.get(url).content.decode()
        assert '<script>alert("x")' not in body
        assert "&lt;script&gt;" in body


def test_api_lists_only_documents_the_caller_may_see(cast):
    mine = _document(cast, title="Intern")
    with in_portal(cast.portal):
        elsewhere = space_of(admin=cast.outsider)
        services.document_upload(
            user=cast.outsider,
            space=elsewhere,
            folder=None,
            file=upload("x.pdf", PDF),
            title="Fremd",
        )
    response = logged_in_client(cast.portal, cast.member).get("/api/v1/documents/")
    assert response.status_code == 200
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [row["title"] for row in rows] == ["Intern"]
    assert rows[0]["versions"][0]["download"].endswith(
        f"/spaces/{cast.space.slug}/documents/{mine.pk}/download/1/"
    )


def _list_queries(cast) -> int:
    client = logged_in_client(cast.portal, cast.member)
    client.get(f"/spaces/{cast.space.slug}/documents/")  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/spaces/{cast.space.slug}/documents/").status_code == 200
    return len(queries)


def test_the_list_needs_as_many_queries_for_many_documents_as_for_few(cast):
    with in_portal(cast.portal):
        folder = services.folder_create(user=cast.member, space=cast.space, name="Ordner")
    document = _document(cast)
    with in_portal(cast.portal):
        services.version_add(user=cast.admin, document=document, file=upload("b.txt", b"b"))
    few = _list_queries(cast)

    for number in range(6):
        other = _document(cast, title=f"Dokument {number}", user=cast.admin)
        with in_portal(cast.portal):
            services.version_add(user=cast.member, document=other, file=upload("c.txt", b"c"))
            services.folder_create(user=cast.member, space=cast.space, name=f"Ordner {number}")
    assert folder.pk
    assert _list_queries(cast) == few
