"""The spaces API on portal B (the API module is Professional): create through the service
(its rules and errors), the caller's memberships, join and leave; another member's
memberships and invisible spaces stay out of reach."""

from __future__ import annotations

from spaces.models import JoinPolicy, MembershipStatus, SpaceVisibility
from tests.conftest import in_portal
from tests.spaces.factories import join, space_of


def test_a_member_creates_a_space_and_becomes_its_admin(people):
    api = people.client("member")
    response = api.post(
        "/api/v1/spaces/",
        {"name": "Lastenrad-Verleih", "description": "**Teilen**", "topic_ids": []},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "lastenrad-verleih"
    assert body["description_html"] == "<p><strong>Teilen</strong></p>"
    memberships = api.get("/api/v1/space-memberships/").json()["results"]
    assert [(m["space"], m["role"]) for m in memberships] == [("lastenrad-verleih", "admin")]


def test_the_api_refuses_bad_input_with_the_reason(people):
    api = people.client("member")
    response = api.post(
        "/api/v1/spaces/",
        {"name": "Zeile\nBcc: x", "kind": "project", "starts_on": "2027-02-02",
         "ends_on": "2027-02-01", "visibility": "everyone"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert {"name", "ends_on", "visibility"} <= set(response.json())


def test_join_and_leave_through_the_api(people, portal_b):
    with in_portal(portal_b):
        open_space = space_of(admin=people.space_admin)
        by_request = space_of(admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
        by_invitation = space_of(admin=people.space_admin, join_policy=JoinPolicy.INVITATION)
    api = people.client("member")
    joined = api.post(
        "/api/v1/space-memberships/join/",
        {"space": open_space.slug},
        content_type="application/json",
    )
    assert joined.status_code == 201 and joined.json()["status"] == MembershipStatus.ACTIVE
    asked = api.post(
        "/api/v1/space-memberships/join/",
        {"space": by_request.slug, "message": "Hallo"},
        content_type="application/json",
    )
    assert asked.json()["status"] == MembershipStatus.REQUESTED
    refused = api.post(
        "/api/v1/space-memberships/join/",
        {"space": by_invitation.slug},
        content_type="application/json",
    )
    assert refused.status_code == 403
    mine = {m["space"] for m in api.get("/api/v1/space-memberships/").json()["results"]}
    assert mine == {open_space.slug, by_request.slug}
    left = api.post(
        "/api/v1/space-memberships/leave/",
        {"space": open_space.slug},
        content_type="application/json",
    )
    assert left.status_code == 204
    last_admin = people.client("space_admin").post(
        "/api/v1/space-memberships/leave/",
        {"space": by_request.slug},
        content_type="application/json",
    )
    assert last_admin.status_code == 400


def test_memberships_of_others_and_invisible_spaces_are_404(people, portal_b):
    with in_portal(portal_b):
        private = space_of(visibility=SpaceVisibility.PRIVATE, admin=people.space_admin)
        theirs = join(space_of(admin=people.space_admin), people.space_member)
    api = people.client("member")
    assert api.get(f"/api/v1/space-memberships/{theirs.pk}/").status_code == 404
    own = people.client("space_member").get(f"/api/v1/space-memberships/{theirs.pk}/")
    assert own.status_code == 200  # the positive control
    joined = api.post(
        "/api/v1/space-memberships/join/", {"space": private.slug}, content_type="application/json"
    )
    missing = api.post(
        "/api/v1/space-memberships/join/", {"space": "no-such"}, content_type="application/json"
    )
    assert joined.status_code == missing.status_code == 404
    assert joined.content == missing.content


def test_a_private_space_is_refused_on_a_portal_without_the_module(people, portal_b):
    from tests.features.conftest import set_feature

    api = people.client("member")
    set_feature(portal_b, "private_spaces", False)
    try:
        refused = api.post(
            "/api/v1/spaces/",
            {"name": "Vorstand", "visibility": "private"},
            content_type="application/json",
        )
        assert refused.status_code == 400 and "visibility" in refused.json()
    finally:
        set_feature(portal_b, "private_spaces", True)
    allowed = api.post(
        "/api/v1/spaces/",
        {"name": "Vorstand", "visibility": "private"},
        content_type="application/json",
    )
    assert allowed.status_code == 201
