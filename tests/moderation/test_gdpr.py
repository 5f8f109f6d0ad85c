"""Data rights of moderation rows: reports filed and decided, warnings given and received."""

from __future__ import annotations

import pytest

from moderation import gdpr, services
from moderation.models import MemberWarning, Outcome, Reason, Report

pytestmark = pytest.mark.django_db


def _setup(world):
    report = services.report_file(
        reporter=world.reporter, target=world.comment, reason=Reason.ABUSE, text="Beleidigend"
    )
    services.target_decide(
        moderator=world.moderator,
        target=world.comment,
        outcome=Outcome.WARNED,
        note="Erste Warnung",
        warning="Bitte freundlich bleiben.",
    )
    return report


def test_export_has_reports_filed_and_decided_and_warnings(portal_a, world):
    from tests.conftest import in_portal

    with in_portal(portal_a):
        _setup(world)
        filed = gdpr._report_export(world.reporter)
        assert filed[0]["text"] == "Beleidigend" and filed[0]["outcome"] == Outcome.WARNED
        decided = gdpr._report_export(world.moderator)
        assert decided[0]["decision_note"] == "Erste Warnung"
        assert gdpr._warning_export(world.author)[0]["text"] == "Bitte freundlich bleiben."


def test_erasing_unlinks_people_and_drops_their_texts(portal_a, world):
    from tests.conftest import in_portal

    with in_portal(portal_a):
        report = _setup(world)
        gdpr._report_erase(world.reporter, keep_content=False)
        gdpr._report_erase(world.moderator, keep_content=True)
        gdpr._warning_erase(world.author, keep_content=False)
        report.refresh_from_db()
        assert report.reporter is None and report.text == ""
        assert report.decided_by is None and report.decision_note == "Erste Warnung"
        assert not MemberWarning.objects.filter(member=world.author).exists()
        assert Report.objects.count() == 1
