"""The rules of the members admin, through its services: roles, blocking, approvals, the
membership rules, and the audit row each change leaves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import MembershipPolicy, MemberStatus, RegistrationPolicy, Role, User
from core.event_types import EventType
from core.models import AuditEvent
from members import services
from news.models import Post
from tests.accounts.factories import admin_of, member_of
from tests.conftest import in_portal
from tests.members.conftest import audit_rows, only_admin, refreshed

pytestmark = pytest.mark.django_db


def test_an_admin_makes_a_member_moderator_and_the_audit_log_says_from_what_to_what(
    portal_a, admin, member
):
    with in_portal(portal_a):
        services.member_role_change(member=member, role=Role.MODERATOR, actor=admin)
    assert refreshed(portal_a, member).role == Role.MODERATOR
    [row] = audit_rows(portal_a, EventType.MEMBER_ROLE_CHANGED, member)
    assert row.actor == admin
    assert row.detail == {"from": "member", "to": "moderator"}


def test_the_same_role_again_changes_nothing_and_writes_no_audit_row(portal_a, admin, member):
    with in_portal(portal_a):
        services.member_role_change(member=member, role=Role.MEMBER, actor=admin)
    assert audit_rows(portal_a, EventType.MEMBER_ROLE_CHANGED, member) == []


def test_an_unknown_role_is_refused(portal_a, admin, member):
    with in_portal(portal_a), pytest.raises(ValidationError) as refused:
        services.member_role_change(member=member, role="owner", actor=admin)
    assert "role" in refused.value.message_dict
    assert refreshed(portal_a, member).role == Role.MEMBER


def test_the_last_admin_cannot_step_down_but_can_once_there_is_another(portal_a, admin, english):
    only_admin(portal_a, admin)
    with in_portal(portal_a), pytest.raises(ValidationError) as refused:
        services.member_role_change(member=admin, role=Role.MEMBER, actor=admin)
    assert "last administrator" in str(refused.value)
    assert refreshed(portal_a, admin).role == Role.ADMIN
    assert audit_rows(portal_a, EventType.MEMBER_ROLE_CHANGED, admin) == []

    second = admin_of(portal_a)  # positive control
    with in_portal(portal_a):
        services.member_role_change(member=admin, role=Role.MEMBER, actor=admin)
    assert refreshed(portal_a, admin).role == Role.MEMBER
    assert refreshed(portal_a, second).role == Role.ADMIN


def test_a_blocked_admin_does_not_count_as_the_other_admin(portal_a, admin, english):
    only_admin(portal_a, admin)
    blocked = admin_of(portal_a)
    with in_portal(portal_a):
        services.member_block(member=blocked, actor=admin)
        with pytest.raises(ValidationError, match="last administrator"):
            services.member_role_change(member=admin, role=Role.MODERATOR, actor=admin)
        # Demoting the blocked one is fine: they are not what keeps the portal run.
        services.member_role_change(member=blocked, role=Role.MEMBER, actor=admin)
    assert refreshed(portal_a, admin).role == Role.ADMIN


def test_nobody_blocks_themselves_so_the_last_admin_cannot_be_blocked(portal_a, admin, english):
    only_admin(portal_a, admin)
    with in_portal(portal_a), pytest.raises(ValidationError, match="cannot block yourself"):
        services.member_block(member=admin, actor=admin)
    assert refreshed(portal_a, admin).is_active


def test_someone_who_is_no_longer_an_admin_cannot_change_anything(portal_a, admin, member):
    former = admin_of(portal_a)
    with in_portal(portal_a):
        services.member_role_change(member=former, role=Role.MEMBER, actor=admin)
        with pytest.raises(ValidationError):
            services.member_block(member=member, actor=former)  # a stale admin object
        with pytest.raises(ValidationError):
            services.member_role_change(member=member, role=Role.ADMIN, actor=member)
    assert refreshed(portal_a, member).status == MemberStatus.ACTIVE
    assert refreshed(portal_a, member).role == Role.MEMBER


def test_blocking_keeps_the_account_and_its_content_and_unblocking_restores_it(
    portal_a, admin, member
):
    with in_portal(portal_a):
        Post.objects.create(author=member, body="Mein Beitrag bleibt.")
        services.member_block(member=member, actor=admin, reason="  Spam im Forum  ")
    member = refreshed(portal_a, member)
    assert (member.status, member.is_active) == (MemberStatus.BLOCKED, False)
    with in_portal(portal_a):
        assert Post.objects.filter(author=member, body="Mein Beitrag bleibt.").exists()
    [row] = audit_rows(portal_a, EventType.MEMBER_BLOCKED, member)
    assert row.actor == admin
    assert row.detail == {"from": "active", "to": "blocked", "reason": "Spam im Forum"}

    with in_portal(portal_a):
        services.member_unblock(member=member, actor=admin)
    member = refreshed(portal_a, member)
    assert (member.status, member.is_active) == (MemberStatus.ACTIVE, True)
    [row] = audit_rows(portal_a, EventType.MEMBER_UNBLOCKED, member)
    assert row.detail == {"from": "blocked", "to": "active"}


def test_blocking_and_unblocking_are_refused_where_they_make_no_sense(
    portal_a, admin, member, pending, english
):
    with in_portal(portal_a):
        with pytest.raises(ValidationError, match="not blocked"):
            services.member_unblock(member=member, actor=admin)
        with pytest.raises(ValidationError, match="awaiting approval"):
            services.member_block(member=pending, actor=admin)
        with pytest.raises(ValidationError, match="under 500 characters"):
            services.member_block(member=member, actor=admin, reason="x" * 501)
        services.member_block(member=member, actor=admin)
        with pytest.raises(ValidationError, match="blocked already"):
            services.member_block(member=member, actor=admin)
    assert len(audit_rows(portal_a, EventType.MEMBER_BLOCKED, member)) == 1
    assert refreshed(portal_a, pending).status == MemberStatus.PENDING


def test_approving_a_registration_activates_the_account(portal_a, admin, pending, member):
    with in_portal(portal_a):
        services.member_approve(member=pending, actor=admin)
        with pytest.raises(ValidationError):
            services.member_approve(member=member, actor=admin)  # active already
    pending = refreshed(portal_a, pending)
    assert (pending.status, pending.is_active) == (MemberStatus.ACTIVE, True)
    [row] = audit_rows(portal_a, EventType.MEMBER_APPROVED, pending)
    assert row.actor == admin and row.detail == {"from": "pending", "to": "active"}


def test_declining_deletes_the_pending_account_and_says_so_in_the_audit_log(
    portal_a, admin, pending
):
    pk = pending.pk
    with in_portal(portal_a):
        services.member_decline(member=pending, actor=admin)
        assert not User.objects.filter(pk=pk).exists()
        row = AuditEvent.objects.get(event_type=EventType.MEMBER_DELETED, object_id=str(pk))
    assert row.actor_id == admin.pk
    assert row.object_label == "Paul Pending"
    assert row.detail == {"from": "pending", "to": "deleted", "declined": True}


def test_declining_is_refused_for_active_and_used_accounts(
    portal_a, admin, member, pending, english
):
    from django.utils import timezone

    with in_portal(portal_a):
        with pytest.raises(ValidationError, match="not awaiting approval"):
            services.member_decline(member=member, actor=admin)
        User.objects.filter(pk=pending.pk).update(last_seen_at=timezone.now())
        with pytest.raises(ValidationError, match="block it instead"):
            services.member_decline(member=pending, actor=admin)
        assert User.objects.filter(pk__in=[member.pk, pending.pk]).count() == 2
    assert audit_rows(portal_a, EventType.MEMBER_DELETED, pending) == []


def test_declining_an_account_that_content_refers_to_is_refused_not_a_crash(
    portal_a, admin, pending, english
):
    with in_portal(portal_a):
        Post.objects.create(author=pending, body="Vor der Freigabe geschrieben")
        with pytest.raises(ValidationError, match="block it instead"):
            services.member_decline(member=pending, actor=admin)
        assert User.objects.filter(pk=pending.pk).exists()
    assert audit_rows(portal_a, EventType.MEMBER_DELETED, pending) == []


def test_a_member_of_another_portal_is_refused(portal_a, portal_b, admin):
    stranger = member_of(portal_b)
    with in_portal(portal_a), pytest.raises(ValueError, match="schema"):
        services.member_block(member=stranger, actor=admin)
    assert refreshed(portal_b, stranger).is_active


def _policy(portal) -> MembershipPolicy:
    with in_portal(portal):
        return MembershipPolicy.objects.get()


def test_policy_domains_are_normalised_and_the_change_is_audited(portal_a, admin):
    with in_portal(portal_a):
        services.membership_policy_update(
            actor=admin,
            registration=RegistrationPolicy.DOMAINS,
            allowed_domains=" @Example.ORG \n\nexample.org\nSub.Stadt-Kiel.de.\nmünchen.de",
            members_only=True,
            admin_mfa_required=False,
        )
    policy = _policy(portal_a)
    assert policy.registration == "domains"
    assert policy.allowed_domains == ["example.org", "sub.stadt-kiel.de", "münchen.de"]
    assert policy.members_only is True
    with in_portal(portal_a):
        row = AuditEvent.objects.get(event_type=EventType.MEMBERSHIP_POLICY_CHANGED)
    assert row.actor_id == admin.pk
    assert row.detail == {
        "registration": {"from": "open", "to": "domains"},
        "allowed_domains": {
            "from": [],
            "to": ["example.org", "sub.stadt-kiel.de", "münchen.de"],
        },
        "members_only": {"from": False, "to": True},
    }


def test_saving_the_same_rules_again_writes_no_second_audit_row(portal_a, admin):
    rules = {
        "registration": RegistrationPolicy.APPROVAL,
        "allowed_domains": [],
        "members_only": False,
        "admin_mfa_required": True,
    }
    with in_portal(portal_a):
        services.membership_policy_update(actor=admin, **rules)
        services.membership_policy_update(actor=admin, **rules)
        assert (
            AuditEvent.objects.filter(event_type=EventType.MEMBERSHIP_POLICY_CHANGED).count() == 1
        )
        assert MembershipPolicy.objects.count() == 1


@pytest.mark.parametrize(
    ("registration", "domains", "field", "message"),
    [
        ("domains", "", "allowed_domains", "List at least one domain"),
        ("open", "example", "allowed_domains", "Not a valid domain: example"),
        ("open", "exa mple.org\n-bad.org\nok.org", "allowed_domains", "exa mple.org, -bad.org"),
        ("open", "user@example.org", "allowed_domains", "Not a valid domain"),
        ("everyone", "", "registration", "Choose one of the registration policies"),
    ],
)
def test_invalid_rules_are_refused_per_field_and_nothing_is_saved(
    portal_a, admin, english, registration, domains, field, message
):
    with in_portal(portal_a), pytest.raises(ValidationError) as refused:
        services.membership_policy_update(
            actor=admin,
            registration=registration,
            allowed_domains=domains,
            members_only=True,
            admin_mfa_required=True,
        )
    assert message in " ".join(refused.value.message_dict[field])
    with in_portal(portal_a):
        assert not MembershipPolicy.objects.filter(members_only=True).exists()
        assert not AuditEvent.objects.filter(
            event_type=EventType.MEMBERSHIP_POLICY_CHANGED
        ).exists()


def test_only_an_admin_sets_the_rules(portal_a, member):
    with in_portal(portal_a), pytest.raises(ValidationError):
        services.membership_policy_update(
            actor=member,
            registration="open",
            allowed_domains=[],
            members_only=True,
            admin_mfa_required=False,
        )
    with in_portal(portal_a):
        assert not MembershipPolicy.objects.filter(members_only=True).exists()


def test_a_moderator_blocks_a_plain_member_but_not_a_moderator_or_an_admin(
    portal_a, admin, english
):
    moderator = member_of(portal_a, Role.MODERATOR)
    other_moderator = member_of(portal_a, Role.MODERATOR)
    member = member_of(portal_a)
    with in_portal(portal_a):
        blocked = services.member_block(member=member, actor=moderator, reason="spam")
        assert blocked.status == MemberStatus.BLOCKED
        for target in (other_moderator, admin):
            with pytest.raises(ValidationError, match="not moderators or admins"):
                services.member_block(member=target, actor=moderator)
            target.refresh_from_db()
            assert target.status == MemberStatus.ACTIVE
        # Unblocking stays with the administrators.
        with pytest.raises(ValidationError, match="Only administrators"):
            services.member_unblock(member=blocked, actor=moderator)
        assert services.member_unblock(member=blocked, actor=admin).status == MemberStatus.ACTIVE
