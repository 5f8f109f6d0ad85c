"""Portal isolation: what is written in portal A is invisible in portal B through the ORM, the
HTTP pages, the cache, media URLs and sessions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import User
from news.models import Post
from tenants.storage import portal_media_root
from tests.accounts.factories import (
    PASSWORD,
    UserFactory,
    host_of,
    log_in,
    member_of,
    session_user_id,
    staff_user,
)
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db


def _png(name: str = "bild.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _page(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _session_cookie(client: Client):
    return client.cookies[settings.SESSION_COOKIE_NAME]


# --- ORM -------------------------------------------------------------------------------------


def test_rows_created_in_portal_a_are_not_in_portal_b_schema(portal_a, portal_b):
    with in_portal(portal_a):
        post = PostFactory(body="Nur für Alpha")
        author_email = post.author.email
        assert Post.objects.filter(body="Nur für Alpha").exists()
        assert User.objects.filter(email=author_email).exists()

    with in_portal(portal_b):
        assert not Post.objects.filter(body="Nur für Alpha").exists()
        assert not User.objects.filter(email=author_email).exists()

    assert not User.objects.filter(email=author_email).exists()  # nor in the public schema


def test_same_email_can_be_a_separate_member_in_each_portal(portal_a, portal_b, client_a, client_b):
    in_a = member_of(portal_a, email="doppelt@example.org", display_name="In Alpha")
    in_b = member_of(
        portal_b, email="doppelt@example.org", display_name="In Beta", password="beta-geheim-42"
    )
    with in_portal(portal_b):
        assert User.objects.get(email="doppelt@example.org").display_name == "In Beta"
    with in_portal(portal_a):
        assert User.objects.get(email="doppelt@example.org").display_name == "In Alpha"

    # Each portal's password opens that portal's account, and each shows its own name.
    log_in(client_a, in_a)
    log_in(client_b, in_b, "beta-geheim-42")
    page_a, page_b = _page(client_a), _page(client_b)
    assert "In Alpha" in page_a and "In Beta" not in page_a
    assert "In Beta" in page_b and "In Alpha" not in page_b
    other_password = Client(HTTP_HOST=host_of(portal_b)).post(
        "/accounts/login/", {"login": "doppelt@example.org", "password": PASSWORD}
    )
    assert other_password.status_code == 200  # the form again: A's password is not B's


# --- HTTP pages ------------------------------------------------------------------------------


def test_post_of_portal_a_appears_on_a_home_page_and_not_on_b(client_a, client_b, portal_a):
    with in_portal(portal_a):
        PostFactory(body="Sommerfest am Marktplatz in Alpha")

    page_a = client_a.get("/")
    page_b = client_b.get("/")

    assert page_a.status_code == 200
    assert page_b.status_code == 200
    assert "Sommerfest am Marktplatz in Alpha" in page_a.content.decode()
    assert "Sommerfest am Marktplatz in Alpha" not in page_b.content.decode()


def test_each_home_page_shows_its_own_portal_name(client_a, client_b, portal_a, portal_b):
    body_a = client_a.get("/").content.decode()
    body_b = client_b.get("/").content.decode()

    assert portal_a.name in body_a and portal_b.name not in body_a
    assert portal_b.name in body_b and portal_a.name not in body_b


# --- cache -----------------------------------------------------------------------------------


def test_cache_entry_set_in_portal_a_is_not_readable_in_portal_b(portal_a, portal_b):
    with in_portal(portal_a):
        cache.set("isolation:probe", "geheim-alpha", 60)
        assert cache.get("isolation:probe") == "geheim-alpha"

    with in_portal(portal_b):
        assert cache.get("isolation:probe") is None
        # Writing the same key in B must not overwrite A's entry.
        cache.set("isolation:probe", "beta", 60)

    with in_portal(portal_a):
        assert cache.get("isolation:probe") == "geheim-alpha"
    assert cache.get("isolation:probe") is None  # nor in the public schema


def test_cache_keys_are_prefixed_with_the_schema(portal_a, portal_b):
    with in_portal(portal_a):
        key_a = cache.make_key("probe")
    with in_portal(portal_b):
        key_b = cache.make_key("probe")

    assert key_a.startswith(f"{portal_a.schema_name}:")
    assert key_b.startswith(f"{portal_b.schema_name}:")
    assert key_a != key_b


def test_theme_cached_for_portal_a_is_not_served_on_portal_b(
    client_a, client_b, portal_a, portal_b
):
    assert portal_a.name in client_a.get("/").content.decode()  # caches A's theme

    body_b = client_b.get("/").content.decode()

    assert portal_b.name in body_b
    assert portal_a.name not in body_b


# --- media -----------------------------------------------------------------------------------


@pytest.fixture
def post_with_image_in_a(portal_a) -> Post:
    with in_portal(portal_a):
        return PostFactory(body="Mit Bild", image=_png())


def test_uploaded_image_is_stored_under_the_portal_uid(post_with_image_in_a, portal_a):
    name = post_with_image_in_a.image.name
    expected = Path(settings.MEDIA_ROOT) / "portals" / str(portal_a.uid) / name

    stored = [p for p in Path(settings.MEDIA_ROOT).rglob(Path(name).name) if p.is_file()]

    assert stored == [expected]


def test_media_file_of_portal_a_is_served_on_a_with_nosniff(client_a, post_with_image_in_a):
    url = post_with_image_in_a.image.url
    assert url.startswith(settings.MEDIA_URL)

    response = client_a.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_media_url_of_portal_a_is_404_on_b(client_a, client_b, post_with_image_in_a):
    response = client_b.get(post_with_image_in_a.image.url)

    assert response.status_code == 404
    assert client_a.get(post_with_image_in_a.image.url).status_code == 200


def test_image_url_appears_only_on_a_home_page(client_a, client_b, post_with_image_in_a):
    url = post_with_image_in_a.image.url

    assert url in client_a.get("/").content.decode()
    assert url not in client_b.get("/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/media/../../secret_key",
        "/media/posts/../../../secret_key",
        "/media/%2e%2e/%2e%2e/secret_key",
        "/media/..%2f..%2fsecret_key",
        "/media//etc/passwd",
        "/media/%2Fetc%2Fpasswd",
    ],
)
def test_media_path_traversal_gets_404(client_a, client_b, portal_a, path):
    # A file right above the portals' folders, which a traversal would reach.
    secret = Path(settings.MEDIA_ROOT) / "secret_key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("not for portals")
    # And one the portal may serve: the same client gets it by its plain name.
    allowed = portal_media_root(portal_a) / "posts" / "erlaubt.txt"
    allowed.parent.mkdir(parents=True, exist_ok=True)
    allowed.write_text("for portal A")
    try:
        assert client_a.get(path).status_code == 404
        assert client_b.get(path).status_code == 404
        served = client_a.get("/media/posts/erlaubt.txt")
        assert served.status_code == 200
        assert b"".join(served.streaming_content) == b"for portal A"
    finally:
        secret.unlink()


def test_portal_b_cannot_reach_portal_a_media_by_climbing_out_of_its_folder(
    client_a, client_b, portal_a, post_with_image_in_a
):
    path = f"/media/../{portal_a.uid}/{post_with_image_in_a.image.name}"

    assert client_b.get(path).status_code == 404
    assert client_a.get(post_with_image_in_a.image.url).status_code == 200


def test_media_of_a_portal_is_not_served_on_the_platform_host(
    platform_client, client_a, post_with_image_in_a
):
    assert platform_client.get(post_with_image_in_a.image.url).status_code == 404
    assert client_a.get(post_with_image_in_a.image.url).status_code == 200


# --- sessions --------------------------------------------------------------------------------


def test_session_cookie_is_host_only(client_a, portal_a):
    member = member_of(portal_a)

    log_in(client_a, member)

    cookie = _session_cookie(client_a)
    assert cookie.value
    assert cookie["domain"] == ""
    assert cookie["httponly"]


def test_session_of_portal_a_is_anonymous_on_portal_b(client_a, portal_a, portal_b):
    member = member_of(portal_a)
    log_in(client_a, member)
    client_b = Client(HTTP_HOST=host_of(portal_b))
    client_b.cookies[settings.SESSION_COOKIE_NAME] = _session_cookie(client_a).value

    response = client_b.post("/posts/new/", {"body": "Eingeschmuggelt"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/posts/new/"
    assert str(member) in _page(client_a)
    assert str(member) not in _page(client_b)
    assert "Eingeschmuggelt" not in _page(client_b)
    with in_portal(portal_b):
        assert not Post.objects.filter(body="Eingeschmuggelt").exists()


def test_session_of_portal_a_is_anonymous_on_b_even_if_b_has_a_user_with_that_id(
    client_a, portal_a, portal_b
):
    member = member_of(portal_a, display_name="Anna aus Alpha")
    log_in(client_a, member)
    with in_portal(portal_b):
        if not User.objects.filter(pk=member.pk).exists():
            UserFactory(id=member.pk)
        User.objects.filter(pk=member.pk).update(display_name="Bernd aus Beta")
    client_b = Client(HTTP_HOST=host_of(portal_b))
    client_b.cookies[settings.SESSION_COOKIE_NAME] = _session_cookie(client_a).value

    response = client_b.post("/posts/new/", {"body": "Als Doppelgänger"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/posts/new/"
    assert "Bernd aus Beta" not in _page(client_b)
    assert "Als Doppelgänger" not in _page(client_b)
    with in_portal(portal_b):
        assert not Post.objects.filter(body="Als Doppelgänger").exists()
    # On its own portal the session is Anna's and she may post.
    assert "Anna aus Alpha" in _page(client_a)
    assert client_a.post("/posts/new/", {"body": "Als Anna"}).status_code == 302
    assert "Als Anna" in _page(client_a)


def test_platform_staff_session_is_anonymous_on_a_portal_host(platform_client, client_a, portal_a):
    platform_client.force_login(staff_user())
    client_a.cookies[settings.SESSION_COOKIE_NAME] = _session_cookie(platform_client).value

    response = client_a.post("/posts/new/", {"body": "Vom Betreiber"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/posts/new/"
    assert "Vom Betreiber" not in _page(client_a)
    with in_portal(portal_a):
        assert not Post.objects.filter(body="Vom Betreiber").exists()
    # The same session opens the operator console on the platform host.
    assert platform_client.get("/operator/").status_code == 200


def test_member_of_portal_a_cannot_log_in_on_portal_b(client_a, portal_a, portal_b):
    member = member_of(portal_a)
    client_b = Client(HTTP_HOST=host_of(portal_b))

    response = client_b.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert response.status_code == 200  # the form again, with an error
    # B may keep an anonymous session (it holds the form's CSRF secret), but nobody is in it.
    assert session_user_id(client_b, portal_b) is None
    # The same e-mail and password log in on portal A.
    log_in(client_a, member)
    assert str(member) in _page(client_a)


# --- posting ---------------------------------------------------------------------------------


def test_logged_in_member_of_a_can_post_on_a(client_a, client_b, portal_a):
    member = member_of(portal_a)
    log_in(client_a, member)

    response = client_a.post("/posts/new/", {"body": "Neuigkeit aus Alpha"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    with in_portal(portal_a):
        post = Post.objects.get(body="Neuigkeit aus Alpha")
        assert post.author_id == member.pk
    assert "Neuigkeit aus Alpha" in _page(client_a)
    assert "Neuigkeit aus Alpha" not in _page(client_b)


def test_member_of_a_with_the_same_session_on_b_is_redirected_to_login(
    client_a, portal_a, portal_b
):
    member = member_of(portal_a)
    log_in(client_a, member)
    assert client_a.post("/posts/new/", {"body": "Erst in Alpha"}).status_code == 302
    client_b = Client(HTTP_HOST=host_of(portal_b))
    client_b.cookies[settings.SESSION_COOKIE_NAME] = _session_cookie(client_a).value

    response = client_b.post("/posts/new/", {"body": "Dann in Beta"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/posts/new/"
    page_a, page_b = _page(client_a), _page(client_b)
    assert "Erst in Alpha" in page_a and "Erst in Alpha" not in page_b
    assert "Dann in Beta" not in page_a and "Dann in Beta" not in page_b
    with in_portal(portal_b):
        assert not Post.objects.filter(body="Dann in Beta").exists()
        assert not Post.objects.filter(body="Erst in Alpha").exists()
    with in_portal(portal_a):
        assert not Post.objects.filter(body="Dann in Beta").exists()


def test_posted_image_is_served_only_on_its_own_portal(client_a, client_b, portal_a):
    member = member_of(portal_a)
    log_in(client_a, member)

    response = client_a.post("/posts/new/", {"body": "Foto vom Fest", "image": _png("fest.png")})

    assert response.status_code == 302
    with in_portal(portal_a):
        url = Post.objects.get(body="Foto vom Fest").image.url
    assert client_a.get(url).status_code == 200
    assert client_b.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/media/bild%00.png", "/media/" + "x" * 300 + ".png", "/media/posts/", "/media/%ff%fe.png"],
    ids=["nul-byte", "name-too-long", "folder", "not-utf8"],
)
def test_odd_media_paths_get_404_not_500(portal_a, path):
    (portal_media_root(portal_a) / "posts").mkdir(parents=True, exist_ok=True)
    client = Client(HTTP_HOST=host_of(portal_a), raise_request_exception=False)

    assert client.get(path).status_code == 404
