"""Posting, supporting, the status flow and starting a project, through the services and the
pages a member uses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.event_types import EventType
from core.models import AuditEvent
from ideas import services
from ideas.models import Idea, IdeaStatus, StatusChange, Support
from notifications.models import Notification
from notifications.services import follow, is_following
from spaces.models import MembershipStatus, SpaceKind, SpaceMembership
from tests.conftest import in_portal
from tests.ideas.factories import idea_of, support_of
from tests.spaces.factories import space_of


def test_a_member_posts_an_idea_and_follows_it(people, portal_b):
    client = people.client("author")
    response = client.post(
        "/ideas/new/",
        {
            "title": "Mehr Bänke am Fluss",
            "description": "**Sitzen** am Wasser",
            "place": "Altstadt",
        },
    )
    assert response.status_code == 302
    with in_portal(portal_b):
        idea = Idea.objects.get(title="Mehr Bänke am Fluss")
        assert response["Location"] == idea.get_absolute_url()
        assert idea.status == IdeaStatus.NEW and idea.author == people.author
        assert is_following(user=people.author, target=idea)
        assert AuditEvent.objects.filter(
            event_type=EventType.IDEA_POSTED, object_id=str(idea.pk)
        ).exists()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "<strong>Sitzen</strong>" in page and "Altstadt" in page and "New" in page


def test_bad_input_is_shown_again_with_the_text_kept(people):
    client = people.client("author")
    response = client.post(
        "/ideas/new/",
        {"title": "", "description": "Mein langer Text bleibt", "latitude": "500"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mein langer Text bleibt" in page
    assert 'role="alert"' in page


def test_posting_on_behalf_of_a_space_needs_its_membership(people, portal_b):
    with in_portal(portal_b):
        party = space_of(name="Grüne Liste", members=[people.author])
        other = space_of(name="Fremder Verein")
        idea = services.idea_post(
            author=people.author, title="Radweg", description="Text", on_behalf_of_id=party.pk
        )
        assert idea.on_behalf_of == party
        with pytest.raises(ValidationError) as refused:
            services.idea_post(
                author=people.author, title="X", description="Y", on_behalf_of_id=other.pk
            )
        assert "on_behalf_of" in refused.value.message_dict
    page = people.client("visitor").get("/ideas/").content.decode()
    assert "for Grüne Liste" in page


def test_support_once_and_withdraw(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Trinkbrunnen")
    client = people.client("supporter")
    assert client.post(f"/ideas/{idea.pk}/support/").status_code == 302
    assert client.post(f"/ideas/{idea.pk}/support/").status_code == 302
    with in_portal(portal_b):
        assert Support.objects.filter(idea=idea, user=people.supporter).count() == 1
        assert is_following(user=people.supporter, target=idea)
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "1 support" in page and "Withdraw my support" in page
    assert client.post(f"/ideas/{idea.pk}/withdraw/").status_code == 302
    with in_portal(portal_b):
        assert not Support.objects.filter(idea=idea).exists()
        assert AuditEvent.objects.filter(event_type=EventType.IDEA_SUPPORT_WITHDRAWN).exists()
    assert "0 supports" in client.get(f"/ideas/{idea.pk}/").content.decode()


def test_visitors_cannot_support(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author)
    response = people.client("visitor").post(f"/ideas/{idea.pk}/support/")
    assert response.status_code == 302 and "login" in response["Location"]
    with in_portal(portal_b):
        assert not Support.objects.exists()


def test_status_flow_with_reasons_by_a_moderator(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Parklet")
        support_of(idea, people.supporter)
        follow(user=people.author, target=idea)
    moderator = people.client("moderator")
    member = people.client("member")
    url = f"/ideas/{idea.pk}/status/"
    # A member gets 403 and nothing changes; the moderator (positive control) succeeds.
    assert member.post(url, {"status": "discussion", "reason": "Los"}).status_code == 403
    missing_reason = moderator.post(url, {"status": "discussion", "reason": ""})
    assert missing_reason.status_code == 400
    response = moderator.post(url, {"status": "discussion", "reason": "Der Bezirk prüft"})
    assert response.status_code == 302
    with in_portal(portal_b):
        idea.refresh_from_db()
        assert idea.status == IdeaStatus.DISCUSSION
        told = Notification.objects.get(recipient=people.supporter)
        assert told.event_type == EventType.IDEA_STATUS_CHANGED and "Parklet" in told.title
        assert Notification.objects.filter(recipient=people.author).exists()
        # Implementation needs a project.
        with pytest.raises(ValidationError):
            services.idea_status_change(
                moderator=people.moderator, idea=idea, status="implementation", reason="x"
            )
        with pytest.raises(ValidationError):  # no skipping
            services.idea_status_change(
                moderator=people.moderator, idea=idea, status="realised", reason="x"
            )
        with pytest.raises(PermissionDenied):
            services.idea_status_change(
                moderator=people.member, idea=idea, status="archived", reason="x"
            )
        services.idea_status_change(
            moderator=people.admin, idea=idea, status="archived", reason="Erledigt anders"
        )
        assert list(StatusChange.objects.filter(idea=idea).values_list("to_status", "reason")) == [
            ("discussion", "Der Bezirk prüft"),
            ("archived", "Erledigt anders"),
        ]
    page = member.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Der Bezirk prüft" in page and "Erledigt anders" in page
    with in_portal(portal_b):
        fresh = idea_of(author=people.author)
    assert "Change the status" not in member.get(f"/ideas/{fresh.pk}/").content.decode()
    assert "Change the status" in moderator.get(f"/ideas/{fresh.pk}/").content.decode()


def test_starting_a_project_links_it_and_invites_the_supporters(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Gemeinschaftsgarten Nord", place="Nord")
        support_of(idea, people.supporter)
        support_of(idea, people.member)
    # Someone else may not (positive control below).
    assert people.client("supporter").post(f"/ideas/{idea.pk}/project/").status_code == 403
    response = people.client("author").post(f"/ideas/{idea.pk}/project/")
    assert response.status_code == 302
    with in_portal(portal_b):
        idea.refresh_from_db()
        project = idea.project
        assert project is not None and project.kind == SpaceKind.PROJECT
        assert response["Location"] == project.get_absolute_url()
        assert project.name == "Gemeinschaftsgarten Nord"
        assert idea.get_absolute_url() in project.description
        assert idea.status == IdeaStatus.IMPLEMENTATION
        invited = set(
            SpaceMembership.objects.filter(
                space=project, status=MembershipStatus.INVITED
            ).values_list("user__display_name", flat=True)
        )
        assert invited == {"Udo Unterstützer", "Mia Mitglied"}
        assert StatusChange.objects.filter(idea=idea, to_status="implementation").exists()
        # Now it can be realised.
        services.idea_status_change(
            moderator=people.moderator, idea=idea, status="realised", reason="Eröffnet"
        )
        with pytest.raises(ValidationError):
            services.idea_start_project(user=people.author, idea=idea)
