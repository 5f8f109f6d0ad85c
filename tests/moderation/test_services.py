"""Moderation services: filing reports, hiding, warning, blocking and deciding, with their
permission rules and audit rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import MemberStatus
from comments.models import Comment
from core.event_types import EventType
from core.models import AuditEvent
from discussions.models import Thread
from moderation import services
from moderation.models import MemberWarning, Outcome, Reason, Report, ReportStatus
from notifications.models import Notification
from spaces.models import SpaceVisibility
from tests.conftest import in_portal
from tests.moderation.conftest import comment_on, thread_in
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


def _audited(event_type, obj) -> bool:
    return AuditEvent.objects.filter(
        event_type=event_type, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).exists()


def test_a_report_is_filed_once_and_audited(portal_a, world):
    with in_portal(portal_a):
        report = services.report_file(
            reporter=world.reporter, target=world.comment, reason=Reason.SPAM, text="Werbung"
        )
        again = services.report_file(
            reporter=world.reporter, target=world.comment, reason=Reason.ABUSE, text="nochmal"
        )
        assert again.pk == report.pk
        assert Report.objects.filter(target_id=world.comment.pk).count() == 1
        assert report.space == world.space
        assert report.status == ReportStatus.OPEN
        assert _audited(EventType.REPORT_FILED, report)


def test_a_second_reporter_files_a_second_report(portal_a, world):
    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.thread, reason=Reason.SPAM)
        services.report_file(reporter=world.member, target=world.thread, reason=Reason.SPAM)
        assert Report.objects.filter(target_id=world.thread.pk).count() == 2


def test_after_a_decision_the_same_reporter_may_report_again(portal_a, world):
    with in_portal(portal_a):
        first = services.report_file(
            reporter=world.reporter, target=world.thread, reason=Reason.SPAM
        )
        services.report_resolve(moderator=world.moderator, report=first, outcome=Outcome.NO_ACTION)
        second = services.report_file(
            reporter=world.reporter, target=world.thread, reason=Reason.SPAM
        )
        assert second.pk != first.pk


def test_reporting_what_one_cannot_see_is_404(portal_a, world):
    with in_portal(portal_a):
        private = space_of(name="Geheim", visibility=SpaceVisibility.PRIVATE)
        secret = thread_in(private, world.author, title="Intern")
        with pytest.raises(Http404):
            services.report_file(reporter=world.reporter, target=secret, reason=Reason.SPAM)
        assert not Report.objects.exists()
        # Positive control: a thread the reporter sees can be reported.
        services.report_file(reporter=world.reporter, target=world.thread, reason=Reason.SPAM)


def test_hidden_content_cannot_be_reported_by_members(portal_a, world):
    with in_portal(portal_a):
        services.content_hide(moderator=world.moderator, target=world.thread)
        with pytest.raises(Http404):
            services.report_file(reporter=world.reporter, target=world.thread, reason=Reason.SPAM)


def test_own_content_cannot_be_reported(portal_a, world):
    with in_portal(portal_a), pytest.raises(ValidationError):
        services.report_file(reporter=world.author, target=world.thread, reason=Reason.SPAM)


def test_unknown_reason_and_long_text_are_refused(portal_a, world):
    with in_portal(portal_a):
        with pytest.raises(ValidationError):
            services.report_file(reporter=world.reporter, target=world.thread, reason="boring")
        with pytest.raises(ValidationError):
            services.report_file(
                reporter=world.reporter, target=world.thread, reason=Reason.SPAM, text="x" * 2001
            )
        assert not Report.objects.exists()


def test_a_member_can_be_reported_but_not_a_blocked_one(portal_a, world):
    with in_portal(portal_a):
        report = services.report_file(
            reporter=world.reporter, target=world.author, reason=Reason.ABUSE
        )
        assert report.space is None
        world.member.status = MemberStatus.BLOCKED
        world.member.is_active = False
        world.member.save()
        with pytest.raises(Http404):
            services.report_file(reporter=world.reporter, target=world.member, reason=Reason.ABUSE)


def test_hide_and_unhide_set_hidden_at_and_are_audited(portal_a, world):
    with in_portal(portal_a):
        services.content_hide(moderator=world.moderator, target=world.comment)
        world.comment.refresh_from_db()
        assert world.comment.hidden_at is not None
        assert _audited(EventType.CONTENT_HIDDEN, world.comment)
        services.content_unhide(moderator=world.moderator, target=world.comment)
        world.comment.refresh_from_db()
        assert world.comment.hidden_at is None
        assert _audited(EventType.CONTENT_UNHIDDEN, world.comment)


def test_hidden_thread_is_gone_for_members_and_shown_to_moderators(portal_a, world):
    from core import visibility

    with in_portal(portal_a):
        services.content_hide(moderator=world.space_admin, target=world.thread)
        assert not visibility.can_see(world.reporter, world.thread)
        assert visibility.can_see(world.space_admin, world.thread)
        assert visibility.can_see(world.moderator, world.thread)


def test_space_admin_moderates_only_their_own_space(portal_a, world):
    with in_portal(portal_a):
        services.content_hide(moderator=world.space_admin, target=world.thread)
        with pytest.raises(PermissionDenied):
            services.content_hide(moderator=world.space_admin, target=world.other_thread)
        with pytest.raises(PermissionDenied):
            services.content_hide(moderator=world.member, target=world.thread)
        assert Thread.objects.get(pk=world.other_thread.pk).hidden_at is None


def test_resolving_tells_the_reporter_without_naming_the_moderator(portal_a, world, english):
    with in_portal(portal_a):
        report = services.report_file(
            reporter=world.reporter, target=world.comment, reason=Reason.SPAM
        )
        decided = services.target_decide(
            moderator=world.moderator, target=world.comment, outcome=Outcome.HIDDEN, note="Spam"
        )
        assert [r.pk for r in decided] == [report.pk]
        report.refresh_from_db()
        assert (report.status, report.outcome, report.decided_by) == (
            ReportStatus.RESOLVED,
            Outcome.HIDDEN,
            world.moderator,
        )
        assert Comment.objects.get(pk=world.comment.pk).hidden_at is not None
        notice = Notification.objects.get(recipient=world.reporter)
        assert notice.event_type == EventType.REPORT_RESOLVED
        assert notice.actor is None
        assert "hidden" in notice.excerpt
        assert _audited(EventType.REPORT_RESOLVED, report)
        with pytest.raises(ValidationError):
            services.report_resolve(
                moderator=world.moderator, report=report, outcome=Outcome.NO_ACTION
            )


def test_a_decision_closes_every_open_report_about_the_item(portal_a, world):
    with in_portal(portal_a):
        for reporter in (world.reporter, world.member):
            services.report_file(reporter=reporter, target=world.thread, reason=Reason.SPAM)
        decided = services.target_decide(
            moderator=world.space_admin, target=world.thread, outcome=Outcome.NO_ACTION
        )
        assert len(decided) == 2
        assert not Report.objects.filter(status=ReportStatus.OPEN).exists()
        assert Notification.objects.filter(event_type=EventType.REPORT_RESOLVED).count() == 2


def test_warning_makes_a_row_a_notification_and_an_audit_row(portal_a, world):
    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.comment, reason=Reason.ABUSE)
        services.target_decide(
            moderator=world.space_admin,
            target=world.comment,
            outcome=Outcome.WARNED,
            warning="Bitte freundlich bleiben.",
        )
        warning = MemberWarning.objects.get(member=world.author)
        assert warning.text == "Bitte freundlich bleiben."
        assert warning.space == world.space
        notice = Notification.objects.get(recipient=world.author)
        assert notice.event_type == EventType.MEMBER_WARNED
        assert notice.actor is None
        assert _audited(EventType.MEMBER_WARNED, world.author)


def test_a_warning_needs_a_text(portal_a, world):
    with in_portal(portal_a):
        with pytest.raises(ValidationError):
            services.member_warn(moderator=world.moderator, member=world.author, text=" ")
        assert not MemberWarning.objects.exists()


def test_only_portal_staff_block(portal_a, world):
    with in_portal(portal_a):
        with pytest.raises(PermissionDenied):
            services.member_block(moderator=world.space_admin, member=world.author)
        services.target_decide(
            moderator=world.admin, target=world.comment, outcome=Outcome.BLOCKED, note="Spam"
        )
        world.author.refresh_from_db()
        assert world.author.status == MemberStatus.BLOCKED
        assert _audited(EventType.MEMBER_BLOCKED, world.author)


def test_a_blocked_author_is_refused_twice(portal_a, world):
    with in_portal(portal_a):
        services.member_block(moderator=world.admin, member=world.author)
        with pytest.raises(ValidationError):
            services.member_block(moderator=world.admin, member=world.author)


def test_reports_about_a_comment_belong_to_the_space_of_its_thread(portal_a, world):
    with in_portal(portal_a):
        reply = comment_on(world.other_thread, world.other_admin, "Hafen")
        report = services.report_file(reporter=world.moderator, target=reply, reason=Reason.SPAM)
        assert report.space == world.other_space
        with pytest.raises(PermissionDenied):
            services.report_resolve(
                moderator=world.space_admin, report=report, outcome=Outcome.NO_ACTION
            )
        services.report_resolve(
            moderator=world.other_admin, report=report, outcome=Outcome.NO_ACTION
        )
