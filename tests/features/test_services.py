"""Writes on features: switching with reasons for refusals and an audit row in the log of whoever
switched, plan changes that keep every piece of data, operator grants, and plan limits enforced
where things are created."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

import features.selectors
from accounts.models import User
from accounts.services import user_create
from core.event_types import EventType
from core.models import AuditEvent
from features.catalogue import FEATURES, built
from features.limits import limit_warnings
from features.models import FeatureGrant, FeatureSwitch, Plan
from features.selectors import load_portal_features, portal_features
from features.services import feature_grant, feature_switch, plan_change
from news.models import Post
from news.services import post_create
from tenants.models import Portal
from tenants.storage import portal_media_root
from tests.accounts.factories import UserFactory, admin_of, staff_user
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db

OPERATOR = "operator"  # the system actor of switches made for a portal from the platform side
PROFESSIONAL_ONLY = sorted(k for k, f in built().items() if f.plans == {"professional"})


def _name(key: str) -> str:
    return str(FEATURES[key].name)


def _fresh(portal) -> Portal:
    # The session-scoped fixture object must not be changed; tests read a copy.
    return Portal.objects.get(pk=portal.pk)


def _enabled(portal) -> frozenset[str]:
    return load_portal_features(_fresh(portal))[0].enabled


def _png(name: str = "bild.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _edit_plan(key: str, capture, **changes) -> Plan:
    plan = Plan.objects.get(key=key)
    for field, value in changes.items():
        setattr(plan, field, value)
    with capture(execute=True):
        plan.save()
    return plan


def _switch(portal, key: str, enabled: bool) -> FeatureSwitch:
    """A switch made from the platform side (public schema, system actor)."""
    return feature_switch(portal=portal, feature=key, enabled=enabled, actor_label=OPERATOR)


def _log(event_type: EventType, portal=None) -> list[AuditEvent]:
    """Rows of the current schema's audit log, oldest first; in public narrowed to `portal`."""
    rows = AuditEvent.objects.filter(event_type=event_type).order_by("pk")
    if portal is not None:
        rows = rows.filter(portal_id=portal.pk)
    return list(rows)


def _switch_rows(portal) -> list[tuple]:
    """(actor id, actor label, detail) of every switch in the public log concerning `portal`."""
    return [
        (row.actor_id, row.actor_label, row.detail)
        for row in _log(EventType.FEATURE_SWITCHED, portal)
    ]


def _switch_rows_in(portal) -> list[tuple]:
    """(actor id, actor label, portal id, detail) of every switch in `portal`'s own log."""
    with in_portal(portal):
        return [
            (row.actor_id, row.actor_label, row.portal_id, row.detail)
            for row in _log(EventType.FEATURE_SWITCHED)
        ]


# --- switching -------------------------------------------------------------------------------


def test_switching_on_a_module_the_plan_lacks_is_refused_naming_the_plan_that_has_it(portal_a):
    with pytest.raises(ValidationError) as refused:
        _switch(portal_a, "custom_css", True)

    message = " ".join(refused.value.messages)
    assert "Professional intranet" in message
    assert _name("custom_css") in message
    assert not FeatureSwitch.objects.filter(portal=portal_a).exists()
    assert _switch_rows(portal_a) == []


def test_switching_on_a_module_whose_dependency_is_off_is_refused_naming_it(portal_b):
    for key in ("proposals", "documents", "private_spaces", "spaces"):
        _switch(portal_b, key, False)
    recorded = _switch_rows(portal_b)
    assert len(recorded) == 4

    with pytest.raises(ValidationError) as refused:
        _switch(portal_b, "documents", True)

    assert _name("spaces") in " ".join(refused.value.messages)
    assert "documents" not in _enabled(portal_b)
    assert FeatureSwitch.objects.get(portal=portal_b, feature="documents").enabled is False
    assert _switch_rows(portal_b) == recorded


def test_switching_off_a_module_others_depend_on_is_refused_naming_them(portal_b):
    with pytest.raises(ValidationError) as refused:
        _switch(portal_b, "spaces", False)

    message = " ".join(refused.value.messages)
    assert _name("documents") in message
    assert _name("private_spaces") in message
    assert "spaces" in _enabled(portal_b)
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert _switch_rows(portal_b) == []


