"""Who sees which space, on every surface: the space page, the spaces list, the API list and
the API detail, for every role against public, members-only and private spaces (portal B,
Professional: private spaces and the API are on). "Not visible" is the same 404 as missing;
each row of the table is its own positive control (someone sees each space)."""

from __future__ import annotations

import re

import pytest

from accounts.models import RegistrationPolicy
from spaces import selectors
from spaces.models import MembershipStatus, SpaceVisibility
from tests.conftest import in_portal
from tests.spaces.factories import join, space_of

NAMES = {
    SpaceVisibility.PUBLIC: "Offener Gemeinschaftsgarten",
    SpaceVisibility.MEMBERS: "Mitgliederrunde Radwege",
    SpaceVisibility.PRIVATE: "Geheimer Vorstandskreis",
}
ALL = set(NAMES)
NOT_PRIVATE = {SpaceVisibility.PUBLIC, SpaceVisibility.MEMBERS}
PUBLIC_ONLY = {SpaceVisibility.PUBLIC}

# role -> (spaces whose page they may open, spaces listed to them)
EXPECTED = {
    "visitor": (PUBLIC_ONLY, PUBLIC_ONLY),
    "foreign": (PUBLIC_ONLY, PUBLIC_ONLY),  # a member of portal A is a visitor on B
    "member": (NOT_PRIVATE, NOT_PRIVATE),
    "space_member": (ALL, ALL),
    "space_admin": (ALL, ALL),
    "invited": (ALL, ALL),
    # The portal's staff reach a private space by its page (moderation in context), but it
    # is listed to nobody outside it.
    "moderator": (ALL, NOT_PRIVATE),
    "admin": (ALL, NOT_PRIVATE),
}


@pytest.fixture
def spaces(people, portal_b):
    with in_portal(portal_b):
        made = {
            visibility: space_of(
                name=name,
                visibility=visibility,
                admin=people.space_admin,
                members=[people.space_member],
            )
            for visibility, name in NAMES.items()
        }
        for space in made.values():
            join(space, people.invited, status=MembershipStatus.INVITED)
    return made


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_the_spaces_it_may_on_every_surface(role, people, spaces):
    may_open, listed = EXPECTED[role]
    client = people.client(role)
    anonymous = role in ("visitor", "foreign")

    page = client.get("/spaces/").content.decode()
    for visibility, name in NAMES.items():
        assert (name in page) == (visibility in listed), (role, visibility, "list")

    for visibility, space in spaces.items():
        response = client.get(f"/spaces/{space.slug}/")
        expected = 200 if visibility in may_open else 404
        assert response.status_code == expected, (role, visibility, "page")
    missing = client.get("/spaces/no-such-space/")
    assert missing.status_code == 404

    api_list = client.get("/api/v1/spaces/")
    if anonymous:
        assert api_list.status_code == 403  # the API needs a login
    else:
        names = {row["name"] for row in api_list.json()["results"]}
        assert names == {NAMES[v] for v in listed}, role

    for visibility, space in spaces.items():
        response = client.get(f"/api/v1/spaces/{space.slug}/")
        if anonymous:
            assert response.status_code == 403
        else:
            expected = 200 if visibility in may_open else 404
            assert response.status_code == expected, (role, visibility, "api detail")
    if not anonymous:
        # Forbidden and missing answer alike, word for word.
        private = client.get(f"/api/v1/spaces/{spaces[SpaceVisibility.PRIVATE].slug}/")
        if private.status_code == 404:
            assert private.content == client.get("/api/v1/spaces/no-such-space/").content


def test_a_private_space_page_and_a_missing_one_look_the_same(people, spaces):
    client = people.client("member")
    private = client.get(f"/spaces/{spaces[SpaceVisibility.PRIVATE].slug}/")
    missing = client.get("/spaces/no-such-space/")
    assert private.status_code == missing.status_code == 404
    assert NAMES[SpaceVisibility.PRIVATE] not in private.content.decode()
    slug = spaces[SpaceVisibility.PRIVATE].slug

    def normalised(response, asked: str) -> str:
        # The pages differ only by the address asked for (the language switch's return link)
        # and the form token.
        text = response.content.decode().replace(asked, "ADDR")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)

    assert normalised(private, slug) == normalised(missing, "no-such-space")


def test_a_members_only_portal_hides_even_public_spaces_from_visitors(people, spaces, portal_b):
    member = people.client("member")
    visitor = people.client("visitor")
    public = spaces[SpaceVisibility.PUBLIC]
    # Positive control: before the switch the visitor sees the public space.
    assert visitor.get(f"/spaces/{public.slug}/").status_code == 200
    with in_portal(portal_b):
        from members.services import membership_policy_update

        membership_policy_update(
            actor=people.admin,
            registration=RegistrationPolicy.OPEN,
            allowed_domains="",
            members_only=True,
            admin_mfa_required=False,
        )
        assert not selectors.spaces_visible_to(user=None).exists()
    listing = visitor.get("/spaces/")
    assert NAMES[SpaceVisibility.PUBLIC] not in listing.content.decode()
    page = visitor.get(f"/spaces/{public.slug}/")
    assert page.status_code in (302, 404)
    assert NAMES[SpaceVisibility.PUBLIC] not in page.content.decode()
    # Members still see it.
    assert member.get(f"/spaces/{public.slug}/").status_code == 200
