"""Writes on features: switching with reasons for refusals and an audit trail, plan changes that
keep every piece of data, operator grants, and plan limits enforced where things are created."""

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
from features.catalogue import FEATURES
from features.limits import limit_warnings
from features.models import FeatureChange, FeatureGrant, FeatureSwitch, Plan
from features.selectors import load_portal_features, portal_features
from features.services import feature_grant, feature_switch, plan_change
from news.models import Post
from news.services import post_create
from tenants.models import Portal, PortalEvent
from tenants.storage import portal_media_root
from tests.accounts.factories import UserFactory
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db

ADMIN = "admin@beta.example"
PROFESSIONAL_ONLY = sorted(k for k, f in FEATURES.items() if f.plans == {"professional"})


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


# --- switching -------------------------------------------------------------------------------


def test_switching_on_a_module_the_plan_lacks_is_refused_naming_the_plan_that_has_it(portal_a):
    with pytest.raises(ValidationError) as refused:
        feature_switch(portal=portal_a, feature="custom_css", enabled=True, actor="a@alpha.example")

    message = " ".join(refused.value.messages)
    assert "Professional intranet" in message
    assert _name("custom_css") in message
    assert not FeatureSwitch.objects.filter(portal=portal_a).exists()
    assert not FeatureChange.objects.filter(portal=portal_a).exists()


def test_switching_on_a_module_whose_dependency_is_off_is_refused_naming_it(portal_b):
    for key in ("proposals", "documents", "spaces"):
        feature_switch(portal=portal_b, feature=key, enabled=False, actor=ADMIN)
    changes = FeatureChange.objects.filter(portal=portal_b).count()

    with pytest.raises(ValidationError) as refused:
        feature_switch(portal=portal_b, feature="proposals", enabled=True, actor=ADMIN)

    assert _name("spaces") in " ".join(refused.value.messages)
    assert "proposals" not in _enabled(portal_b)
    assert FeatureSwitch.objects.get(portal=portal_b, feature="proposals").enabled is False
    assert FeatureChange.objects.filter(portal=portal_b).count() == changes


def test_switching_off_a_module_others_depend_on_is_refused_naming_them(portal_b):
    with pytest.raises(ValidationError) as refused:
        feature_switch(portal=portal_b, feature="spaces", enabled=False, actor=ADMIN)

    message = " ".join(refused.value.messages)
    assert _name("proposals") in message
    assert _name("documents") in message
    assert "spaces" in _enabled(portal_b)
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_switching_off_a_dependency_is_allowed_once_its_dependants_are_off(portal_b):
    feature_switch(portal=portal_b, feature="proposals", enabled=False, actor=ADMIN)
    feature_switch(portal=portal_b, feature="documents", enabled=False, actor=ADMIN)

    feature_switch(portal=portal_b, feature="spaces", enabled=False, actor=ADMIN)

    assert not {"spaces", "proposals", "documents"} & _enabled(portal_b)


@pytest.mark.parametrize("enabled", [True, False])
def test_switching_an_unknown_module_is_a_validation_error(portal_b, enabled):
    with pytest.raises(ValidationError) as refused:
        feature_switch(portal=portal_b, feature="teleporter", enabled=enabled, actor=ADMIN)

    assert "teleporter" in " ".join(refused.value.messages)
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_every_successful_switch_is_recorded_with_who_from_and_to(portal_b):
    feature_switch(portal=portal_b, feature="map", enabled=False, actor=ADMIN)
    feature_switch(
        portal=portal_b,
        feature="map",
        enabled=True,
        actor="ops@allmende.example",
        source=FeatureChange.Source.OPERATOR,
    )
    feature_switch(portal=portal_b, feature="webhooks", enabled=True, actor=ADMIN)

    rows = list(
        FeatureChange.objects.filter(portal=portal_b)
        .order_by("pk")
        .values_list("feature", "was_enabled", "now_enabled", "actor", "source")
    )
    assert rows == [
        ("map", True, False, ADMIN, "portal_admin"),
        ("map", False, True, "ops@allmende.example", "operator"),
        ("webhooks", False, True, ADMIN, "portal_admin"),
    ]
    assert "webhooks" in _enabled(portal_b)


