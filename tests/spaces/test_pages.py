"""The spaces pages as members use them: the list with its filters and archive, the space
page, the create and edit forms (bad input shown again, text kept, status 400), joining and
leaving, the members page of space admins, archiving; 403 for what a member may not do in a
space they see; script in names and descriptions harmless; the module switched off and on."""

from __future__ import annotations

import io
import re

from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from accounts.models import Topic
from features.selectors import enabled_here
from spaces import selectors
from spaces.models import JoinPolicy, MembershipStatus, SpaceKind, SpaceVisibility
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from tests.features.conftest import set_feature
from tests.spaces.factories import join, space_of


def _text(response) -> str:
    return response.content.decode()


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "garten.png"
    return buffer


def _form(**overrides) -> dict:
    data = {
        "name": "Radwege Süd",
        "kind": SpaceKind.GROUP,
        "description": "Wir planen *sichere* Wege.",
        "place": "Südstadt",
        "visibility": SpaceVisibility.MEMBERS,
        "join_policy": JoinPolicy.OPEN,
        "status": "planned",
    }
    data.update(overrides)
    return data


# --- create and edit -----------------------------------------------------------------------


def test_a_member_creates_a_space_with_an_image_and_lands_on_its_page(people, portal_b):
    with in_portal(portal_b):
        topic = Topic.objects.create(name="Stadtgrün", position=1)
    client = people.client("member")
    form = client.get("/spaces/new/")
    assert form.status_code == 200
    assert 'value="private"' in _text(form)  # offered on a Professional portal
    response = client.post("/spaces/new/", {**_form(), "image": _png(), "topics": [topic.pk]})
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = _text(page)
    assert "Radwege Süd" in text and "<em>sichere</em>" in text and "Südstadt" in text
    assert "Stadtgrün" in text
    with in_portal(portal_b):
        space = selectors.space_for(user=people.member, slug="radwege-sud")
        assert space.image.startswith(f"spaces/{space.pk}/") and space.image.endswith(".png")
        assert default_storage.exists(space.image)
    assert f"/media/{space.image}" in text or space.image in text