def test_switching_off_a_module_names_only_the_dependants_that_are_on(portal_b):
    _switch(portal_b, "documents", False)

    with pytest.raises(ValidationError) as refused:
        _switch(portal_b, "spaces", False)

    message = " ".join(refused.value.messages)
    assert _name("private_spaces") in message
    assert _name("documents") not in message
    assert "spaces" in _enabled(portal_b)


def test_switching_off_a_dependency_is_allowed_once_its_dependants_are_off(portal_b):
    _switch(portal_b, "documents", False)
    _switch(portal_b, "private_spaces", False)
    _switch(portal_b, "proposals", False)

    _switch(portal_b, "spaces", False)

    assert not {"spaces", "private_spaces", "documents", "proposals"} & _enabled(portal_b)


@pytest.mark.parametrize("enabled", [True, False])
def test_switching_an_unknown_module_is_a_validation_error(portal_b, enabled):
    with pytest.raises(ValidationError) as refused:
        _switch(portal_b, "teleporter", enabled)

    assert "teleporter" in " ".join(refused.value.messages)
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_portal_admins_switch_is_in_the_portals_log_with_the_admin_as_actor(portal_b):
    admin = admin_of(portal_b, email="chefin@beta.example")

    with in_portal(portal_b):
        feature_switch(portal=portal_b, feature="member_directory", enabled=False, actor=admin)
        row = AuditEvent.objects.get(event_type=EventType.FEATURE_SWITCHED)
        assert row.actor == admin
        assert row.who == str(admin)

    assert (row.actor_label, row.portal_id, row.portal_name) == ("", None, "")
    assert (row.object_type, row.object_id, row.object_label) == (
        "feature",
        "member_directory",
        _name("member_directory"),
    )
    assert row.detail == {"feature": "member_directory", "from": True, "to": False}
    assert "member_directory" not in _enabled(portal_b)
    # Not in the platform's log: the portal's people acted.
    assert not AuditEvent.objects.filter(event_type=EventType.FEATURE_SWITCHED).exists()


def test_operators_switch_is_in_the_public_log_naming_the_portal(portal_b):
    operator = staff_user()

    feature_switch(portal=portal_b, feature="custom_css", enabled=True, actor=operator)

    row = AuditEvent.objects.get(event_type=EventType.FEATURE_SWITCHED)
    assert row.actor == operator
    assert (row.actor_label, row.portal_id, row.portal_name) == ("", portal_b.pk, portal_b.name)
    assert row.detail == {"feature": "custom_css", "from": False, "to": True}
    assert _switch_rows_in(portal_b) == []


def test_every_successful_switch_is_recorded_in_the_log_of_whoever_switched(portal_b):
    admin = admin_of(portal_b)

    with in_portal(portal_b):
        feature_switch(portal=portal_b, feature="member_directory", enabled=False, actor=admin)
    _switch(portal_b, "member_directory", True)
    with in_portal(portal_b):
        feature_switch(portal=portal_b, feature="custom_css", enabled=True, actor=admin)

    assert _switch_rows_in(portal_b) == [
        (admin.pk, "", None, {"feature": "member_directory", "from": True, "to": False}),
        (admin.pk, "", None, {"feature": "custom_css", "from": False, "to": True}),
    ]
    assert _switch_rows(portal_b) == [
        (None, OPERATOR, {"feature": "member_directory", "from": False, "to": True}),
    ]
    assert {"member_directory", "custom_css"} <= _enabled(portal_b)


def test_switch_by_an_account_of_another_schema_is_refused_and_changes_nothing(portal_a, portal_b):
    admin_of_b = admin_of(portal_b)

    # In public, the row's foreign key would name whoever has that id among the staff.
    with pytest.raises(ValueError, match="schema"):
        feature_switch(portal=portal_b, feature="member_directory", enabled=False, actor=admin_of_b)
    # In portal A, it would name A's member with that id.
    with in_portal(portal_a), pytest.raises(ValueError, match="schema"):
        feature_switch(portal=portal_b, feature="member_directory", enabled=False, actor=admin_of_b)

    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert "member_directory" in _enabled(portal_b)
    assert not AuditEvent.objects.filter(event_type=EventType.FEATURE_SWITCHED).exists()
    assert _switch_rows_in(portal_a) == []
    assert _switch_rows_in(portal_b) == []