# --- plan changes ----------------------------------------------------------------------------


def test_downgrade_hides_modules_and_upgrade_restores_them_with_their_data(
    portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_b):
        posts = {PostFactory().pk for _ in range(3)}
    feature_switch(portal=portal_b, feature="webhooks", enabled=True, actor=ADMIN)
    feature_switch(portal=portal_b, feature="map", enabled=False, actor=ADMIN)
    before = _enabled(portal_b)
    switches = dict(FeatureSwitch.objects.filter(portal=portal_b).values_list("feature", "enabled"))
    assert {"webhooks", "api_access", "documents"} <= before

    with django_capture_on_commit_callbacks(execute=True):
        warnings = plan_change(portal=portal_b, plan="community", actor="billing")

    assert warnings == []
    downgraded = portal_features(_fresh(portal_b))
    assert downgraded.plan_key == "community"
    assert not set(PROFESSIONAL_ONLY) & downgraded.enabled
    assert "map" not in downgraded.enabled  # the admin's choice survives the downgrade
    assert downgraded.enabled == before - set(PROFESSIONAL_ONLY)
    with in_portal(portal_b):
        assert set(Post.objects.values_list("pk", flat=True)) >= posts
    assert (
        dict(FeatureSwitch.objects.filter(portal=portal_b).values_list("feature", "enabled"))
        == switches
    )

    with django_capture_on_commit_callbacks(execute=True):
        plan_change(portal=portal_b, plan="professional", actor="billing")

    assert portal_features(_fresh(portal_b)).enabled == before
    events = PortalEvent.objects.filter(portal=portal_b, kind=PortalEvent.Kind.PLAN_CHANGED)
    assert [e.detail for e in events.order_by("pk")] == [
        {"from": "professional", "to": "community", "actor": "billing"},
        {"from": "community", "to": "professional", "actor": "billing"},
    ]


def test_changing_to_the_current_plan_records_nothing(portal_b):
    assert plan_change(portal=portal_b, plan="professional", actor="billing") == []

    assert not PortalEvent.objects.filter(
        portal=portal_b, kind=PortalEvent.Kind.PLAN_CHANGED
    ).exists()


def test_changing_to_an_unknown_plan_is_refused_and_keeps_the_plan(portal_b):
    with pytest.raises(ValidationError) as refused:
        plan_change(portal=portal_b, plan="platinum", actor="billing")

    assert "platinum" in " ".join(refused.value.messages)
    assert _fresh(portal_b).plan_id == "professional"


def test_downgrade_below_the_member_count_warns_and_keeps_everyone(portal_b):
    with in_portal(portal_b):
        UserFactory.create_batch(3)
        members = User.objects.filter(is_active=True).count()
    Plan.objects.filter(key="community").update(max_members=members - 1)

    warnings = plan_change(portal=portal_b, plan="community", actor="billing")

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
        feature_switch(
            portal=portal_a, feature="member_directory", enabled=True, actor="a@alpha.example"
        )


def test_grant_with_an_expiry_in_the_past_is_refused(portal_a):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        feature_grant(
            portal=portal_a, feature="documents", expires_at=timezone.now() - timedelta(minutes=1)
        )

    assert "future" in " ".join(refused.value.messages)
    assert not FeatureGrant.objects.filter(portal=portal_a).exists()


def test_grant_of_an_unknown_module_is_refused(portal_a):
    # Like every refusal of the services a ValidationError, so forms and the API can show it.
    with pytest.raises(ValidationError) as refused:
        feature_grant(
            portal=portal_a, feature="teleporter", expires_at=timezone.now() + timedelta(days=1)
        )

    assert "teleporter" in " ".join(refused.value.messages)

    assert not FeatureGrant.objects.filter(portal=portal_a).exists()


def test_granted_module_can_be_switched_on_by_the_portal_admin(portal_a):
    feature_grant(
        portal=portal_a, feature="custom_css", expires_at=timezone.now() + timedelta(days=1)
    )

    feature_switch(portal=portal_a, feature="custom_css", enabled=True, actor="a@alpha.example")

    assert "custom_css" in load_portal_features(portal_a)[0].enabled


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