def test_bad_input_is_shown_again_with_the_text_kept(people):
    client = people.client("member")
    response = client.post(
        "/spaces/new/",
        _form(
            name="Radwege\r\nBcc: x",
            description="Mein langer Text, der nicht verloren gehen darf.",
            kind=SpaceKind.PROJECT,
            starts_on="2027-05-02",
            ends_on="2027-05-01",
        ),
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Mein langer Text, der nicht verloren gehen darf." in text
    assert "The end cannot be before the start." in text or "single line" in text


def test_a_fake_image_is_refused_and_nothing_is_created(people, portal_b):
    client = people.client("member")
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "bild.png"
    response = client.post("/spaces/new/", {**_form(name="Bilderfreunde"), "image": fake})
    assert response.status_code == 400
    assert "Bilderfreunde" in _text(response)
    with in_portal(portal_b):
        assert not selectors.spaces_visible_to(user=people.admin).filter(name="Bilderfreunde")


def test_private_spaces_are_neither_offered_nor_accepted_on_a_community_portal(db, portal_a):
    alpha = logged_in_client(portal_a, member_of(portal_a), HTTP_ACCEPT_LANGUAGE="en")
    form = alpha.get("/spaces/new/")
    assert form.status_code == 200 and 'value="members"' in _text(form)
    assert 'value="private"' not in _text(form)
    refused = alpha.post("/spaces/new/", _form(visibility=SpaceVisibility.PRIVATE))
    assert refused.status_code == 400
    assert "Private spaces are not available" in _text(refused)
    assert alpha.post("/spaces/new/", _form()).status_code == 302  # the positive control


def test_visitors_are_sent_to_log_in_to_create(people):
    response = people.client("visitor").get("/spaces/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_space_admins_edit(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, members=[people.space_member], name="Chor")
    assert people.client("space_member").get(f"/spaces/{space.slug}/edit/").status_code == 403
    admin = people.client("space_admin")
    assert admin.get(f"/spaces/{space.slug}/edit/").status_code == 200
    saved = admin.post(f"/spaces/{space.slug}/edit/", _form(name="Kammerchor"))
    assert saved.status_code == 302
    assert "Kammerchor" in _text(admin.get(f"/spaces/{space.slug}/"))
    bad = admin.post(f"/spaces/{space.slug}/edit/", _form(name="", description="Bleibt da"))
    assert bad.status_code == 400 and "Bleibt da" in _text(bad)


# --- list ----------------------------------------------------------------------------------


def test_the_list_filters_by_kind_topic_and_my_spaces_and_shows_the_archive_apart(people, portal_b):
    with in_portal(portal_b):
        bikes = Topic.objects.create(name="Radverkehr", position=1)
        group = space_of(name="Gartengruppe", admin=people.space_admin)
        project = space_of(name="Radwegprojekt", kind=SpaceKind.PROJECT, admin=people.admin)
        project.topics.add(bikes)
        old = space_of(name="Altes Fest", admin=people.space_admin)
        old.archived_at = old.created_at
        old.save()
    client = people.client("space_admin")
    everything = _text(client.get("/spaces/"))
    current, archive = everything.split('id="archived-heading"')
    assert "Gartengruppe" in current and "Radwegprojekt" in current
    assert "Altes Fest" in archive and "Altes Fest" not in current
    projects = _text(client.get("/spaces/?kind=project"))
    assert "Radwegprojekt" in projects and "Gartengruppe" not in projects
    by_topic = _text(client.get(f"/spaces/?topic={bikes.pk}"))
    assert "Radwegprojekt" in by_topic and "Gartengruppe" not in by_topic
    mine = _text(client.get("/spaces/?mine=1"))
    assert "Gartengruppe" in mine and "Radwegprojekt" not in mine
    assert group.slug in mine


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/spaces/").status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_and_30_spaces(people, portal_b):
    client = people.client("member")
    with in_portal(portal_b):
        topic = Topic.objects.create(name="Nachbarschaft", position=1)
        for n in range(3):
            space_of(name=f"Wenige {n}", admin=people.space_admin).topics.add(topic)
    _list_queries(client)  # warm the caches
    few = _list_queries(client)
    with in_portal(portal_b):
        for n in range(27):
            space = space_of(name=f"Viele {n}", admin=people.space_admin, archived_at=None)
            space.topics.add(topic)
            join(space, people.space_member)
    many = _list_queries(client)
    assert "Viele 26" in _text(client.get("/spaces/"))
    assert few == many


def _page_queries(client, slug) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/spaces/{slug}/").status_code == 200
    return len(queries)


def test_the_space_page_costs_the_same_queries_for_3_and_30_members(people, portal_b):
    with in_portal(portal_b):
        space = space_of(
            admin=people.space_admin, members=[people.space_member, member_of(portal_b)]
        )
        space.topics.add(Topic.objects.create(name="Kultur", position=1))
        join(space, member_of(portal_b), status=MembershipStatus.REQUESTED)
    clients = {role: people.client(role) for role in ("space_member", "space_admin")}
    few = {}
    for role, client in clients.items():
        _page_queries(client, space.slug)  # warm the caches
        few[role] = _page_queries(client, space.slug)
    with in_portal(portal_b):
        for _ in range(27):
            join(space, member_of(portal_b))
            join(space, member_of(portal_b), status=MembershipStatus.REQUESTED)
    assert "30 members" in _text(clients["space_member"].get(f"/spaces/{space.slug}/"))
    for role, client in clients.items():
        assert _page_queries(client, space.slug) == few[role], role


# --- space page ----------------------------------------------------------------------------


def test_script_in_name_and_description_is_harmless(people, portal_b):
    with in_portal(portal_b):
        space = space_of(
            name='<script>alert("n")</script>Kiez',
            place="<b>Nord</b>",
            description='Hallo <script>alert("d")</script> <img src=x onerror=alert(1)> '
            "[klick](javascript:alert(2)) **fett**",
            admin=people.space_admin,
        )
    for path in (f"/spaces/{space.slug}/", "/spaces/"):
        text = _text(people.client("member").get(path))
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "javascript:alert" not in text.replace("&quot;", "")
        assert "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;Kiez" in text
    page = _text(people.client("member").get(f"/spaces/{space.slug}/"))
    assert "<strong>fett</strong>" in page and "&lt;b&gt;Nord&lt;/b&gt;" in page


def test_the_space_page_shows_project_facts_and_links(people, portal_b):
    with in_portal(portal_b):
        import datetime

        space = space_of(
            name="Repair-Café",
            kind=SpaceKind.PROJECT,
            goal="Reparieren statt wegwerfen",
            status="active",
            starts_on=datetime.date(2027, 3, 1),
            ends_on=datetime.date(2027, 9, 30),
            admin=people.space_admin,
            members=[people.space_member],
        )
    text = _text(people.client("space_member").get(f"/spaces/{space.slug}/"))
    assert "Reparieren statt wegwerfen" in text and "Running" in text
    assert 'datetime="2027-03-01"' in text and 'datetime="2027-09-30"' in text
    assert "2 members" in text
    assert "Ada Raumadmin" in text  # members see who is in
    assert f"/spaces/{space.slug}/discussions/" in text
    assert f"/spaces/{space.slug}/documents/" in text  # documents are on on Professional
    outsider = _text(people.client("member").get(f"/spaces/{space.slug}/"))
    assert "2 members" in outsider and "Ada Raumadmin" not in outsider


def test_actions_are_post_only(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin)
    client = people.client("member")
    for action in ("join", "leave", "archive", "invitation/accept"):
        assert client.get(f"/spaces/{space.slug}/{action}/").status_code == 405


def test_joining_and_leaving_an_open_space_from_its_page(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin)
    client = people.client("member")
    assert "Join" in _text(client.get(f"/spaces/{space.slug}/"))
    assert client.post(f"/spaces/{space.slug}/join/").status_code == 302
    page = _text(client.get(f"/spaces/{space.slug}/"))
    assert "You are a member of this space." in page and "Leave the space" in page
    client.post(f"/spaces/{space.slug}/leave/")
    assert "Join" in _text(client.get(f"/spaces/{space.slug}/"))


def test_the_last_admin_is_told_to_hand_over_instead_of_leaving(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin)
    client = people.client("space_admin")
    response = client.post(f"/spaces/{space.slug}/leave/", follow=True)
    assert "Hand the admin role to another member" in _text(response)
    with in_portal(portal_b):
        assert selectors.is_space_admin(user=people.space_admin, space=space)


def test_an_invitation_only_space_answers_403_to_a_join(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, join_policy=JoinPolicy.INVITATION)
    client = people.client("member")
    assert "by invitation only" in _text(client.get(f"/spaces/{space.slug}/"))
    assert client.post(f"/spaces/{space.slug}/join/").status_code == 403


def test_a_request_with_a_message_reaches_the_members_page(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
    member = people.client("member")
    member.post(f"/spaces/{space.slug}/join/", {"message": "Ich <b>kann</b> gießen"})
    assert "You have asked to join" in _text(member.get(f"/spaces/{space.slug}/"))
    too_long = people.client("space_member").post(
        f"/spaces/{space.slug}/join/", {"message": "x" * 501}
    )
    assert too_long.status_code == 400 and "x" * 501 in _text(too_long)

    admin = people.client("space_admin")
    members_page = _text(admin.get(f"/spaces/{space.slug}/members/"))
    assert "Ich &lt;b&gt;kann&lt;/b&gt; gießen" in members_page
    pk = re.search(r"/members/(\d+)/decide/", members_page).group(1)
    admin.post(f"/spaces/{space.slug}/members/{pk}/decide/", {"decision": "approve"})
    assert "You are a member of this space." in _text(member.get(f"/spaces/{space.slug}/"))


# --- members page --------------------------------------------------------------------------


def test_the_members_page_is_for_space_admins(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, members=[people.space_member])
        private = space_of(visibility=SpaceVisibility.PRIVATE, admin=people.space_admin)
    assert people.client("space_member").get(f"/spaces/{space.slug}/members/").status_code == 403
    assert people.client("member").get(f"/spaces/{private.slug}/members/").status_code == 404
    assert people.client("space_admin").get(f"/spaces/{space.slug}/members/").status_code == 200
    assert people.client("admin").get(f"/spaces/{space.slug}/members/").status_code == 200
    visitor = people.client("visitor").get(f"/spaces/{space.slug}/members/")
    assert visitor.status_code == 302
    for action, data in (
        ("members/invite", {"invitee": people.member.email}),
        ("members/transfer", {"to": people.space_member.pk}),
        ("archive", {}),
    ):
        response = people.client("space_member").post(f"/spaces/{space.slug}/{action}/", data)
        assert response.status_code == 403, action


def test_space_admins_invite_by_address_or_name_remove_and_hand_over(people, portal_b):
    with in_portal(portal_b):
        space = space_of(
            admin=people.space_admin,
            members=[people.space_member],
            visibility=SpaceVisibility.PRIVATE,
            join_policy=JoinPolicy.INVITATION,
        )
    admin = people.client("space_admin")
    unknown = admin.post(f"/spaces/{space.slug}/members/invite/", {"invitee": "Niemand Da"})
    assert unknown.status_code == 400 and 'value="Niemand Da"' in _text(unknown)
    assert (
        admin.post(
            f"/spaces/{space.slug}/members/invite/", {"invitee": "Ines Eingeladen"}
        ).status_code
        == 302
    )
    assert (
        admin.post(
            f"/spaces/{space.slug}/members/invite/", {"invitee": people.member.email}
        ).status_code
        == 302
    )
    invited = people.client("invited")
    assert "Accept the invitation" in _text(invited.get(f"/spaces/{space.slug}/"))
    invited.post(f"/spaces/{space.slug}/invitation/accept/")
    declined = people.client("member").post(f"/spaces/{space.slug}/invitation/decline/")
    assert declined.status_code == 302
    assert people.client("member").get(f"/spaces/{space.slug}/").status_code == 404

    with in_portal(portal_b):
        invited_row = selectors.membership_of(user=people.invited, space=space)
        assert invited_row.is_active
    admin.post(f"/spaces/{space.slug}/members/{invited_row.pk}/remove/")
    assert people.client("invited").get(f"/spaces/{space.slug}/").status_code == 404

    admin.post(f"/spaces/{space.slug}/members/transfer/", {"to": people.space_member.pk})
    with in_portal(portal_b):
        assert selectors.is_space_admin(user=people.space_member, space=space)
        assert not selectors.is_space_admin(user=people.space_admin, space=space)
    assert admin.get(f"/spaces/{space.slug}/members/").status_code == 403


def test_archiving_from_the_page(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin)
    admin = people.client("space_admin")
    admin.post(f"/spaces/{space.slug}/archive/")
    page = _text(admin.get(f"/spaces/{space.slug}/"))
    assert "this space can be read, not changed" in page and "Take out of the archive" in page
    assert admin.get(f"/spaces/{space.slug}/edit/").status_code == 200  # the form says why
    assert "Join" not in _text(people.client("member").get(f"/spaces/{space.slug}/"))
    admin.post(f"/spaces/{space.slug}/unarchive/")
    assert "Archive the space" in _text(admin.get(f"/spaces/{space.slug}/"))


# --- the module switch ---------------------------------------------------------------------


def test_switching_the_module_off_hides_everything_and_on_brings_it_back(people, portal_b):
    with in_portal(portal_b):
        space = space_of(name="Stadtteilrunde", admin=people.space_admin)
    client = people.client("space_admin")
    assert client.get(f"/spaces/{space.slug}/").status_code == 200  # positive control
    set_feature(portal_b, "spaces", False)
    try:
        assert client.get("/spaces/").status_code == 404
        assert client.get(f"/spaces/{space.slug}/").status_code == 404
        assert client.get("/api/v1/spaces/").status_code == 404
        dashboard = client.get("/dashboard/")
        assert dashboard.status_code == 200 and "Stadtteilrunde" not in _text(dashboard)
        with in_portal(portal_b):
            assert not enabled_here("spaces")
            assert not selectors.spaces_visible_to(user=people.admin).exists()
    finally:
        set_feature(portal_b, "spaces", True)
    assert client.get(f"/spaces/{space.slug}/").status_code == 200
    assert "Stadtteilrunde" in _text(client.get("/spaces/"))
    with in_portal(portal_b):
        assert selectors.spaces_visible_to(user=people.admin).filter(pk=space.pk).exists()


def test_the_members_page_costs_the_same_queries_for_3_and_30_members(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, members=[people.space_member])
        join(space, member_of(portal_b), status=MembershipStatus.REQUESTED)
        join(space, member_of(portal_b), status=MembershipStatus.INVITED)
    client = people.client("space_admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/spaces/{space.slug}/members/").status_code == 200
        return len(queries)

    count()
    few = count()
    with in_portal(portal_b):
        for _ in range(10):
            join(space, member_of(portal_b))
            join(space, member_of(portal_b), status=MembershipStatus.REQUESTED)
            join(space, member_of(portal_b), status=MembershipStatus.INVITED)
    assert count() == few


def test_a_decision_must_be_named(people, portal_b):
    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
        asked = join(space, people.member, status=MembershipStatus.REQUESTED)
    people.client("space_admin").post(f"/spaces/{space.slug}/members/{asked.pk}/decide/")
    with in_portal(portal_b):
        assert selectors.membership_of(user=people.member, space=space).status == "requested"


def test_a_big_space_lists_its_first_members_admins_first_and_counts_the_rest(people, portal_b):
    from spaces.views import SHOWN_MEMBERS

    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, members=[people.space_member])
        for n in range(SHOWN_MEMBERS + 3):
            join(space, member_of(portal_b, display_name=f"Zora Zahl {n:02d}"))
    page = _text(people.client("space_member").get(f"/spaces/{space.slug}/"))
    listed = page.split("space-members", 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == SHOWN_MEMBERS
    assert listed.index(str(people.space_admin)) < listed.index("Zora Zahl")  # admins first
    # 35 members in all: the admin, the member and 33 more; 30 listed.
    assert "and 5 more members" in page
