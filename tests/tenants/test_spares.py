"""Spare schemas: prepared copies equal the template, provisioning renames one instead of
copying (and rolls the rename back with everything else when it fails), a spare that misses a
migration is never claimed, and the fleet's up-to-date check is one query however many
schemas there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_exists

from tenants import spares
from tenants.models import Portal
from tenants.schema_clone import describe_schema
from tenants.schemas import _qi, ensure_template, schemas_behind
from tenants.services import portal_provision
from tenants.services.fleet import fleet_schemas, migrate_fleet
from tenants.services.provisioning import schema_name_for
from tests.tenants.test_fleet import NEWS_MIGRATIONS, _roll_back_portal_app
from themes.models import Theme

pytestmark = pytest.mark.django_db


class _Crash(Exception):
    pass


def _provision(subdomain: str):
    return portal_provision(
        name="Neues Portal", subdomain=subdomain, admin_email=f"chef@{subdomain}.example"
    )


def test_spares_are_copies_of_the_template_and_provisioning_renames_one(
    settings, django_capture_on_commit_callbacks
):
    settings.SPARE_SCHEMAS = 2
    assert spares.refill() == 2
    made = spares.spare_schemas()
    assert len(made) == 2
    template = describe_schema(ensure_template())
    assert all(describe_schema(spare) == template for spare in made)
    assert spares.refill() == 0  # full already

    with django_capture_on_commit_callbacks() as callbacks:
        portal = _provision("schnell").portal
    schema = schema_name_for("schnell")
    left = spares.spare_schemas()
    assert len(left) == 1 and schema_exists(schema)
    assert portal.schema_name == schema
    connection.set_tenant(portal)
    try:
        assert Theme.objects.count() == 1  # populated after the rename
    finally:
        connection.set_schema_to_public()
    assert callbacks  # the pool's refill is queued for after commit
    assert "schnell" in Portal.objects.values_list("slug", flat=True)


def test_a_failed_provisioning_gives_the_spare_back(settings, monkeypatch):
    settings.SPARE_SCHEMAS = 1
    spares.refill()
    [spare] = spares.spare_schemas()

    def checkpoint(point: str) -> None:
        if point == "step:populate":
            raise _Crash(point)

    monkeypatch.setattr("tenants.services.provisioning.checkpoint", checkpoint)
    with pytest.raises(_Crash):
        _provision("kaputt")
    assert spares.spare_schemas() == [spare]  # the rename was rolled back with the rest
    assert not schema_exists(schema_name_for("kaputt"))
    assert not Portal.objects.filter(slug="kaputt").exists()


def test_a_spare_missing_a_migration_is_not_claimed_and_the_template_is_copied(settings):
    settings.SPARE_SCHEMAS = 1
    spares.refill()
    [spare] = spares.spare_schemas()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_qi(spare)}.django_migrations WHERE id = "
            f"(SELECT max(id) FROM {_qi(spare)}.django_migrations)"
        )
    assert schemas_behind([spare]) == {spare}
    portal = _provision("kopie").portal
    assert spares.spare_schemas() == [spare]  # left for the fleet migration to bring up
    copied, template = describe_schema(portal.schema_name), describe_schema(ensure_template())
    # The same catalogue; only the sequences moved on as the portal got its theme and admin.
    assert {k: v for k, v in copied.items() if k != "sequences"} == {
        k: v for k, v in template.items() if k != "sequences"
    }
    assert spare in fleet_schemas()  # migrations reach spares like any portal


def _check_queries(schemas) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert schemas_behind(schemas) == set()
    return len(queries)


def test_the_up_to_date_check_costs_the_same_queries_for_any_fleet(settings):
    settings.SPARE_SCHEMAS = 0
    for name in ("eins", "zwei", "drei"):
        _provision(name)
    few = _check_queries(fleet_schemas())
    for name in ("vier", "fuenf", "sechs", "sieben"):
        _provision(name)
    schemas = fleet_schemas()
    assert _check_queries(schemas) == few <= 3  # the tables, then every record at once
    behind = schema_name_for("zwei")
    _roll_back_portal_app(behind)  # as if it predated the news app
    assert schemas_behind(schemas) == {behind}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_qi('leer_ohne_tabelle')}")
    assert schemas_behind(["leer_ohne_tabelle", *schemas]) == {"leer_ohne_tabelle", behind}

    results = {r.schema: r for r in migrate_fleet(schemas)}
    assert (results[behind].status, results[behind].applied) == ("migrated", NEWS_MIGRATIONS)
    assert all(r.status == "up to date" for s, r in results.items() if s != behind)
    assert schemas_behind(schemas) == set()
