"""The marketplace list: filters, sorting (trending deterministic for a given clock), a
constant number of queries, and the visibility rules on every surface."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import RegistrationPolicy, Topic
from ideas import selectors
from ideas.models import Idea, IdeaStatus
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.ideas.factories import idea_of, posted_at, support_of
from tests.spaces.factories import space_of

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _titles(ideas) -> list[str]:
    return [idea.title for idea in ideas]


def test_filters_by_topic_district_status_and_author_type(people, in_b):
    green = Topic.objects.create(name="Grün")
    party = space_of(name="Partei", members=[people.author])
    idea_of(author=people.author, title="Baum", topic=green, place="Nord")
    idea_of(author=people.author, title="Ampel", place="Süd", status=IdeaStatus.DISCUSSION)
    idea_of(author=people.author, title="Plakat", on_behalf_of=party)
    idea_of(author=people.author, title="Alt", status=IdeaStatus.ARCHIVED)
    listing = selectors.ideas_for_listing
    user = people.member
    assert _titles(listing(user=user, topic_id=green.pk)) == ["Baum"]
    assert _titles(listing(user=user, district="nord")) == ["Baum"]
    assert _titles(listing(user=user, status="discussion")) == ["Ampel"]
    assert _titles(listing(user=user, author_type="space")) == ["Plakat"]
    assert set(_titles(listing(user=user, author_type="person"))) == {"Baum", "Ampel"}
    assert "Alt" not in _titles(listing(user=user))
    assert _titles(listing(user=user, status="archived")) == ["Alt"]


def test_the_list_page_filters_through_labelled_selects(people, portal_b):
    with in_portal(portal_b):
        idea_of(author=people.author, title="Nordbank", place="Nord")
        idea_of(author=people.author, title="Südbank", place="Süd")
    page = people.client("visitor").get("/ideas/", {"district": "Nord"}).content.decode()
    assert "Nordbank" in page and "Südbank" not in page
    assert '<label for="filter-district">' in page and 'id="filter-district"' in page


def test_sorting_newest_and_most_supported(people, in_b):
    fans = [member_of(people.portal) for _ in range(3)]
    old = posted_at(idea_of(author=people.author, title="Alt"), NOW - datetime.timedelta(days=9))
    new = posted_at(idea_of(author=people.author, title="Neu"), NOW - datetime.timedelta(days=1))
    for fan in fans:
        support_of(old, fan, at=NOW - datetime.timedelta(days=8))
    support_of(new, fans[0], at=NOW - datetime.timedelta(hours=1))
    user = people.member
    assert _titles(selectors.ideas_for_listing(user=user, sort="newest")) == ["Neu", "Alt"]
    supported = selectors.ideas_for_listing(user=user, sort="supported")
    assert [(i.title, i.support_count) for i in supported] == [("Alt", 3), ("Neu", 1)]


def test_trending_decays_with_time_and_is_deterministic_for_a_clock(people, in_b):
    fans = [member_of(people.portal) for _ in range(3)]
    steady = idea_of(author=people.author, title="Beständig")
    fresh = idea_of(author=people.author, title="Frisch")
    # Three supports nine days ago (weight 0.5 ** 3 each = 0.375) against one from an hour ago
    # (almost 1): the fresh one trends.
    for fan in fans:
        support_of(steady, fan, at=NOW - datetime.timedelta(days=9))
    support_of(fresh, fans[0], at=NOW - datetime.timedelta(hours=1))
    first = selectors.ideas_for_listing(user=people.member, sort="trending", now=NOW)
    assert _titles(first) == ["Frisch", "Beständig"]
    scores = {i.title: round(i.trending, 6) for i in first}
    assert scores["Beständig"] == round(3 * 0.5**3, 6)
    assert scores["Frisch"] == round(0.5 ** (1 / 72), 6)
    again = selectors.ideas_for_listing(user=people.member, sort="trending", now=NOW)
    assert [(i.title, round(i.trending, 6)) for i in again] == list(scores.items())
    # Eight and a half days before, the fresh support did not exist yet: the steady idea led.
    earlier = NOW - datetime.timedelta(days=8, hours=12)
    assert _titles(selectors.ideas_for_listing(user=people.member, now=earlier))[0] == "Beständig"


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ideas/")
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_and_30_ideas(people, portal_b):
    client = people.client("member")
    with in_portal(portal_b):
        topic = Topic.objects.create(name="Verkehr")
        party = space_of(name="Liste", members=[people.author])

        def make(n):
            for i in range(n):
                idea = idea_of(
                    author=people.author,
                    topic=topic,
                    place=f"Bezirk {i}",
                    on_behalf_of=party if i % 2 else None,
                )
                support_of(idea, people.supporter)

    with in_portal(portal_b):
        make(3)
    _list_queries(client)  # warm the per-portal caches (theme, modules, policy)
    few = _list_queries(client)
    with in_portal(portal_b):
        make(27)
    many = _list_queries(client)
    assert few == many


def test_visitors_on_a_members_only_portal_see_no_ideas(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Sichtbar für alle")
    visitor = people.client("visitor")
    member = people.client("member")
    # Positive control: before the switch the visitor sees it.
    assert "Sichtbar für alle" in visitor.get("/ideas/").content.decode()
    assert visitor.get(f"/ideas/{idea.pk}/").status_code == 200
    with in_portal(portal_b):
        from members.services import membership_policy_update

        membership_policy_update(
            actor=people.admin,
            registration=RegistrationPolicy.OPEN,
            allowed_domains="",
            members_only=True,
            admin_mfa_required=False,
        )
        assert not selectors.ideas_visible_to(user=None).exists()
    assert "Sichtbar für alle" not in visitor.get("/ideas/").content.decode()
    assert visitor.get(f"/ideas/{idea.pk}/").status_code in (302, 404)
    assert "Sichtbar für alle" not in visitor.get("/ideas/feed/atom/").content.decode()
    assert member.get(f"/ideas/{idea.pk}/").status_code == 200


def test_hidden_ideas_are_shown_only_to_those_who_may_moderate(people, portal_b):
    with in_portal(portal_b):
        hidden = idea_of(author=people.author, title="Verborgen", hidden_at=timezone.now())
        shown = idea_of(author=people.author, title="Offen")
    for role in ("visitor", "member", "author"):
        client = people.client(role)
        assert client.get(f"/ideas/{hidden.pk}/").status_code == 404, role
        assert client.get(f"/ideas/{shown.pk}/").status_code == 200, role  # positive control
        assert "Verborgen" not in client.get("/ideas/").content.decode()
    for role in ("moderator", "admin"):
        page = people.client(role).get(f"/ideas/{hidden.pk}/")
        assert page.status_code == 200 and "Hidden by moderation" in page.content.decode()
    # Missing and invisible look alike.
    member = people.client("member")
    assert member.get("/ideas/999999/").status_code == 404


def test_the_list_pages_every_idea_once_in_trending_order_without_offset(people, portal_b):
    import re

    from ideas.views import LIST_PAGE_SIZE

    total = LIST_PAGE_SIZE + 6
    fans = [member_of(people.portal) for _ in range(4)]
    with in_portal(portal_b):
        for n in range(total):
            idea = posted_at(
                idea_of(author=people.author, title=f"Seite {n:02d}"),
                timezone.now() - datetime.timedelta(hours=n),
            )
            for fan in fans[: n % 5]:  # ties in trending: the tie-breakers decide
                support_of(idea, fan, at=timezone.now() - datetime.timedelta(hours=n))
        expected = _titles(selectors.ideas_for_listing(user=people.member))
    client = people.client("member")
    seen, url, statements, sizes = [], "/ideas/", [], []
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        statements += [q["sql"] for q in queries]
        found = re.findall(r">(Seite \d\d)<", page)
        seen += found
        sizes.append(len(found))
        link = re.search(r'href="(\?after=[^"]+)" rel="next"', page)
        url = "/ideas/" + link.group(1).replace("&amp;", "&") if link else ""
    assert sizes == [LIST_PAGE_SIZE, 6]
    assert len(seen) == total and len(set(seen)) == total
    assert seen == [t for t in expected if t.startswith("Seite")]
    assert not [s for s in statements if "OFFSET" in s]


def test_the_marketplace_offers_the_places_of_visible_ideas_only(people, in_b):
    idea_of(author=people.author, place="Süd")
    idea_of(author=people.author, place="nord")
    idea_of(author=people.author, place="")
    secret = idea_of(author=people.author, place="Geheimweg")
    Idea.objects.filter(pk=secret.pk).update(hidden_at=timezone.now())

    assert selectors.districts(user=people.member) == ["nord", "Süd"]
    # Positive control: moderators see hidden ideas, and so their places.
    assert selectors.districts(user=people.moderator) == ["Geheimweg", "nord", "Süd"]


def test_the_first_trending_page_is_the_page_of_the_whole_sort(people, in_b):
    """The first page is read from the trend_rank index (selectors._trending_first_page):
    it must be the page that sorting every idea gives, ties, late supports and all."""
    fans = [member_of(people.portal) for _ in range(4)]
    clock = NOW - datetime.timedelta(hours=3)  # a list opened three hours ago
    for n in range(30):
        idea = idea_of(author=people.author, title=f"Idee {n:02}")
        if n % 6 == 5:
            continue  # no supports: trending 0
        # Ideas 10, 12, 13 and 14 share their supports' times: equal rank, ordered by age
        # and pk; some page below ends between them.
        tied = n in (10, 12, 13, 14)
        hours = 5 if tied else n * 7 % 29
        for fan in fans[: 2 if tied else 1 + n % 4]:
            support_of(idea, fan, at=clock - datetime.timedelta(hours=hours + 1))
        if n in (3, 16):  # supported after the list's clock: summed at the clock instead
            support_of(idea, people.supporter, at=NOW - datetime.timedelta(minutes=5))

    def first(size, **narrowing):
        ideas = selectors.ideas_for_listing(user=people.member, now=clock, **narrowing)
        return [idea.pk for idea in ideas[: size + 1]], ideas.count()

    for size in range(1, 23):
        narrowed, candidates = first(size, first_page=size)
        whole, total = first(size)
        assert narrowed == whole, size
        # Positive control: the page came from a few candidates, not from every idea.
        assert candidates == size + 1 + 2 < total == 30
    # More ideas on a page than ideas with supports: the whole sort, the same page.
    assert first(26, first_page=26) == first(26)
