"""The ideas API on portal B: list with filters, read, post through the service, support and
withdraw; hidden and missing ideas are the same 404."""

from __future__ import annotations

from django.utils import timezone

from ideas.models import Support
from tests.conftest import in_portal
from tests.ideas.factories import idea_of


def test_post_list_support_and_withdraw_through_the_api(people, portal_b):
    api = people.client("author")
    created = api.post(
        "/api/v1/ideas/",
        {"title": "Solarbank", "description": "*Strom* zum Laden", "place": "Mitte"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "new" and body["support_count"] == 0
    assert body["description_html"] == "<p><em>Strom</em> zum Laden</p>"
    pk = body["id"]
    fan = people.client("supporter")
    supported = fan.post(f"/api/v1/ideas/{pk}/support/")
    assert supported.status_code == 200 and supported.json()["support_count"] == 1
    again = fan.post(f"/api/v1/ideas/{pk}/support/")
    assert again.json()["support_count"] == 1
    listing = fan.get("/api/v1/ideas/", {"district": "mitte", "sort": "supported"}).json()
    assert [(row["title"], row["support_count"]) for row in listing["results"]] == [
        ("Solarbank", 1)
    ]
    assert fan.get("/api/v1/ideas/", {"district": "Süd"}).json()["results"] == []
    withdrawn = fan.post(f"/api/v1/ideas/{pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["support_count"] == 0
    with in_portal(portal_b):
        assert not Support.objects.exists()


def test_the_api_refuses_bad_input_with_the_reason(people):
    response = people.client("author").post(
        "/api/v1/ideas/",
        {"title": "Zeile\nzwei", "description": "", "latitude": "91", "longitude": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"title", "description", "latitude"} <= set(response.json())


def test_hidden_ideas_are_a_404_in_the_api_except_for_moderators(people, portal_b):
    with in_portal(portal_b):
        hidden = idea_of(author=people.author, title="Weg", hidden_at=timezone.now())
    member = people.client("member")
    assert member.get(f"/api/v1/ideas/{hidden.pk}/").status_code == 404
    assert member.post(f"/api/v1/ideas/{hidden.pk}/support/").status_code == 404
    assert people.client("moderator").get(f"/api/v1/ideas/{hidden.pk}/").status_code == 200
    assert people.client("visitor").get("/api/v1/ideas/").status_code == 403