def test_switch_without_an_actor_is_refused_and_changes_nothing(portal_b):
    with pytest.raises(ValueError, match="actor"):
        feature_switch(portal=portal_b, feature="member_directory", enabled=False)

    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert "member_directory" in _enabled(portal_b)
    assert _switch_rows(portal_b) == []


# --- plan changes ----------------------------------------------------------------------------


def _plan_changes(portal) -> list[tuple]:
    return [
        (row.actor_id, row.actor_label, row.object_id, row.detail)
        for row in _log(EventType.PORTAL_PLAN_CHANGED, portal)
    ]


def test_downgrade_hides_modules_and_upgrade_restores_them_with_their_data(
    portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_b):
        posts = {PostFactory().pk for _ in range(3)}
    _switch(portal_b, "custom_css", True)
    # Groups and projects are in both plans; the admin's "off" must survive the downgrade.
    for key in ("proposals", "documents", "private_spaces", "spaces"):
        _switch(portal_b, key, False)
    before = _enabled(portal_b)
    switches = dict(FeatureSwitch.objects.filter(portal=portal_b).values_list("feature", "enabled"))
    assert {"custom_css", "api_access", "member_directory"} <= before
    assert "spaces" not in before

    with django_capture_on_commit_callbacks(execute=True):
        warnings = plan_change(portal=portal_b, plan="community", actor_label="billing")

    assert warnings == []
    downgraded = portal_features(_fresh(portal_b))
    assert downgraded.plan_key == "community"
    assert not set(PROFESSIONAL_ONLY) & downgraded.enabled
    assert "spaces" not in downgraded.enabled  # the admin's choice survives the downgrade
    assert downgraded.enabled == before - set(PROFESSIONAL_ONLY)
    with in_portal(portal_b):
        assert set(Post.objects.values_list("pk", flat=True)) >= posts
    assert (
        dict(FeatureSwitch.objects.filter(portal=portal_b).values_list("feature", "enabled"))
        == switches
    )

    with django_capture_on_commit_callbacks(execute=True):
        plan_change(portal=portal_b, plan="professional", actor_label="billing")

    assert portal_features(_fresh(portal_b)).enabled == before
    assert _plan_changes(portal_b) == [
        (None, "billing", str(portal_b.pk), {"from": "professional", "to": "community"}),
        (None, "billing", str(portal_b.pk), {"from": "community", "to": "professional"}),
    ]
    row = _log(EventType.PORTAL_PLAN_CHANGED, portal_b)[0]
    assert (row.portal_name, row.object_type, row.who) == (
        portal_b.name,
        "tenants.portal",
        "billing",
    )
    with in_portal(portal_b):
        assert not _log(EventType.PORTAL_PLAN_CHANGED)


def test_plan_change_by_an_operator_names_them_in_the_public_log(portal_b):
    operator = staff_user()

    plan_change(portal=portal_b, plan="community", actor=operator)

    row = AuditEvent.objects.get(event_type=EventType.PORTAL_PLAN_CHANGED)
    assert (row.actor, row.actor_label, row.portal_id) == (operator, "", portal_b.pk)
    assert row.detail == {"from": "professional", "to": "community"}


def test_plan_change_without_an_actor_is_refused_and_keeps_the_plan(portal_b):
    with pytest.raises(ValueError, match="actor"):
        plan_change(portal=portal_b, plan="community")

    assert _fresh(portal_b).plan_id == "professional"
    assert _plan_changes(portal_b) == []


def test_changing_to_the_current_plan_records_nothing(portal_b):
    assert plan_change(portal=portal_b, plan="professional", actor_label="billing") == []

    assert _plan_changes(portal_b) == []


def test_changing_to_an_unknown_plan_is_refused_and_keeps_the_plan(portal_b):
    with pytest.raises(ValidationError) as refused:
        plan_change(portal=portal_b, plan="platinum", actor_label="billing")

    assert "platinum" in " ".join(refused.value.messages)
    assert _fresh(portal_b).plan_id == "professional"
    assert _plan_changes(portal_b) == []


def test_downgrade_below_the_member_count_warns_and_keeps_everyone(portal_b):
    with in_portal(portal_b):
        UserFactory.create_batch(3)
        members = User.objects.filter(is_active=True).count()
    Plan.objects.filter(key="community").update(max_members=members - 1)

    warnings = plan_change(portal=portal_b, plan="community", actor_label="billing")

    assert len(warnings) == 1
    assert str(members) in warnings[0] and str(members - 1) in warnings[0]
    with in_portal(portal_b):
        assert User.objects.filter(is_active=True).count() == members


