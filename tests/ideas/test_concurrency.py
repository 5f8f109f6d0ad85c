"""The same support twice at the same moment (a double click, two tabs): one support. The first
session holds its transaction open; the second waits on the unique row, then finds the first
one's support and returns it. Runs on committed data and cleans up after itself."""

from __future__ import annotations

from core.event_types import EventType
from core.models import AuditEvent
from ideas import services
from ideas.models import Idea, Support
from notifications.models import Follow
from tests.accounts.factories import member_of
from tests.concurrency import hold_and_wait
from tests.conftest import in_portal
from tests.ideas.factories import idea_of


def test_the_same_support_twice_at_once_makes_one_support(committed, portal_b):
    with in_portal(portal_b):
        author = member_of(portal_b, email="race-idea-author@beta.example")
        fan = member_of(portal_b, email="race-idea-fan@beta.example")
        idea = idea_of(author=author, title="Wettlauf-Idee")

    def session():
        with in_portal(portal_b):
            return services.idea_support(user=fan, idea=idea)

    try:
        first, second = hold_and_wait(session, session)
        assert isinstance(first, Support), first
        assert isinstance(second, Support), second
        assert first.pk == second.pk
        with in_portal(portal_b):
            assert Support.objects.filter(idea=idea, user=fan).count() == 1
            assert (
                AuditEvent.objects.filter(
                    event_type=EventType.IDEA_SUPPORTED, object_id=str(idea.pk)
                ).count()
                == 1
            )
    finally:
        with in_portal(portal_b):
            AuditEvent.objects.filter(actor__in=[author, fan]).delete()
            Follow.objects.filter(user__in=[author, fan]).delete()
            Idea.objects.filter(pk=idea.pk).delete()
            fan.delete()
            author.delete()
