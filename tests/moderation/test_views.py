"""Moderation pages: report form, the queue in context, decisions and who may take them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from core.event_types import EventType
from core.models import AuditEvent
from discussions.models import Thread
from moderation import services
from moderation.models import Outcome, Reason, Report, ReportStatus
from notifications.models import Notification
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal
from tests.moderation.conftest import comment_on, thread_in

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
DECIDE = "/moderation/decide/"
REPORT = "/moderation/report/"


def _report_url(obj) -> str:
    return f"{REPORT}?type={obj._meta.label_lower}&id={obj.pk}"


def _decide(obj, action: str, **extra) -> dict:
    return {"type": obj._meta.label_lower, "id": obj.pk, "action": action, **extra}


def _client(portal, user) -> Client:
    return logged_in_client(portal, user, HTTP_ACCEPT_LANGUAGE="en")


def test_report_hide_unhide_journey(portal_a, world):
    reporter = _client(portal_a, world.reporter)
    page = reporter.get(_report_url(world.comment))
    assert page.status_code == 200
    assert "Spam or advertising" in page.content.decode()
    sent = reporter.post(
        REPORT,
        {
            "type": "comments.comment",
            "id": world.comment.pk,
            "reason": Reason.SPAM,
            "text": "Reine Werbung",
        },
    )
    assert sent.status_code == 302

    moderator = _client(portal_a, world.space_admin)
    queue = moderator.get(QUEUE).content.decode()
    # In context: the text rendered, its author, its space, a link to where it is.
    assert "<strong>Spam</strong>" in queue
    assert "Anton Author" in queue
    assert "Lindenviertel" in queue
    assert f"#comment-{world.comment.pk}" in queue
    assert "Reine Werbung" in queue
    assert "1 report" in queue

    assert moderator.post(DECIDE, _decide(world.comment, "hide")).status_code == 302
    with in_portal(portal_a):
        assert Comment.objects.get(pk=world.comment.pk).hidden_at is not None
        from comments.selectors import comments_visible_to

        assert not comments_visible_to(user=world.reporter).filter(pk=world.comment.pk).exists()
        assert comments_visible_to(user=world.space_admin).filter(pk=world.comment.pk).exists()
        notice = Notification.objects.get(recipient=world.reporter)
        assert notice.event_type == EventType.REPORT_RESOLVED and notice.actor is None
        assert Report.objects.get().outcome == Outcome.HIDDEN
        for event in (EventType.REPORT_FILED, EventType.CONTENT_HIDDEN, EventType.REPORT_RESOLVED):
            assert AuditEvent.objects.filter(event_type=event).exists(), event

    assert "No open reports" in moderator.get(QUEUE).content.decode()
    decided = moderator.get("/moderation/decided/").content.decode()
    assert "Hidden by moderation" in decided
    assert "Decision: content hidden" in decided

    assert (
        moderator.post(DECIDE, _decide(world.comment, "unhide", next="resolved"))["Location"]
        == "/moderation/decided/"
    )
    with in_portal(portal_a):
        assert Comment.objects.get(pk=world.comment.pk).hidden_at is None
        assert AuditEvent.objects.filter(event_type=EventType.CONTENT_UNHIDDEN).exists()

    mine = reporter.get("/moderation/mine/").content.decode()
    assert "Decided: content hidden." in mine


def test_duplicate_report_through_the_form_makes_one_row(portal_a, world):
    reporter = _client(portal_a, world.reporter)
    for _ in range(2):
        data = {"type": "discussions.thread", "id": world.thread.pk, "reason": Reason.SPAM}
        assert reporter.post(REPORT, data).status_code == 302
    with in_portal(portal_a):
        assert Report.objects.count() == 1


def test_report_of_invisible_or_missing_content_is_404(portal_a, world):
    with in_portal(portal_a):
        services.content_hide(moderator=world.moderator, target=world.thread)
    reporter = _client(portal_a, world.reporter)
    assert reporter.get(_report_url(world.thread)).status_code == 404
    assert reporter.get(f"{REPORT}?type=discussions.thread&id=999999").status_code == 404
    assert reporter.get(f"{REPORT}?type=spaces.space&id={world.space.pk}").status_code == 404
    assert reporter.get(f"{REPORT}?type=discussions.thread&id=abc").status_code == 404
    # Positive control: visible content opens the form.
    assert reporter.get(_report_url(world.author)).status_code == 200
    with in_portal(portal_a):
        services.content_unhide(moderator=world.moderator, target=world.thread)
    assert reporter.get(_report_url(world.thread)).status_code == 200


def test_report_form_without_a_target_explains_itself(portal_a, world):
    response = _client(portal_a, world.reporter).get(REPORT)
    assert response.status_code == 400
    assert "Nothing was chosen to report" in response.content.decode()


def test_bad_report_is_shown_again_with_the_text_kept(portal_a, world):
    response = _client(portal_a, world.reporter).post(
        REPORT, {"type": "discussions.thread", "id": world.thread.pk, "text": "Mein Hinweis"}
    )
    assert response.status_code == 400
    assert "Mein Hinweis" in response.content.decode()
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()
    with in_portal(portal_a):
        assert not Report.objects.exists()


def test_reporting_oneself_is_refused_with_a_message(portal_a, world):
    response = _client(portal_a, world.author).post(
        REPORT, {"type": "discussions.thread", "id": world.thread.pk, "reason": Reason.SPAM}
    )
    assert response.status_code == 400
    assert "cannot report yourself" in response.content.decode()


def test_a_member_can_be_reported_from_a_link(portal_a, world):
    reporter = _client(portal_a, world.reporter)
    assert reporter.get(_report_url(world.author)).status_code == 200
    data = {"type": "accounts.user", "id": world.author.pk, "reason": Reason.ABUSE}
    assert reporter.post(REPORT, data).status_code == 302
    queue = _client(portal_a, world.moderator).get(QUEUE).content.decode()
    assert "Anton Author" in queue and "Block the member" in queue
    # A space admin does not moderate members: reports about people are for portal staff.
    assert "Anton Author" not in _client(portal_a, world.space_admin).get(QUEUE).content.decode()


ACTIONS = ("hide", "unhide", "warn", "block", "dismiss")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_plain_member_gets_403_for_every_action(portal_a, world, action):
    member = _client(portal_a, world.member)
    response = member.post(DECIDE, _decide(world.thread, action, warning="x"))
    assert response.status_code == 403
    with in_portal(portal_a):
        thread = Thread.objects.get(pk=world.thread.pk)
        assert thread.hidden_at is None
        assert world.author.__class__.objects.get(pk=world.author.pk).status == "active"


@pytest.mark.parametrize("action", ACTIONS)
def test_a_visitor_is_sent_to_log_in_for_every_action(portal_a, world, action):
    response = Client(HTTP_HOST=host_of(portal_a)).post(DECIDE, _decide(world.thread, action))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_moderator_may_take_every_action(portal_a, world, action):
    # The positive control of the two tests above (a portal admin: blocking needs one today).
    response = _client(portal_a, world.admin).post(
        DECIDE, _decide(world.thread, action, warning="Bitte nicht.")
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_queue_is_403_for_members_and_login_for_visitors(portal_a, world):
    assert _client(portal_a, world.member).get(QUEUE).status_code == 403
    assert _client(portal_a, world.member).get("/moderation/decided/").status_code == 403
    visitor = Client(HTTP_HOST=host_of(portal_a)).get(QUEUE)
    assert visitor.status_code == 302 and visitor["Location"].startswith("/accounts/login/")
    for user in (world.moderator, world.admin, world.space_admin):
        assert _client(portal_a, user).get(QUEUE).status_code == 200


def test_space_admin_sees_and_acts_on_their_space_only(portal_a, world):
    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.thread, reason=Reason.SPAM)
        services.report_file(
            reporter=world.moderator, target=world.other_thread, reason=Reason.SPAM
        )
    sabine = _client(portal_a, world.space_admin)
    queue = sabine.get(QUEUE).content.decode()
    assert "Lindenviertel" in queue and "Hafenfest" not in queue
    assert sabine.post(DECIDE, _decide(world.other_thread, "hide")).status_code == 403
    assert sabine.post(DECIDE, _decide(world.thread, "hide")).status_code == 302
    assert sabine.post(DECIDE, _decide(world.thread, "block")).status_code == 403
    with in_portal(portal_a):
        assert Thread.objects.get(pk=world.other_thread.pk).hidden_at is None
        assert Thread.objects.get(pk=world.thread.pk).hidden_at is not None
    # The other space's admin sees their own report.
    assert "Hafenfest" in _client(portal_a, world.other_admin).get(QUEUE).content.decode()


def test_block_through_the_queue(portal_a, world):
    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.comment, reason=Reason.ABUSE)
    admin = _client(portal_a, world.admin)
    assert admin.post(DECIDE, _decide(world.comment, "block", note="Wiederholt")).status_code == 302
    with in_portal(portal_a):
        world.author.refresh_from_db()
        assert world.author.status == "blocked"
        assert Report.objects.get().outcome == Outcome.BLOCKED
        assert AuditEvent.objects.filter(event_type=EventType.MEMBER_BLOCKED).exists()


def test_warn_without_a_text_is_refused_and_keeps_the_note(portal_a, world):
    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.comment, reason=Reason.ABUSE)
    response = _client(portal_a, world.moderator).post(
        DECIDE, _decide(world.comment, "warn", note="Meine Notiz")
    )
    assert response.status_code == 400
    assert "Meine Notiz" in response.content.decode()
    with in_portal(portal_a):
        assert Report.objects.get().status == ReportStatus.OPEN


def test_script_in_report_text_is_escaped_in_the_queue(portal_a, world):
    with in_portal(portal_a):
        services.report_file(
            reporter=world.reporter,
            target=world.comment,
            reason=Reason.OTHER,
            text="<script>alert('x')</script>",
        )
        world.comment.body = "<img src=x onerror=alert(1)> hallo"
        world.comment.save()
    page = _client(portal_a, world.moderator).get(QUEUE).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "onerror" not in page or "onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def _fill(world, n: int) -> None:
    reporters = [member_of_world(world, i) for i in range(3)]
    for i in range(n):
        if i % 2:
            target = thread_in(world.space, world.author, title=f"Thema {i}")
        else:
            target = comment_on(world.thread, world.author, f"Kommentar {i}")
        services.report_file(
            reporter=reporters[i % len(reporters)], target=target, reason=Reason.SPAM
        )


_extra: dict = {}


def member_of_world(world, i: int):
    key = (world.space.pk, i)
    if key not in _extra:
        from tests.spaces.factories import join

        user = world.reporter.__class__.objects.create(
            email=f"extra{world.space.pk}-{i}@example.org", display_name=f"Extra {i}"
        )
        join(world.space, user)
        _extra[key] = user
    return _extra[key]


def _queue_queries(portal, user) -> int:
    client = _client(portal, user)
    client.get(QUEUE)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["moderator", "space_admin"])
def test_queue_query_count_does_not_grow_with_reports(portal_a, world, role):
    user = getattr(world, role)
    with in_portal(portal_a):
        _fill(world, 3)
    few = _queue_queries(portal_a, user)
    with in_portal(portal_a):
        _fill(world, 30)
    assert _queue_queries(portal_a, user) == few


def test_resolved_query_count_does_not_grow_with_reports(portal_a, world):
    def decide_all():
        for report in Report.objects.filter(status=ReportStatus.OPEN):
            services.target_decide(
                moderator=world.moderator, target=report.target, outcome=Outcome.HIDDEN
            )

    with in_portal(portal_a):
        _fill(world, 3)
        decide_all()
    client = _client(portal_a, world.moderator)
    client.get("/moderation/decided/")
    with CaptureQueriesContext(connection) as few:
        client.get("/moderation/decided/")
    with in_portal(portal_a):
        _fill(world, 30)
        decide_all()
    with CaptureQueriesContext(connection) as many:
        client.get("/moderation/decided/")
    assert len(many) == len(few)


def _button(portal, user, target) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "moderation/report_button.html" with target=obj %}')
    with in_portal(portal):
        return template.render(Context({"request": request, "obj": target}))


def test_report_button_links_to_the_form_except_for_own_content_and_visitors(portal_a, world):
    from django.contrib.auth.models import AnonymousUser

    html = _button(portal_a, world.reporter, world.comment)
    assert f'href="/moderation/report/?type=comments.comment&amp;id={world.comment.pk}"' in html
    assert _button(portal_a, world.author, world.comment).strip() == ""
    assert _button(portal_a, AnonymousUser(), world.comment).strip() == ""
    assert "type=accounts.user" in _button(portal_a, world.reporter, world.author)
    assert _button(portal_a, world.author, world.author).strip() == ""


def test_hidden_note_shows_only_for_hidden_content(portal_a, world):
    template = Template('{% include "moderation/hidden_note.html" with target=obj %}')
    assert template.render(Context({"obj": world.thread})).strip() == ""
    with in_portal(portal_a):
        services.content_hide(moderator=world.moderator, target=world.thread)
    assert "Hidden by moderation" in template.render(Context({"obj": world.thread}))


def test_a_warned_member_reads_the_warning(portal_a, world):
    with in_portal(portal_a):
        services.member_warn(
            moderator=world.moderator, member=world.author, text="Bitte sachlich bleiben."
        )
    page = _client(portal_a, world.author).get("/moderation/mine/").content.decode()
    assert "Bitte sachlich bleiben." in page
    assert (
        "Bitte sachlich"
        not in _client(portal_a, world.member).get("/moderation/mine/").content.decode()
    )


def test_other_portals_members_cannot_reach_the_queue(portal_a, portal_b, world):
    outsider = member_of(portal_b, display_name="Bea Beta")
    client = Client(HTTP_HOST=host_of(portal_a))
    with in_portal(portal_b):
        client.force_login(outsider)
    response = client.get(QUEUE)
    assert response.status_code == 302


def test_reports_about_deleted_content_can_be_closed(portal_a, world):
    from django.utils import timezone

    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.comment, reason=Reason.SPAM)
        Comment.objects.filter(pk=world.comment.pk).update(deleted_at=timezone.now())
    moderator = _client(portal_a, world.space_admin)
    assert "This item no longer exists" in moderator.get(QUEUE).content.decode()
    # Another space's admin has nothing to close here.
    other = _client(portal_a, world.other_admin)
    assert other.post(DECIDE, _decide(world.comment, "dismiss")).status_code == 404
    assert moderator.post(DECIDE, _decide(world.comment, "hide")).status_code == 404
    assert moderator.post(DECIDE, _decide(world.comment, "dismiss")).status_code == 302
    with in_portal(portal_a):
        assert Report.objects.get().outcome == Outcome.NO_ACTION


def test_a_report_by_an_erased_reporter_still_shows(portal_a, world):
    with in_portal(portal_a):
        services.report_file(reporter=world.reporter, target=world.thread, reason=Reason.SPAM)
        Report.objects.update(reporter=None)
    page = _client(portal_a, world.moderator).get(QUEUE).content.decode()
    assert "Former member" in page