# --- operator grants -------------------------------------------------------------------------


def test_grant_gives_a_module_outside_the_plan_until_it_expires(portal_a, monkeypatch):
    expires = timezone.now() + timedelta(days=14)
    grant = feature_grant(
        portal=portal_a, feature="member_directory", expires_at=expires, note="Pilot"
    )

    current, ttl = load_portal_features(portal_a)
    assert "member_directory" in current.entitled
    assert "member_directory" in current.enabled
    assert current.granted_until["member_directory"] == grant.expires_at
    assert ttl <= 14 * 24 * 3600

    later = expires + timedelta(seconds=1)
    monkeypatch.setattr(features.selectors.timezone, "now", lambda: later)
    expired, _ttl = load_portal_features(portal_a)
    assert "member_directory" not in expired.entitled
    assert "member_directory" not in expired.enabled


def test_grant_is_in_the_public_log_with_the_operator_who_granted_it(portal_a):
    operator = staff_user()
    expires = timezone.now() + timedelta(days=30)

    feature_grant(
        portal=portal_a, feature="documents", expires_at=expires, granted_by=operator, note="Pilot"
    )

    row = AuditEvent.objects.get(event_type=EventType.FEATURE_GRANTED)
    assert (row.actor, row.actor_label) == (operator, "")
    assert (row.portal_id, row.portal_name) == (portal_a.pk, portal_a.name)
    assert (row.object_type, row.object_id) == ("feature", "documents")
    assert row.detail == {"feature": "documents", "until": expires.isoformat(), "note": "Pilot"}
    with in_portal(portal_a):
        assert not _log(EventType.FEATURE_GRANTED)


def test_grant_without_a_granting_user_is_recorded_for_the_operators(portal_a):
    feature_grant(
        portal=portal_a, feature="documents", expires_at=timezone.now() + timedelta(days=1)
    )

    row = AuditEvent.objects.get(event_type=EventType.FEATURE_GRANTED, portal_id=portal_a.pk)
    assert (row.actor_id, row.actor_label) == (None, "operator")


def test_grant_by_an_account_of_another_schema_is_refused_and_grants_nothing(portal_a):
    try:
        with pytest.raises(ValueError, match="schema"):
            feature_grant(
                portal=portal_a,
                feature="documents",
                expires_at=timezone.now() + timedelta(days=1),
                granted_by=admin_of(portal_a),
            )

        assert not FeatureGrant.objects.filter(portal=portal_a).exists()
        assert "documents" not in load_portal_features(portal_a)[0].entitled
    finally:
        # A grant left behind names a portal member's id as a staff account; the deferred
        # foreign key check at the end of the test would fail on it.
        FeatureGrant.objects.filter(portal=portal_a).delete()


def test_cached_entitlements_expire_with_the_earliest_grant(portal_a):
    feature_grant(
        portal=portal_a, feature="documents", expires_at=timezone.now() + timedelta(minutes=5)
    )
    feature_grant(
        portal=portal_a, feature="member_directory", expires_at=timezone.now() + timedelta(days=5)
    )

    _current, ttl = load_portal_features(portal_a)

    assert 0 < ttl <= 5 * 60


def test_expired_grant_gives_nothing(portal_a):
    FeatureGrant.objects.create(
        portal=portal_a, feature="member_directory", expires_at=timezone.now() - timedelta(hours=1)
    )

    current, _ttl = load_portal_features(portal_a)

    assert "member_directory" not in current.entitled
    with pytest.raises(ValidationError):
        _switch(portal_a, "member_directory", True)


def test_grant_with_an_expiry_in_the_past_is_refused(portal_a):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        feature_grant(
            portal=portal_a, feature="documents", expires_at=timezone.now() - timedelta(minutes=1)
        )

    assert "future" in " ".join(refused.value.messages)
    assert not FeatureGrant.objects.filter(portal=portal_a).exists()
    assert not _log(EventType.FEATURE_GRANTED, portal_a)


