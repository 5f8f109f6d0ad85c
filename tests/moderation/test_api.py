"""The reports API: members file reports and read their own; moderators read what they
decide; what the caller cannot see is 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from features.models import FeatureGrant
from features.selectors import forget_portal_features
from moderation import services
from moderation.models import Reason, Report
from tests.accounts.factories import logged_in_client
from tests.conftest import in_portal
from tests.features.conftest import set_feature

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


@pytest.fixture
def api_on(portal_a):
    FeatureGrant.objects.create(
        portal=portal_a, feature="api_access", expires_at=timezone.now() + timedelta(days=1)
    )
    set_feature(portal_a, "api_access", True)
    yield
    forget_portal_features([portal_a.pk])


def test_a_member_files_a_report_and_lists_only_their_own(portal_a, world, api_on):
    with in_portal(portal_a):
        services.report_file(reporter=world.member, target=world.thread, reason=Reason.SPAM)
    client = logged_in_client(portal_a, world.reporter)
    created = client.post(
        URL,
        {"target_type": "comments.comment", "target_id": world.comment.pk, "reason": "spam"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["target_type"] == "comments.comment"
    listed = client.get(URL).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["target_id"] for row in rows] == [world.comment.pk]
    # Moderators list every report they decide.
    staff = logged_in_client(portal_a, world.moderator).get(URL).json()
    assert len(staff["results"] if isinstance(staff, dict) else staff) == 2


def test_reporting_invisible_content_through_the_api_is_404(portal_a, world, api_on):
    with in_portal(portal_a):
        services.content_hide(moderator=world.moderator, target=world.thread)
    client = logged_in_client(portal_a, world.reporter)
    hidden = {"target_type": "discussions.thread", "target_id": world.thread.pk, "reason": "spam"}
    assert client.post(URL, hidden, content_type="application/json").status_code == 404
    bad = {"target_type": "accounts.user", "target_id": world.author.pk, "reason": "boring"}
    assert client.post(URL, bad, content_type="application/json").status_code == 400
    # Positive control: a visible member can be reported.
    good = {**bad, "reason": "abuse"}
    assert client.post(URL, good, content_type="application/json").status_code == 201
    with in_portal(portal_a):
        assert Report.objects.count() == 1
