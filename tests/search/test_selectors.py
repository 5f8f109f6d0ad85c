"""search.selectors.search: word forms, ranking, snippets, visibility, modules, paging."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import MemberStatus, Role, Visibility
from search.selectors import COUNT_CAP, MAX_LENGTH, highlight, offered_types, search
from spaces.models import SpaceVisibility
from tests.accounts.factories import member_of
from tests.search.factories import comment_on, listed, set_feature, thread_in
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db

VISITOR = AnonymousUser()


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


def found(user, query: str, **options) -> list[str]:
    return titles(search(user=user, query=query, **options))


def test_german_plural_finds_singular_and_singular_finds_plural(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Verkehr")
        thread_in(space, title="Neue Radwege in der Altstadt", author=author)
        thread_in(space, title="Ein Radweg am Fluss", author=author)

        assert sorted(found(author, "Radweg")) == [
            "Ein Radweg am Fluss",
            "Neue Radwege in der Altstadt",
        ]
        assert sorted(found(author, "Radwege")) == sorted(found(author, "Radweg"))


def test_english_word_forms_find_each_other(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Mobility")
        thread_in(space, title="Cycling to school", author=author)
        thread_in(space, title="A cycle lane", author=author)

        assert sorted(found(author, "cycle")) == ["A cycle lane", "Cycling to school"]
        assert sorted(found(author, "cycling")) == ["A cycle lane", "Cycling to school"]


def test_a_title_match_ranks_above_a_body_match(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Garten")
        thread_in(space, title="Allgemeines", body="Wir brauchen Gießkannen.", author=author)
        thread_in(space, title="Gießkannen", body="Wer hat welche?", author=author)

        assert found(author, "Gießkannen") == ["Gießkannen", "Allgemeines"]


def test_the_snippet_marks_the_match_and_escapes_what_members_wrote(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Nachbarschaft")
        thread_in(
            space,
            title="Sicherheit",
            body='<script>alert("x")</script> Mehr **Radwege** & <b onclick="x()">Licht</b>',
            author=author,
        )

        (hit,) = search(user=author, query="Radweg").hits

    assert "<mark>Radwege</mark>" in hit.snippet
    assert "&amp;" in hit.snippet
    assert "<script" not in hit.snippet and "onclick" not in hit.snippet.replace("&", "")
    assert "**" not in hit.snippet
    assert hit.space_name == "Nachbarschaft"


def test_highlight_escapes_everything_but_its_own_marks():
    snippet = highlight('\x02Rad\x03 <script>alert("x")</script> [Link](javascript:x)')

    assert snippet == "<mark>Rad</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Link"


def test_markers_typed_by_a_member_do_not_become_marks(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Markers")
        thread_in(space, title="Zeichen", body="Vorher \x02Fahrrad\x03 nachher", author=author)

        (hit,) = search(user=author, query="Zeichen").hits

    assert "<mark>" not in hit.snippet
    assert "Fahrrad" in hit.snippet


def test_private_space_and_its_content_are_found_by_its_members_only(portal_b):
    with tenant_context(portal_b):
        insider, outsider = member_of(portal_b), member_of(portal_b)
        moderator = member_of(portal_b, role=Role.MODERATOR)
        space = space_of(
            name="Geheimrat Planung", visibility=SpaceVisibility.PRIVATE, members=[insider]
        )
        thread = thread_in(space, title="Geheimrat Sitzung", author=insider)
        comment_on(thread, body="Geheimrat tagt morgen", author=insider)

        assert search(user=insider, query="Geheimrat").hits  # positive control
        assert {h.type.key for h in search(user=insider, query="Geheimrat").hits} == {
            "spaces",
            "threads",
            "comments",
        }
        for other in (outsider, moderator, VISITOR):
            results = search(user=other, query="Geheimrat")
            assert results.hits == []
            assert all(c.count == 0 for c in results.counts)


def test_members_only_space_is_not_found_by_visitors(portal_a):
    with tenant_context(portal_a):
        member = member_of(portal_a)
        space = space_of(name="Intern Werkstatt", visibility=SpaceVisibility.MEMBERS)
        thread_in(space, title="Werkstatt Termine", author=member)
        public = space_of(name="Offene Werkstatt", visibility=SpaceVisibility.PUBLIC)

        assert sorted(found(member, "Werkstatt")) == [
            "Intern Werkstatt",
            "Offene Werkstatt",
            "Werkstatt Termine",
        ]
        assert found(VISITOR, "Werkstatt") == [public.name]


def test_nothing_of_portal_a_is_found_in_portal_b(portal_a, portal_b):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        thread_in(space_of(name="Alphaspace Quellwasser"), title="Quellwasser", author=author)
        assert found(author, "Quellwasser")  # positive control
    with tenant_context(portal_b):
        assert found(member_of(portal_b), "Quellwasser") == []


def test_deleted_and_hidden_content_is_found_by_nobody(portal_a, english):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        moderator = member_of(portal_a, role=Role.MODERATOR)
        space = space_of(name="Forum")
        now = timezone.now()
        kept = thread_in(space, title="Brunnenfest bleibt", author=author)
        thread_in(space, title="Brunnenfest gelöscht", author=author, deleted_at=now)
        thread_in(space, title="Brunnenfest versteckt", author=author, hidden_at=now)
        hidden_thread = thread_in(space, title="Anderes Thema", author=author, hidden_at=now)
        comment_on(kept, body="Brunnenfest Antwort", author=author)
        comment_on(kept, body="Brunnenfest gelöschte Antwort", author=author, deleted_at=now)
        comment_on(kept, body="Brunnenfest versteckte Antwort", author=author, hidden_at=now)
        comment_on(hidden_thread, body="Brunnenfest im versteckten", author=author)

        for user in (author, moderator):
            results = search(user=user, query="Brunnenfest")
            assert sorted((h.type.key, h.title) for h in results.hits) == [
                ("comments", "On “Brunnenfest bleibt”"),
                ("threads", "Brunnenfest bleibt"),
            ]


def test_spaces_module_off_finds_no_spaces_threads_or_their_comments(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Lastenrad Verleih")
        thread = thread_in(space, title="Lastenrad Termine", author=author)
        comment_on(thread, body="Lastenrad ist frei", author=author)
        assert len(found(author, "Lastenrad")) == 3  # positive control

        set_feature(portal_a, "spaces", False)

        results = search(user=author, query="Lastenrad")
        assert results.hits == []
        # Comments on news posts and ideas stay searchable; ideas and events are modules of
        # their own (portal-wide events need no spaces).
        assert {c.type.key for c in results.counts} == {"comments", "ideas", "events"}
        assert {t.key for t in offered_types(user=author)} == {"comments", "ideas", "events"}


def test_members_are_found_by_name_by_members_only(portal_b):
    with tenant_context(portal_b):
        searcher = member_of(portal_b)
        shown = member_of(portal_b, display_name="Hildegard Sonnenschein", email="hs@example.org")
        listed(shown, place="Altstadt")
        hidden_place = member_of(portal_b, display_name="Jo Sonnenschein")
        listed(hidden_place, place="Geheimweg 1", place_visibility=Visibility.PRIVATE)
        unlisted = member_of(portal_b, display_name="Uwe Sonnenschein")
        assert unlisted  # not in the directory: not found
        blocked = member_of(
            portal_b, display_name="Bea Sonnenschein", status=MemberStatus.BLOCKED, is_active=False
        )
        listed(blocked)

        results = search(user=searcher, query="Sonnenschein", types=["members"])
        assert sorted(titles(results)) == ["Hildegard Sonnenschein", "Jo Sonnenschein"]
        snippets = {h.title: str(h.snippet) for h in results.hits}
        assert snippets == {"Hildegard Sonnenschein": "Altstadt", "Jo Sonnenschein": ""}
        assert found(searcher, "hs@example.org", types=["members"]) == []
        assert found(VISITOR, "Sonnenschein") == []
        assert "members" not in {t.key for t in offered_types(user=VISITOR)}


def test_members_are_not_searchable_where_the_directory_is_off(portal_a, portal_b):
    with tenant_context(portal_a):
        searcher = member_of(portal_a)
        listed(member_of(portal_a, display_name="Karla Kolumna"))
        assert found(searcher, "Kolumna") == []
    with tenant_context(portal_b):
        searcher = member_of(portal_b)
        listed(member_of(portal_b, display_name="Karla Kolumna"))
        assert found(searcher, "Kolumna") == ["Karla Kolumna"]  # positive control


def test_a_type_filter_limits_the_hits_but_every_type_is_counted(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Apfelernte")
        thread = thread_in(space, title="Apfelernte Helfer", author=author)
        comment_on(thread, body="Apfelernte am Samstag", author=author)

        results = search(user=author, query="Apfelernte", types=["threads"])

    assert [h.type.key for h in results.hits] == ["threads"]
    assert {c.type.key: c.count for c in results.counts} == {
        "spaces": 1,
        "threads": 1,
        "comments": 1,
        "ideas": 0,
        "events": 0,
    }
    assert results.selected == ("threads",)


def test_more_results_come_page_by_page(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Sammlung")
        for number in range(25):
            thread_in(space, title=f"Kastanien {number}", author=author)

        first = search(user=author, query="Kastanien", types=["threads"])
        second = search(user=author, query="Kastanien", types=["threads"], cursor=first.next_cursor)

    assert len(first.hits) == 20 and first.next_cursor == "20"
    assert len(second.hits) == 5 and second.next_cursor is None
    assert not {h.pk for h in first.hits} & {h.pk for h in second.hits}


def test_counts_stop_at_the_cap(portal_a):
    with tenant_context(portal_a):
        author = member_of(portal_a)
        space = space_of(name="Viele")
        for number in range(COUNT_CAP + 2):
            thread_in(space, title=f"Holunder {number}", author=author)

        counts = {c.type.key: c for c in search(user=author, query="Holunder").counts}

    assert counts["threads"].count == COUNT_CAP and counts["threads"].more


@pytest.mark.parametrize(
    ("query", "problem"),
    [("", ""), ("  ", ""), ("a", "at least"), ("x" * (MAX_LENGTH + 1), "at most")],
)
def test_queries_that_cannot_be_searched_say_why(portal_a, english, query, problem):
    with tenant_context(portal_a):
        results = search(user=member_of(portal_a), query=query)

    assert results.hits == [] and not results.searched
    assert problem in results.problem


def test_odd_queries_never_fail(portal_a):
    with tenant_context(portal_a):
        user = member_of(portal_a)
        thread_in(space_of(name="Odd"), title="Radweg", author=user)
        for query in ['"unclosed', "--", "or or", "a & | ! :*", "der die das", "((("]:
            assert search(user=user, query=query).problem == ""
        assert found(user, "\x00Radweg") == ["Radweg"]
