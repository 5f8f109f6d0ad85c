"""The member dashboard: my spaces, the latest activity in what I follow (my notifications,
newest first, at most 20) and spaces suggested by the topics of my profile."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Topic
from accounts.profiles import profile_of
from core.event_types import EventType
from notifications.services import notify
from spaces.models import SpaceVisibility
from tests.conftest import in_portal
from tests.features.conftest import set_feature
from tests.spaces.factories import space_of


def _text(response) -> str:
    return response.content.decode()


def test_visitors_are_sent_to_log_in(people):
    response = people.client("visitor").get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert people.client("member").get("/dashboard/").status_code == 200


def test_my_spaces_and_my_latest_notifications_newest_first(people, portal_b):
    with in_portal(portal_b):
        mine = space_of(name="Mein Kiezgarten", admin=people.space_admin, members=[people.member])
        space_of(name="Fremde Runde", admin=people.space_admin)
        for n in range(22):
            notify(
                event_type=EventType.SPACE_JOINED,
                actor=people.space_admin,
                target=mine,
                recipients=[people.member],
                title=f"Neuigkeit Nummer {n:02d}",
            )
        notify(
            event_type=EventType.SPACE_JOINED,
            actor=people.space_admin,
            target=mine,
            recipients=[people.space_member],
            title="Nicht für Mia",
        )
    text = _text(people.client("member").get("/dashboard/"))
    my_part = text.split('id="activity-heading"')[0]
    assert "Mein Kiezgarten" in my_part and "Fremde Runde" not in my_part
    assert "Neuigkeit Nummer 21" in text and "Neuigkeit Nummer 02" in text
    assert "Neuigkeit Nummer 01" not in text  # 20 newest only
    assert text.index("Nummer 21") < text.index("Nummer 20")
    assert "Nicht für Mia" not in text


def test_suggestions_share_my_topics_ranked_and_skip_what_i_am_in(people, portal_b):
    with in_portal(portal_b):
        bikes = Topic.objects.create(name="Radverkehr", position=1)
        trees = Topic.objects.create(name="Stadtbäume", position=2)
        other = Topic.objects.create(name="Schach", position=3)
        profile_of(people.member).topics.add(bikes, trees)
        both = space_of(name="Grüne Radwege", admin=people.space_admin)
        both.topics.add(bikes, trees)
        one = space_of(name="Baumpaten", admin=people.space_admin)
        one.topics.add(trees)
        space_of(name="Schachklub", admin=people.space_admin).topics.add(other)
        joined = space_of(name="Schon dabei", admin=people.space_admin, members=[people.member])
        joined.topics.add(bikes)
        hidden = space_of(
            name="Geheime Radler", admin=people.space_admin, visibility=SpaceVisibility.PRIVATE
        )
        hidden.topics.add(bikes, trees)
    text = _text(people.client("member").get("/dashboard/"))
    suggested = text.split('id="suggested-heading"')[1]
    assert "Grüne Radwege" in suggested and "Baumpaten" in suggested
    assert suggested.index("Grüne Radwege") < suggested.index("Baumpaten")
    assert "Schachklub" not in suggested and "Schon dabei" not in suggested
    assert "Geheime Radler" not in text


def test_with_the_spaces_module_off_the_dashboard_still_shows_notifications(people, portal_b):
    with in_portal(portal_b):
        space = space_of(name="Kiezrunde", admin=people.space_admin, members=[people.member])
        # Made while the module is on (recipients must see the target), read while it is off.
        notify(
            event_type=EventType.SPACE_JOINED,
            actor=people.space_admin,
            target=space,
            recipients=[people.member],
            title="Etwas ist passiert",
        )
    set_feature(portal_b, "spaces", False)
    try:
        text = _text(people.client("member").get("/dashboard/"))
        assert "Etwas ist passiert" in text
        assert "Kiezrunde" not in text.replace("Etwas ist passiert", "")
        assert 'id="suggested-heading"' not in text
    finally:
        set_feature(portal_b, "spaces", True)


def test_the_dashboard_costs_the_same_queries_for_few_and_many_spaces(people, portal_b):
    client = people.client("member")
    with in_portal(portal_b):
        topic = Topic.objects.create(name="Kultur", position=1)
        profile_of(people.member).topics.add(topic)
        for n in range(2):
            space_of(name=f"Wenig {n}", admin=people.space_admin, members=[people.member])
            space_of(name=f"Vorschlag {n}", admin=people.space_admin).topics.add(topic)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/").status_code == 200
        return len(queries)

    count()
    few = count()
    with in_portal(portal_b):
        for n in range(10):
            space = space_of(name=f"Mehr {n}", admin=people.space_admin, members=[people.member])
            space.topics.add(topic)
            space_of(name=f"Noch ein Vorschlag {n}", admin=people.space_admin).topics.add(topic)
    assert count() == few