def test_grant_of_an_unknown_module_is_refused(portal_a):
    # Like every refusal of the services a ValidationError, so forms and the API can show it.
    with pytest.raises(ValidationError) as refused:
        feature_grant(
            portal=portal_a, feature="teleporter", expires_at=timezone.now() + timedelta(days=1)
        )

    assert "teleporter" in " ".join(refused.value.messages)
    assert not FeatureGrant.objects.filter(portal=portal_a).exists()
    assert not _log(EventType.FEATURE_GRANTED, portal_a)


def test_granted_module_can_be_switched_on_by_the_portal_admin(portal_a):
    admin = admin_of(portal_a)
    feature_grant(
        portal=portal_a, feature="custom_css", expires_at=timezone.now() + timedelta(days=1)
    )

    with in_portal(portal_a):
        feature_switch(portal=portal_a, feature="custom_css", enabled=True, actor=admin)

    assert "custom_css" in load_portal_features(portal_a)[0].enabled
    assert _switch_rows_in(portal_a) == [
        (admin.pk, "", None, {"feature": "custom_css", "from": False, "to": True})
    ]


# --- limits ----------------------------------------------------------------------------------


def test_member_beyond_the_plan_limit_is_refused_and_not_created(
    portal_a, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        members = User.objects.filter(is_active=True).count()
    _edit_plan("community", django_capture_on_commit_callbacks, max_members=members + 1)

    with in_portal(portal_a):
        user_create(email="letzter-platz@example.org")
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            user_create(email="einer-zu-viel@example.org")
        assert not User.objects.filter(email="einer-zu-viel@example.org").exists()
        assert User.objects.filter(is_active=True).count() == members + 1

    message = " ".join(refused.value.messages)
    assert f"limit of {members + 1} members" in message
    assert "larger plan" in message


def test_unlimited_plan_takes_new_members(portal_b):
    assert portal_features(portal_b).limits.max_members is None

    with in_portal(portal_b):
        user_create(email="neu@example.org")
        assert User.objects.filter(email="neu@example.org").exists()


def test_image_over_the_storage_quota_is_refused_and_nothing_is_written(
    portal_b, django_capture_on_commit_callbacks
):
    _edit_plan("professional", django_capture_on_commit_callbacks, storage_mb=0)
    with in_portal(portal_b):
        author = UserFactory()
        with pytest.raises(ValidationError) as refused:
            post_create(author=author, body="Mit zu großem Bild", image=_png())
        assert not Post.objects.filter(body="Mit zu großem Bild").exists()

    assert "image" in refused.value.message_dict
    root = portal_media_root(portal_b)
    assert not root.exists() or not any(p.is_file() for p in Path(root).rglob("*"))


def test_image_within_the_storage_quota_is_stored(portal_b):
    with in_portal(portal_b):
        post = post_create(author=UserFactory(), body="Mit Bild", image=_png())

    assert (portal_media_root(portal_b) / post.image.name).is_file()


def test_files_already_stored_count_against_the_quota(portal_b, django_capture_on_commit_callbacks):
    _edit_plan("professional", django_capture_on_commit_callbacks, storage_mb=1)
    existing = portal_media_root(portal_b) / "posts" / "gross.bin"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"\0" * (1024 * 1024 - 10))

    with in_portal(portal_b), pytest.raises(ValidationError):
        post_create(author=UserFactory(), body="Passt nicht mehr", image=_png())

    assert sorted(p.name for p in portal_media_root(portal_b).rglob("*") if p.is_file()) == [
        "gross.bin"
    ]


def test_plan_edit_below_a_portals_member_count_warns_and_keeps_everyone(portal_a):
    with in_portal(portal_a):
        UserFactory.create_batch(2)
        members = User.objects.filter(is_active=True).count()
    assert limit_warnings(portal_a) == []

    Plan.objects.filter(key="community").update(max_members=1)
    warnings = limit_warnings(portal_a)

    assert len(warnings) == 1
    assert str(members) in warnings[0]
    with in_portal(portal_a):
        assert User.objects.filter(is_active=True).count() == members


def test_plan_edit_below_a_portals_storage_warns(portal_b):
    stored = portal_media_root(portal_b) / "posts" / "gross.bin"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"\0" * (2 * 1024 * 1024))
    Plan.objects.filter(key="professional").update(storage_mb=1)

    warnings = limit_warnings(portal_b)

    assert len(warnings) == 1
    assert stored.is_file()
