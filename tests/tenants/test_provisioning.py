"""Provisioning a portal: a copy of the template equals a migrated schema, the new portal is
complete, any failing step leaves nothing behind, and the command line rejects bad input."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_exists

from accounts.models import Role, User
from core.event_types import EventType
from core.models import AuditEvent
from tenants.models import Domain, Portal, PortalStatus
from tenants.schema_clone import describe_schema
from tenants.schemas import create_schema, drop_schema, migrate_schema
from tenants.services import portal_provision, validate_subdomain, validate_subdomain_form
from tenants.services.provisioning import FAULT_POINTS, PortalProvisioning, schema_name_for
from tests.accounts.factories import member_of, staff_user
from tests.conftest import in_portal
from themes.models import Theme

ROOT = Path(__file__).resolve().parents[2]


def _media_folders() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "portals"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def _assert_nothing_left(subdomain: str, media_before: set[str]) -> None:
    assert not Portal.objects.filter(slug=subdomain).exists()
    assert not Domain.objects.filter(domain=f"{subdomain}.localhost").exists()
    assert not schema_exists(schema_name_for(subdomain))
    assert _media_folders() == media_before
    assert not AuditEvent.objects.filter(detail__subdomain=subdomain).exists()


def _provision(subdomain: str = "neu", **extra):
    options = {"name": "Neues Portal", "subdomain": subdomain, "admin_email": "Chef@Neu.Example"}
    options.update(extra)
    return portal_provision(**options)


@pytest.mark.django_db
def test_provisioned_schema_equals_a_freshly_migrated_schema():
    migrated = "cmp_migrated"
    try:
        create_schema(migrated)
        migrate_schema(migrated)
        bare = PortalProvisioning(
            name="Leer", subdomain="leer", populate=lambda portal: None
        ).execute()
        full = _provision("vergleich").portal

        expected = describe_schema(migrated)
        copied = describe_schema(bare.schema_name)
        provisioned = describe_schema(full.schema_name)
    finally:
        # migrate_schema runs in the test transaction; dropping is for safety should it commit.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        drop_schema(migrated)

    assert {"accounts_user", "news_post", "themes_theme"} <= {t for (t,) in expected["tables"]}
    assert ("news", "0001_initial") in expected["migrations"]
    for part in ("tables", "columns", "indexes", "constraints", "sequences", "migrations"):
        assert copied[part] == expected[part], part
    # Provisioning then adds the admin and the theme: only sequence positions move.
    for part in ("tables", "columns", "indexes", "constraints", "migrations"):
        assert provisioned[part] == expected[part], part
    assert [s[:-1] for s in provisioned["sequences"]] == [s[:-1] for s in expected["sequences"]]


@pytest.mark.django_db
def test_provisioned_portal_has_admin_theme_domain_audit_event_and_mails_the_invitation(
    django_capture_on_commit_callbacks, mailoutbox
):
    operator = staff_user()
    with django_capture_on_commit_callbacks(execute=True):
        result = _provision(
            "neu", admin_name="Chefin", theme_preset="climate", plan="professional", actor=operator
        )
    portal = Portal.objects.get(pk=result.portal.pk)

    assert portal.status == PortalStatus.ACTIVE
    assert portal.schema_name == "p_neu"
    assert portal.plan_id == "professional"
    assert result.admin_email == "chef@neu.example"
    domain = Domain.objects.get(tenant=portal)
    assert (domain.domain, domain.is_primary) == ("neu.localhost", True)
    event = AuditEvent.objects.get(portal=portal)
    assert (event.event_type, event.actor, event.actor_label) == (
        EventType.PORTAL_PROVISIONED,
        operator,
        "",
    )
    assert (event.portal_name, event.object_type, event.object_id, event.object_label) == (
        "Neues Portal",
        "tenants.portal",
        str(portal.pk),
        "Neues Portal",
    )
    assert event.detail == {"subdomain": "neu", "plan": "professional"}
    with in_portal(portal):
        # The portal's own log: what provisioning did inside it, by name.
        assert [
            (e.event_type, e.actor_id, e.actor_label)
            for e in AuditEvent.objects.order_by("created_at", "pk")
        ] == [
            (EventType.THEME_PUBLISHED, None, "provisioning"),
            (EventType.MEMBER_CREATED, None, "provisioning"),
            (EventType.MEMBER_INVITED, None, "provisioning"),
        ]
        assert not AuditEvent.objects.filter(portal__isnull=False).exists()
        admin = User.objects.get()
        assert (admin.email, admin.role, admin.display_name) == (
            "chef@neu.example",
            Role.ADMIN,
            "Chefin",
        )
        assert not admin.has_usable_password()
        theme = Theme.objects.get()
        assert (theme.site_name, theme.preset) == ("Neues Portal", "climate")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["chef@neu.example"]
    assert re.search(
        r"http://neu\.localhost:8000/accounts/set-password/[^/\s]+/[^/\s]+/", mail.body
    )


@pytest.mark.django_db
def test_provisioned_portal_does_not_see_other_portals_members(portal_a):
    portal = _provision("neu").portal
    with in_portal(portal_a):
        alpha_users = set(User.objects.values_list("email", flat=True))
    with in_portal(portal):
        assert set(User.objects.values_list("email", flat=True)) == {"chef@neu.example"}
    assert "chef@neu.example" not in alpha_users


def _boom(*args, **kwargs):
    raise RuntimeError("injected failure")


@pytest.mark.django_db
@pytest.mark.parametrize("step", [*PortalProvisioning.STEPS, "inside populate"])
def test_failure_at_any_step_leaves_nothing_and_a_retry_succeeds(
    step, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    if step == "inside populate":
        # The theme is already written when inviting the admin fails.
        monkeypatch.setattr("accounts.services.user_invite", _boom)
    else:
        monkeypatch.setattr(PortalProvisioning, f"step_{step}", _boom)
    media_before = _media_folders()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="injected"),
    ):
        _provision("wieder")

    _assert_nothing_left("wieder", media_before)
    assert mailoutbox == []

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        portal = _provision("wieder").portal
    assert Portal.objects.get(slug="wieder").status == PortalStatus.ACTIVE
    assert schema_exists(portal.schema_name)
    assert [m.to for m in mailoutbox] == [["chef@neu.example"]]


class _Crash(BaseException):
    """Not an Exception: like a SystemExit from a worker's SIGTERM, no `except Exception` in
    the provisioning code may swallow it."""


def _crash_at(monkeypatch, target: str) -> list[str]:
    """Make the run crash at fault point `target`; returns the points reached before it."""
    reached: list[str] = []

    def checkpoint(point: str) -> None:
        reached.append(point)
        if point == target:
            raise _Crash(point)

    monkeypatch.setattr("tenants.services.provisioning.checkpoint", checkpoint)
    monkeypatch.setattr("tenants.schema_clone.checkpoint", checkpoint)
    return reached


@pytest.mark.django_db
def test_a_successful_run_reaches_every_fault_point_in_order(monkeypatch):
    reached = _crash_at(monkeypatch, target="(none)")
    _provision("vollzaehlig")
    assert reached == list(FAULT_POINTS)
    assert {f"step:{step}" for step in PortalProvisioning.STEPS} <= set(FAULT_POINTS)


@pytest.mark.django_db
@pytest.mark.parametrize("point", FAULT_POINTS)
def test_a_crash_at_every_fault_point_leaves_no_half_portal_and_a_retry_succeeds(
    point, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    media_before = _media_folders()
    reached = _crash_at(monkeypatch, target=point)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(_Crash):
        _provision("absturz", theme_preset="climate")

    assert reached[-1] == point
    _assert_nothing_left("absturz", media_before)
    assert mailoutbox == []
    # The connection is usable and back in public: the next request would not land in a
    # half-made schema.
    assert connection.schema_name == "public"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        portal = _provision("absturz").portal
    assert Portal.objects.get(slug="absturz").status == PortalStatus.ACTIVE
    assert Domain.objects.get(tenant=portal).domain == "absturz.localhost"
    with in_portal(portal):
        assert User.objects.get().email == "chef@neu.example"
        assert Theme.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["chef@neu.example"]]


@pytest.mark.django_db
def test_failure_removes_files_registered_by_a_step(monkeypatch):
    media_before = _media_folders()
    original = PortalProvisioning.step_populate

    def populate_with_file(self, template):
        original(self, template)
        folder = Path(settings.MEDIA_ROOT) / "portals" / str(self.portal.uid)
        folder.mkdir(parents=True)
        (folder / "logo.png").write_bytes(b"png")
        self.on_rollback(lambda: shutil.rmtree(folder))

    monkeypatch.setattr(PortalProvisioning, "step_populate", populate_with_file)
    monkeypatch.setattr(PortalProvisioning, "step_activate", _boom)

    with pytest.raises(RuntimeError):
        _provision("dateien")

    _assert_nothing_left("dateien", media_before)


@pytest.mark.django_db
def test_second_provisioning_of_the_same_subdomain_is_refused(english):
    _provision("doppelt")
    with pytest.raises(ValidationError) as excinfo:
        _provision("doppelt", admin_email="other@example.org")
    assert "already taken" in str(excinfo.value)
    assert Portal.objects.filter(slug="doppelt").count() == 1


@pytest.mark.django_db
def test_a_system_actor_is_recorded_by_name():
    portal = _provision("systemakteur", actor_label="seed_demo").portal
    event = AuditEvent.objects.get(portal=portal)
    assert (event.event_type, event.actor_id, event.actor_label) == (
        EventType.PORTAL_PROVISIONED,
        None,
        "seed_demo",
    )
    unnamed = _provision("namenlos").portal
    assert AuditEvent.objects.get(portal=unnamed).actor_label == "platform"


@pytest.mark.django_db
def test_a_portal_member_is_refused_as_the_actor_and_nothing_is_created(portal_a):
    member = member_of(portal_a)
    media_before = _media_folders()

    with pytest.raises(ValueError, match="actor is an account of schema"):
        _provision("fremd", actor=member)

    _assert_nothing_left("fremd", media_before)


@pytest.mark.django_db
def test_subdomain_form_is_checked_without_a_query(django_assert_num_queries, english):
    with django_assert_num_queries(0):
        assert validate_subdomain_form(" Neu-Portal ") == "neu-portal"
        with pytest.raises(ValidationError, match="is not a valid subdomain"):
            validate_subdomain_form("neu--portal")
        with pytest.raises(ValidationError, match="is reserved"):
            validate_subdomain_form("WWW")


@pytest.mark.django_db
def test_a_taken_subdomain_passes_the_form_check_but_not_the_full_one(portal_a, english):
    assert validate_subdomain_form(portal_a.slug) == portal_a.slug
    with pytest.raises(ValidationError) as excinfo:
        validate_subdomain(portal_a.slug.upper())
    assert excinfo.value.message_dict == {
        "subdomain": [f"The subdomain „{portal_a.slug}“ is already taken."]
    }


@pytest.mark.django_db
def test_refusals_are_translated_and_german_by_default(portal_a):
    assert settings.LANGUAGE_CODE == "de"
    with translation.override(settings.LANGUAGE_CODE), pytest.raises(ValidationError) as excinfo:
        validate_subdomain(portal_a.slug)
    assert excinfo.value.message_dict == {
        "subdomain": [f"Die Subdomain „{portal_a.slug}“ ist bereits vergeben."]
    }


def _create_portal_cli(subdomain: str, email: str = "chef@example.org") -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "create_portal",
            "--name=CLI Portal",
            f"--subdomain={subdomain}",
            f"--admin-email={email}",
            stdout=out,
            stderr=io.StringIO(),
        )
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subdomain", "message"),
    [
        ("-bad", "is not a valid subdomain"),
        ("a", "is not a valid subdomain"),
        ("UPPER CASE", "is not a valid subdomain"),
        ("xn--abc", "is not a valid subdomain"),
        ("www", "is reserved"),
        ("admin", "is reserved"),
        ("api", "is reserved"),
        ("static", "is reserved"),
        ("media", "is reserved"),
        ("mail", "is reserved"),
        ("platform", "is reserved"),
        ("Platform", "is reserved"),
    ],
)
def test_create_portal_command_rejects_bad_subdomains_with_exit_code_2(subdomain, message):
    portals_before = Portal.objects.count()
    with pytest.raises(CommandError) as excinfo:
        _create_portal_cli(subdomain)
    assert excinfo.value.returncode == 2
    assert str(excinfo.value).startswith("subdomain: ")
    assert message in str(excinfo.value)
    assert Portal.objects.count() == portals_before
    assert not schema_exists(schema_name_for(subdomain.strip().lower()))


@pytest.mark.django_db
def test_create_portal_command_rejects_a_taken_subdomain(portal_a):
    with pytest.raises(CommandError) as excinfo:
        _create_portal_cli(portal_a.slug)
    assert excinfo.value.returncode == 2
    assert str(excinfo.value) == f"subdomain: The subdomain „{portal_a.slug}“ is already taken."
    assert Portal.objects.filter(slug=portal_a.slug).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["not-an-address", "a@", ""])
def test_create_portal_command_rejects_a_bad_admin_email(email):
    with pytest.raises(CommandError) as excinfo:
        _create_portal_cli("gutername", email=email)
    assert excinfo.value.returncode == 2
    assert "admin_email: " in str(excinfo.value)
    assert "is not a valid e-mail address" in str(excinfo.value)
    assert not Portal.objects.filter(slug="gutername").exists()
    assert not schema_exists("p_gutername")


@pytest.mark.django_db
def test_create_portal_command_prints_url_and_provisioning_time():
    output = _create_portal_cli("kommando")

    assert "is ready at http://kommando.localhost:8000/" in output
    assert re.search(r"Provisioned in \d+\.\d\d s \(schema p_kommando\)", output)
    assert "chef@example.org" in output
    portal = Portal.objects.get(slug="kommando")
    assert portal.status == PortalStatus.ACTIVE
    event = AuditEvent.objects.get(portal=portal)
    assert (event.event_type, event.actor_id, event.actor_label) == (
        EventType.PORTAL_PROVISIONED,
        None,
        "create_portal",
    )


@pytest.mark.slow
def test_create_portal_command_exits_with_2_for_a_reserved_subdomain_in_a_real_process(
    subprocess_env,
):
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_portal",
            "--name",
            "Reserviert",
            "--subdomain",
            "www",
            "--admin-email",
            "chef@example.org",
        ],
        cwd=ROOT,
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2, completed.stderr
    # In the default language, as an operator's shell would show it.
    with translation.override(settings.LANGUAGE_CODE):
        expected = translation.gettext("The subdomain „%(s)s“ is reserved.") % {"s": "www"}
    assert f"subdomain: {expected}" in completed.stderr
    assert "Traceback" not in completed.stderr
