"""The demo `make up` seeds: three portals with members, the NGO intranet closed to visitors,
an operator who passes the console's two-factor login with the printed secret; and seeding twice
changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import MembershipPolicy, User
from tenants.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, OPERATOR_EMAIL, demo_logins, seed_demo
from tenants.models import Portal
from tests.accounts.factories import totp_code
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


def test_the_demo_is_seeded_idempotently_with_a_closed_intranet_and_a_two_factor_operator(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = seed_demo()
    second = seed_demo()
    assert [p.pk for p in first] == [p.pk for p in second]
    intranet = Portal.objects.get(slug="nachbarschaft")
    with in_portal(intranet):
        policy = MembershipPolicy.objects.get()
        assert (policy.registration, policy.members_only) == ("invitation", True)
        assert User.objects.count() == 3
        assert all(user.profile.listed for user in User.objects.all())  # profiles to look at
        from members.models import Invitation

        assert Invitation.objects.filter(accepted_at__isnull=True).count() == 1

    visitor = Client(HTTP_HOST=f"nachbarschaft.{settings.PLATFORM_DOMAIN}")
    assert "Protokoll der Vorstandssitzung" not in visitor.get("/").content.decode()
    member = Client(HTTP_HOST=f"nachbarschaft.{settings.PLATFORM_DOMAIN}")
    member.post(
        "/accounts/login/", {"login": "ehrenamt@nachbarschaft.example", "password": DEMO_PASSWORD}
    )
    assert "Protokoll der Vorstandssitzung" in member.get("/").content.decode()

    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.post("/accounts/login/", {"login": OPERATOR_EMAIL, "password": DEMO_PASSWORD})
    console.post("/accounts/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)})
    assert console.get("/operator/").status_code == 200
    printed = "\n".join(demo_logins())
    assert DEMO_TOTP_SECRET in printed and "members only" in printed


def test_each_demo_portal_has_spaces_discussions_a_report_and_unread_notifications(
    django_capture_on_commit_callbacks,
):
    from discussions.models import Thread
    from moderation.models import Report
    from notifications.models import Notification
    from spaces.models import Space

    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    for slug, private_expected in (
        ("klimanetz", False),
        ("lindenau", True),
        ("nachbarschaft", True),
    ):
        with in_portal(Portal.objects.get(slug=slug)):
            kinds = set(Space.objects.values_list("visibility", flat=True))
            assert {"public", "members"} <= kinds, slug
            # Private spaces are a Professional module: the Community portal has none.
            assert ("private" in kinds) is private_expected, slug
            assert Thread.objects.filter(space__in=Space.objects.all()).count() >= 2
            assert Report.objects.filter(status="open").count() == 1, slug
            assert Notification.objects.filter(read_at__isnull=True).exists(), slug
            spaces_after_first = Space.objects.count()
        seed_demo()
        with in_portal(Portal.objects.get(slug=slug)):
            assert Space.objects.count() == spaces_after_first

    # A visitor of the city portal finds its public group, never the private one.
    visitor = Client(HTTP_HOST=f"lindenau.{settings.PLATFORM_DOMAIN}")
    page = visitor.get("/spaces/").content.decode()
    assert "Initiative Grüne Ecke" in page and "Stadtteilbüro intern" not in page


def test_the_city_demo_has_ideas_in_every_status_and_one_realised_through_a_project(
    django_capture_on_commit_callbacks,
):
    from ideas.models import Idea, IdeaStatus

    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    seed_demo()
    with in_portal(Portal.objects.get(slug="lindenau")):
        assert set(Idea.objects.values_list("status", flat=True)) == set(IdeaStatus.values)
        realised = Idea.objects.get(status=IdeaStatus.REALISED)
        assert realised.project is not None and realised.project.kind == "project"
        assert realised.supports.count() >= 2
        assert Idea.objects.count() == 5  # the second seed added nothing


def test_the_city_demo_has_a_proposal_decided_by_the_district_council(
    django_capture_on_commit_callbacks, mailoutbox
):
    from django.test import Client

    from proposals.models import Proposal, ProposalStatus

    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    seed_demo()
    with in_portal(Portal.objects.get(slug="lindenau")):
        decided = Proposal.objects.select_related("space", "meeting", "idea").get(
            status=ProposalStatus.DECIDED
        )
        assert decided.decision == "accepted" and decided.meeting is not None
        assert decided.idea is not None and decided.idea.project_id == decided.space_id
        assert [s.status for s in decided.steps.all()] == [
            "submitted",
            "received",
            "on_agenda",
            "decided",
        ]
        assert Proposal.objects.filter(status=ProposalStatus.DRAFT).count() == 1
        assert Proposal.objects.count() == 2  # the second seed added nothing
        url = decided.get_absolute_url()
    # The letter went to the district council, and a visitor reads the decision.
    assert any("bezirksbeirat@lindenau.example" in m.to and m.attachments for m in mailoutbox)
    page = Client(HTTP_HOST=f"lindenau.{settings.PLATFORM_DOMAIN}").get(url).content.decode()
    assert "einstimmig angenommen" in page


def test_the_climate_demo_has_a_month_of_events_a_clash_a_series_and_a_map_of_kiel(
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from events import selectors
    from events.models import CalendarSubscription, Event
    from places.models import MapSettings
    from spaces.models import Space

    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    with in_portal(Portal.objects.get(slug="klimanetz")):
        assert Event.objects.count() >= 8
        assert Event.objects.filter(title="Klimanetz-Plenum", rrule="FREQ=WEEKLY").exists()
        repair_day = Event.objects.get(title="Reparaturtag im Stadtteilzentrum")
        values = {
            "starts_at": repair_day.starts_at,
            "ends_at": repair_day.ends_at,
            "district": "Gaarden",
            "latitude": repair_day.latitude,
            "longitude": repair_day.longitude,
        }
        clashes = selectors.collisions_for(
            user=AnonymousUser(), values=values, exclude_pk=repair_day.pk
        )
        assert [c.occurrence.event.title for c in clashes] == ["Stadtteilfest Gaarden"]
        now = timezone.now()
        month, _cut = selectors.occurrences_for(
            user=AnonymousUser(), start=now, end=now + timezone.timedelta(days=31)
        )
        assert len({o.event.space_id for o in month if o.event.space_id}) >= 3  # initiatives
        mapped = Space.objects.exclude(latitude=None)
        assert mapped.count() >= 5
        assert all(54 < s.latitude < 55 and 9 < s.longitude < 11 for s in mapped)  # Kiel
        assert MapSettings.objects.get(pk=1).tile_url == ""  # no third party by default
    with in_portal(Portal.objects.get(slug="nachbarschaft")):
        [subscription] = CalendarSubscription.objects.all()
        assert subscription.url.endswith("/events/ical/") and "klimanetz" in subscription.url
