"""The rules of spaces, through their services: creating (plan limit, private spaces only where
their module is on, project dates), joining by each policy, requests, invitations, leaving
with the last-admin rule, handing over the admin role, removing members and archiving."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.event_types import EventType
from core.models import AuditEvent
from features.models import Plan
from features.selectors import enabled_here, forget_portal_features
from notifications.models import Notification
from notifications.services import is_following
from spaces import selectors, services
from spaces.models import (
    JoinPolicy,
    MembershipStatus,
    SpaceKind,
    SpaceMembership,
    SpaceRole,
    SpaceVisibility,
)
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.spaces.factories import join, space_of


def _events(space, event_type):
    return AuditEvent.objects.filter(
        object_type="spaces.space", object_id=str(space.pk), event_type=event_type
    ).count()


# --- create --------------------------------------------------------------------------------


def test_the_creator_becomes_space_admin_and_follows(people, in_b):
    space = services.space_create(
        actor=people.member, name="Radwege Nord", description="Wir *planen*.", place="Nord"
    )
    assert space.slug == "radwege-nord"
    assert selectors.is_space_admin(user=people.member, space=space)
    assert selectors.membership_of(user=people.member, space=space).role == SpaceRole.ADMIN
    assert is_following(user=people.member, target=space)
    assert _events(space, EventType.SPACE_CREATED) == 1
    # The same name again gets its own address.
    again = services.space_create(actor=people.space_member, name="Radwege Nord")
    assert again.slug == "radwege-nord-2"


def test_a_reserved_word_is_never_a_space_address(people, in_b):
    assert services.space_create(actor=people.member, name="New").slug != "new"


@pytest.mark.parametrize("field", ["name", "place"])
def test_line_breaks_in_one_line_fields_are_refused(people, in_b, field):
    values = {"name": "Garten", "place": ""}
    values[field] = "Garten\r\nBcc: x@example.org"
    with pytest.raises(ValidationError) as refused:
        services.space_create(actor=people.member, **values)
    assert field in refused.value.message_dict


def test_a_project_cannot_end_before_it_starts(people, in_b):
    with pytest.raises(ValidationError) as refused:
        services.space_create(
            actor=people.member,
            name="Repair-Café",
            kind=SpaceKind.PROJECT,
            goal="Jeden Monat reparieren",
            starts_on=datetime.date(2027, 5, 1),
            ends_on=datetime.date(2027, 4, 1),
        )
    assert "ends_on" in refused.value.message_dict
    project = services.space_create(
        actor=people.member,
        name="Repair-Café",
        kind=SpaceKind.PROJECT,
        goal="Jeden Monat reparieren",
        starts_on=datetime.date(2027, 5, 1),
        ends_on=datetime.date(2027, 5, 1),
    )
    assert project.status == "planned" and project.goal == "Jeden Monat reparieren"


def test_a_group_keeps_no_project_fields(people, in_b):
    group = services.space_create(
        actor=people.member, name="Chor", goal="x", starts_on=datetime.date(2027, 1, 1)
    )
    assert group.goal == "" and group.starts_on is None and group.status == ""


def test_topics_must_be_the_portals(people, in_b):
    with pytest.raises(ValidationError) as refused:
        services.space_create(actor=people.member, name="Chor", topic_ids=[999_999])
    assert "topics" in refused.value.message_dict


def test_private_spaces_need_their_module(people, portal_a, portal_b):
    with in_portal(portal_b):
        assert enabled_here("private_spaces")  # Professional plan
        private = services.space_create(
            actor=people.member, name="Vorstand", visibility=SpaceVisibility.PRIVATE
        )
        assert private.visibility == SpaceVisibility.PRIVATE
    with in_portal(portal_a):
        assert enabled_here("spaces") and not enabled_here("private_spaces")  # Community
        alpha_member = member_of(portal_a)
        with pytest.raises(ValidationError) as refused:
            services.space_create(
                actor=alpha_member, name="Vorstand", visibility=SpaceVisibility.PRIVATE
            )
        assert "Private" in " ".join(refused.value.message_dict["visibility"])
        # The positive control: a members-only space is fine there.
        services.space_create(actor=alpha_member, name="Vorstand")


def test_the_plan_limit_of_spaces_is_enforced(people, portal_b):
    Plan.objects.filter(key=portal_b.plan_id).update(max_spaces=2)
    forget_portal_features([portal_b.pk])
    try:
        with in_portal(portal_b):
            services.space_create(actor=people.member, name="Eins")
            services.space_create(actor=people.member, name="Zwei")
            with pytest.raises(ValidationError) as refused:
                services.space_create(actor=people.member, name="Drei")
            assert "limit of 2" in refused.value.messages[0]
    finally:
        forget_portal_features([portal_b.pk])


# --- joining -------------------------------------------------------------------------------


def test_an_open_space_takes_members_at_once_and_they_follow_it(people, in_b):
    space = space_of(admin=people.space_admin)
    membership = services.space_join(user=people.member, space=space)
    assert membership.is_active and membership.joined_at
    assert is_following(user=people.member, target=space)
    assert services.space_join(user=people.member, space=space).pk == membership.pk
    assert _events(space, EventType.SPACE_JOINED) == 1


def test_a_request_waits_for_a_space_admin_who_is_told(people, in_b):
    space = space_of(admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
    membership = services.space_join(user=people.member, space=space, message="Ich helfe gern!")
    assert membership.status == MembershipStatus.REQUESTED
    assert not selectors.is_space_member(user=people.member, space=space)
    told = Notification.objects.get(recipient=people.space_admin)
    assert told.event_type == EventType.SPACE_JOIN_REQUESTED
    assert told.url == f"/spaces/{space.slug}/members/"

    services.space_request_decide(actor=people.space_admin, membership=membership, approve=True)
    assert selectors.is_space_member(user=people.member, space=space)
    assert Notification.objects.filter(
        recipient=people.member, event_type=EventType.SPACE_JOIN_APPROVED
    ).exists()
    with pytest.raises(ValidationError):
        services.space_request_decide(actor=people.space_admin, membership=membership, approve=True)


def test_a_declined_request_is_gone_and_the_requester_is_told(people, in_b):
    space = space_of(admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
    membership = services.space_join(user=people.member, space=space)
    assert (
        services.space_request_decide(
            actor=people.space_admin, membership=membership, approve=False
        )
        is None
    )
    assert selectors.membership_of(user=people.member, space=space) is None
    assert Notification.objects.filter(
        recipient=people.member, event_type=EventType.SPACE_JOIN_DECLINED
    ).exists()


def test_only_space_admins_decide_requests(people, in_b):
    space = space_of(
        admin=people.space_admin, members=[people.space_member], join_policy=JoinPolicy.REQUEST
    )
    membership = services.space_join(user=people.member, space=space)
    with pytest.raises(PermissionDenied):
        services.space_request_decide(
            actor=people.space_member, membership=membership, approve=True
        )
    # The portal's admins answer for every space.
    services.space_request_decide(actor=people.admin, membership=membership, approve=True)


def test_an_invitation_only_space_refuses_the_uninvited(people, in_b):
    space = space_of(admin=people.space_admin, join_policy=JoinPolicy.INVITATION)
    with pytest.raises(PermissionDenied):
        services.space_join(user=people.member, space=space)
    services.space_invite(actor=people.space_admin, space=space, invitee=people.member)
    assert services.space_join(user=people.member, space=space).is_active


def test_an_invitation_to_a_private_space_shows_it_and_tells_the_invitee(people, in_b):
    space = space_of(
        admin=people.space_admin,
        visibility=SpaceVisibility.PRIVATE,
        join_policy=JoinPolicy.INVITATION,
    )
    assert not selectors.spaces_visible_to(user=people.invited).filter(pk=space.pk).exists()
    services.space_invite(actor=people.space_admin, space=space, invitee=people.invited)
    assert selectors.spaces_visible_to(user=people.invited).filter(pk=space.pk).exists()
    assert Notification.objects.filter(
        recipient=people.invited, event_type=EventType.SPACE_INVITED
    ).exists()
    with pytest.raises(ValidationError):  # invited once is enough
        services.space_invite(actor=people.space_admin, space=space, invitee=people.invited)
    membership = services.invitation_accept(user=people.invited, space=space)
    assert membership.is_active
    assert services.invitation_accept(user=people.invited, space=space).pk == membership.pk
    assert is_following(user=people.invited, target=space)


def test_a_declined_invitation_hides_the_private_space_again(people, in_b):
    space = space_of(admin=people.space_admin, visibility=SpaceVisibility.PRIVATE)
    services.space_invite(actor=people.space_admin, space=space, invitee=people.invited)
    services.invitation_decline(user=people.invited, space=space)
    assert not selectors.spaces_visible_to(user=people.invited).filter(pk=space.pk).exists()
    with pytest.raises(PermissionDenied):
        services.invitation_accept(user=people.invited, space=space)


def test_inviting_someone_who_asked_lets_them_in(people, in_b):
    space = space_of(admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
    services.space_join(user=people.member, space=space)
    membership = services.space_invite(actor=people.space_admin, space=space, invitee=people.member)
    assert membership.is_active


def test_members_cannot_invite(people, in_b):
    space = space_of(admin=people.space_admin, members=[people.space_member])
    with pytest.raises(PermissionDenied):
        services.space_invite(actor=people.space_member, space=space, invitee=people.member)


def test_a_member_can_be_found_by_address_or_unique_name(people, in_b):
    assert selectors.portal_member_lookup(query=people.member.email.upper()) == people.member
    assert selectors.portal_member_lookup(query="mia mitglied") == people.member
    member_of(people.portal, display_name="Mia Mitglied")
    with pytest.raises(ValidationError):  # two of that name now
        selectors.portal_member_lookup(query="Mia Mitglied")
    with pytest.raises(ValidationError):
        selectors.portal_member_lookup(query="nobody@example.org")


# --- leaving, removing, handing over -------------------------------------------------------


def test_leaving_ends_the_membership_and_the_following(people, in_b):
    space = space_of(admin=people.space_admin)
    services.space_join(user=people.member, space=space)
    services.space_leave(user=people.member, space=space)
    assert selectors.membership_of(user=people.member, space=space) is None
    assert not is_following(user=people.member, target=space)


def test_the_last_space_admin_cannot_leave_before_handing_over(people, in_b):
    space = space_of(admin=people.space_admin, members=[people.space_member])
    with pytest.raises(ValidationError) as refused:
        services.space_leave(user=people.space_admin, space=space)
    assert "last admin" in refused.value.messages[0]
    services.space_admin_transfer(actor=people.space_admin, space=space, to=people.space_member)
    assert selectors.is_space_admin(user=people.space_member, space=space)
    assert not selectors.is_space_admin(user=people.space_admin, space=space)
    assert selectors.is_space_member(user=people.space_admin, space=space)
    assert _events(space, EventType.SPACE_ADMIN_TRANSFERRED) == 1
    services.space_leave(user=people.space_admin, space=space)  # now they may


def test_the_admin_role_goes_only_to_an_active_member(people, in_b):
    space = space_of(admin=people.space_admin)
    join(space, people.invited, status=MembershipStatus.INVITED)
    for other in (people.member, people.invited):
        with pytest.raises(ValidationError):
            services.space_admin_transfer(actor=people.space_admin, space=space, to=other)
    with pytest.raises(PermissionDenied):
        services.space_admin_transfer(actor=people.member, space=space, to=people.member)


def test_space_admins_remove_members_but_not_the_last_admin(people, in_b):
    space = space_of(admin=people.space_admin, members=[people.space_member])
    membership = selectors.membership_of(user=people.space_member, space=space)
    with pytest.raises(PermissionDenied):
        services.space_member_remove(
            actor=people.space_member,
            membership=selectors.membership_of(user=people.space_admin, space=space),
        )
    services.space_member_remove(actor=people.space_admin, membership=membership)
    assert not selectors.is_space_member(user=people.space_member, space=space)
    own = selectors.membership_of(user=people.space_admin, space=space)
    with pytest.raises(ValidationError):
        services.space_member_remove(actor=people.admin, membership=own)


# --- archive -------------------------------------------------------------------------------


def test_an_archived_space_is_read_only_until_taken_out(people, in_b):
    space = space_of(admin=people.space_admin, members=[people.space_member])
    with pytest.raises(PermissionDenied):
        services.space_archive(actor=people.space_member, space=space)
    services.space_archive(actor=people.space_admin, space=space)
    space.refresh_from_db()
    assert space.is_archived
    assert not selectors.can_contribute(user=people.space_member, space=space)
    with pytest.raises(ValidationError):
        services.space_join(user=people.member, space=space)
    with pytest.raises(ValidationError):
        services.space_update(
            actor=people.space_admin,
            space=space,
            name="Neu",
            kind=space.kind,
            visibility=space.visibility,
            join_policy=space.join_policy,
        )
    current, archived = selectors.spaces_for_listing(user=people.member)
    assert space not in current and space in archived
    services.space_unarchive(actor=people.space_admin, space=space)
    space.refresh_from_db()
    assert not space.is_archived
    assert selectors.can_contribute(user=people.space_member, space=space)
    assert services.space_join(user=people.member, space=space).is_active
    assert _events(space, EventType.SPACE_ARCHIVED) == 1
    assert _events(space, EventType.SPACE_UNARCHIVED) == 1


def test_updating_changes_the_fields_and_keeps_the_address(people, in_b):
    space = space_of(admin=people.space_admin, name="Alt")
    services.space_update(
        actor=people.space_admin,
        space=space,
        name="Neuer Name",
        kind=SpaceKind.GROUP,
        visibility=SpaceVisibility.MEMBERS,
        join_policy=JoinPolicy.REQUEST,
        description="Neu",
    )
    space.refresh_from_db()
    assert (space.name, space.join_policy, space.slug.startswith("space-")) == (
        "Neuer Name",
        JoinPolicy.REQUEST,
        True,
    )
    with pytest.raises(PermissionDenied):
        services.space_update(
            actor=people.member,
            space=space,
            name="Übernahme",
            kind=SpaceKind.GROUP,
            visibility=SpaceVisibility.PUBLIC,
            join_policy=JoinPolicy.OPEN,
        )


def test_a_member_who_cannot_see_a_space_cannot_join_it(people, in_b):
    from django.http import Http404

    space = space_of(admin=people.space_admin, visibility=SpaceVisibility.PRIVATE)
    with pytest.raises(Http404):
        services.space_join(user=people.member, space=space)
    assert not SpaceMembership.objects.filter(space=space, user=people.member).exists()


def test_a_private_space_stays_private_when_its_module_is_switched_off(people, portal_b):
    from tests.features.conftest import set_feature

    with in_portal(portal_b):
        space = space_of(admin=people.space_admin, visibility=SpaceVisibility.PRIVATE)
    set_feature(portal_b, "private_spaces", False)
    try:
        with in_portal(portal_b):
            services.space_update(
                actor=people.space_admin,
                space=space,
                name="Noch privat",
                kind=SpaceKind.GROUP,
                visibility=SpaceVisibility.PRIVATE,
                join_policy=JoinPolicy.OPEN,
            )
            other = space_of(admin=people.space_admin)
            with pytest.raises(ValidationError):  # but no new private space
                services.space_update(
                    actor=people.space_admin,
                    space=other,
                    name="Neu privat",
                    kind=SpaceKind.GROUP,
                    visibility=SpaceVisibility.PRIVATE,
                    join_policy=JoinPolicy.OPEN,
                )
    finally:
        set_feature(portal_b, "private_spaces", True)
