"""Data rights for spaces: the export holds the member's memberships, requests (with their
message) and the spaces they started, nothing of others; erasing removes the memberships and
the name of who started a space, and keeps the space for its other members."""

from __future__ import annotations

import io
import json
import zipfile

from core.privacy import member_data_export, member_erase
from spaces import selectors, services
from spaces.models import JoinPolicy, Space, SpaceMembership
from tests.conftest import in_portal
from tests.spaces.factories import space_of


def _data(archive: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return json.loads(z.read("data.json"))


def test_the_export_holds_my_memberships_and_the_spaces_i_started(people, portal_b):
    with in_portal(portal_b):
        services.space_create(actor=people.member, name="Meine Initiative")
        asked = space_of(
            name="Anfrageraum", admin=people.space_admin, join_policy=JoinPolicy.REQUEST
        )
        services.space_join(user=people.member, space=asked, message="Darf ich mitmachen?")
        space_of(name="Nicht meins", admin=people.space_admin, members=[people.space_member])
        data = _data(member_data_export(user=people.member))
    memberships = {row["space"]: row for row in data["spaces.SpaceMembership"]}
    assert set(memberships) == {"Meine Initiative", "Anfrageraum"}
    assert memberships["Anfrageraum"]["message"] == "Darf ich mitmachen?"
    assert memberships["Meine Initiative"]["role"] == "admin"
    assert [row["name"] for row in data["spaces.Space"]] == ["Meine Initiative"]


def test_erasing_removes_memberships_and_keeps_the_space(people, portal_b):
    with in_portal(portal_b):
        started = services.space_create(actor=people.member, name="Bleibt bestehen")
        services.space_join(user=people.space_member, space=started)
        services.space_admin_transfer(actor=people.member, space=started, to=people.space_member)
        member_erase(user=people.member, keep_content=True, actor=people.member)
        assert not SpaceMembership.objects.filter(user=people.member).exists()
        space = Space.objects.get(pk=started.pk)
        assert space.created_by is None
        assert selectors.is_space_admin(user=people.space_member, space=space)
