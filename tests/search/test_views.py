"""The search page and the header form, as a person sees them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import MembershipPolicy
from spaces.models import SpaceVisibility
from tests.accounts.factories import logged_in_client, member_of
from tests.search.factories import comment_on, listed, thread_in
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db

HEADER_FORM = 'id="header-search-q"'
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_results_show_type_title_link_snippet_space_and_counts(portal_a, english):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Stadtteilgarten", description="Wir pflanzen Kürbisse.")
        thread = thread_in(
            space, title="Kürbisse ernten", body="Wann sind Kürbisse reif?", author=author
        )
        comment_on(thread, body="Die Kürbisse sind im Oktober reif.", author=author)
    client = logged_in_client(portal_a, author, **EN)

    page = client.get("/search/", {"q": "Kürbisse"}).content.decode()

    assert f'<a href="{thread.get_absolute_url()}">Kürbisse ernten</a>' in page
    assert f'<a href="{space.get_absolute_url()}">Stadtteilgarten</a>' in page
    assert "<mark>Kürbisse</mark>" in page
    assert "in Stadtteilgarten" in page
    for label in ("Space", "Discussion", "Post or comment"):
        assert f'<span class="search-type">{label}</span>' in page
    for link in ("Spaces", "Discussions", "Posts and comments"):
        assert f'{link} <span class="search-count">(1)</span>' in page
    assert 'href="?q=K%C3%BCrbisse&amp;type=threads"' in page


def test_a_filter_link_shows_only_that_type(portal_a, english):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Imkerei")
        thread_in(space, title="Imkerei Honig", author=author)
    client = logged_in_client(portal_a, author, **EN)

    page = client.get("/search/", {"q": "Imkerei", "type": "threads"}).content.decode()

    assert "Imkerei Honig" in page
    assert '<span class="search-type">Space</span>' not in page
    assert 'aria-current="page">Discussions' in page


def test_script_in_titles_and_texts_arrives_escaped(portal_a, english):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="<script>alert(1)</script> Zeltlager")
        thread_in(
            space,
            title="<img src=x onerror=alert(1)> Zeltlager",
            body="<script>x()</script> Zeltlager",
            author=author,
        )
    client = logged_in_client(portal_a, author, **EN)

    page = client.get("/search/", {"q": "Zeltlager"}).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; Zeltlager" in page
    assert "&lt;img src=x onerror=alert(1)&gt; Zeltlager" in page
    assert "<script>" not in page and "<img src=x" not in page
    assert "<mark>Zeltlager</mark>" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("k", "Enter at least 2 characters"), ("k" * 101, "Enter at most 100 characters")],
)
def test_a_query_too_short_or_too_long_is_shown_again_with_the_reason(
    client_a, english, query, message
):
    response = client_a.get("/search/", {"q": query}, **EN)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{query}"' in page
    assert 'aria-invalid="true"' in page


def test_an_empty_query_explains_what_can_be_searched(client_a, english):
    response = client_a.get("/search/", **EN)

    assert response.status_code == 200
    assert "Search spaces, discussions" in response.content.decode()


def test_nothing_found_says_so(client_a, english):
    page = client_a.get("/search/", {"q": "Zwetschgendatschi"}, **EN).content.decode()

    assert "Nothing found" in page


def test_private_content_is_not_found_through_the_page(portal_b, english):
    with tenant_context(portal_b):
        insider, outsider = member_of(portal_b), member_of(portal_b)
        space = space_of(
            name="Vorstand Klausur", visibility=SpaceVisibility.PRIVATE, members=[insider]
        )
        thread_in(space, title="Klausur Haushalt", author=insider)

    assert (
        "Klausur Haushalt"
        in logged_in_client(portal_b, insider, **EN)
        .get("/search/", {"q": "Klausur"})
        .content.decode()
    )  # positive control
    page = (
        logged_in_client(portal_b, outsider, **EN)
        .get("/search/", {"q": "Klausur"})
        .content.decode()
    )
    assert "Klausur Haushalt" not in page and "Vorstand" not in page


def test_a_member_of_portal_b_finds_nothing_of_portal_a(portal_a, portal_b, english):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        thread_in(space_of(name="Alpha Kiezfest"), title="Kiezfest Planung", author=author)

    assert (
        "Kiezfest Planung"
        in logged_in_client(portal_a, author, **EN)
        .get("/search/", {"q": "Kiezfest"})
        .content.decode()
    )  # positive control
    page = (
        logged_in_client(portal_b, member_of(portal_b), **EN)
        .get("/search/", {"q": "Kiezfest"})
        .content.decode()
    )
    assert "Kiezfest Planung" not in page and "Nothing found" in page


def test_members_link_to_their_profile(portal_b, english):
    with tenant_context(portal_b):
        member = member_of(portal_b, display_name="Ottilie Regenbogen")
        listed(member, place="Nordstadt")
    page = (
        logged_in_client(portal_b, member_of(portal_b), **EN)
        .get("/search/", {"q": "Regenbogen"})
        .content.decode()
    )

    assert f'<a href="/accounts/people/{member.pk}/">Ottilie Regenbogen</a>' in page
    assert "Nordstadt" in page


def test_the_header_form_is_on_every_portal_page(client_a, english):
    page = client_a.get("/", **EN).content.decode()

    assert HEADER_FORM in page
    assert 'role="search"' in page
    assert '<label class="visually-hidden" for="header-search-q">Search for</label>' in page
    assert '<button type="submit">Search</button>' in page


def test_visitors_of_a_members_only_portal_get_no_header_form(portal_a, client_a, english):
    with tenant_context(portal_a):
        MembershipPolicy.objects.update_or_create(pk=1, defaults={"members_only": True})
        cache.clear()
        member = member_of(portal_a)

    assert HEADER_FORM not in client_a.get("/", **EN).content.decode()
    assert HEADER_FORM in logged_in_client(portal_a, member, **EN).get("/").content.decode()


def _results_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "Sommerfest"})
    assert response.status_code == 200
    return len(queries)


def test_the_results_page_costs_the_same_queries_for_few_and_many_hits(portal_b):
    with tenant_context(portal_b):
        searcher = member_of(portal_b)
        author = member_of(portal_b, display_name="Sommerfest Fan")
        listed(author, place="Süd")

        def add(count: int) -> None:
            for _ in range(count):
                space = space_of(name="Sommerfest Gruppe")
                thread = thread_in(space, title="Sommerfest Ablauf", author=author)
                comment_on(thread, body="Sommerfest Kuchen", author=author)

        add(1)
    client = logged_in_client(portal_b, searcher, **EN)
    client.get("/search/", {"q": "Sommerfest"})  # caches filled (features, policy)
    few = _results_page_queries(client)
    with tenant_context(portal_b):
        add(12)
    many = _results_page_queries(client)

    assert few == many
