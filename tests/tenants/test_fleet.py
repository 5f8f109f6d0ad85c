"""Migrating the fleet: up-to-date schemas are skipped, outdated ones migrated, and a broken
schema is reported as failed without stopping the others, sequentially and in forked workers."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection

from core.models import AuditEvent
from tenants.models import Portal
from tenants.schemas import drop_schema, pending_migrations
from tenants.services import portal_provision
from tenants.services.fleet import fleet_schemas, migrate_fleet

TEMPLATE = settings.PORTAL_TEMPLATE_SCHEMA


def _new_portal(subdomain: str) -> Portal:
    return portal_provision(
        name=f"Flotte {subdomain}", subdomain=subdomain, admin_email=f"chef@{subdomain}.example"
    ).portal


# What rolling the portal app back to zero leaves to do, in order.
NEWS_MIGRATIONS = ["news.0001_initial", "news.0002_post_hidden_at"]


def _roll_back_portal_app(schema: str, to: str = "zero") -> None:
    """Unapply the portal app's migrations in `schema` back to `to`, as if it predated them."""
    connection.set_schema(schema)
    try:
        call_command(
            MigrateCommand(),
            "news",
            to,
            interactive=False,
            verbosity=0,
            skip_checks=True,
            stdout=io.StringIO(),
        )
    finally:
        connection.set_schema_to_public()
    left = (
        NEWS_MIGRATIONS
        if to == "zero"
        else NEWS_MIGRATIONS[NEWS_MIGRATIONS.index(f"news.{to}") + 1 :]
    )
    assert pending_migrations(schema) == left


def _break(schema: str) -> None:
    """Roll back the portal app and leave a table in the way of its first migration."""
    _roll_back_portal_app(schema)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{schema}".news_post (id integer)')


def _has_post_table(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'news_post' AND column_name = 'author_id'",
            [schema],
        )
        return cursor.fetchone() is not None


@pytest.mark.django_db
def test_fleet_schemas_lists_the_template_first_then_every_portal(portal_a, portal_b):
    schemas = fleet_schemas()
    assert schemas[0] == TEMPLATE
    assert {portal_a.schema_name, portal_b.schema_name} <= set(schemas[1:])


@pytest.mark.django_db
def test_sequential_run_skips_current_migrates_outdated_and_reports_a_broken_schema(portal_a):
    outdated = _new_portal("veraltet").schema_name
    broken = _new_portal("kaputt").schema_name
    _roll_back_portal_app(outdated)
    _break(broken)
    seen = []

    results = migrate_fleet(
        [TEMPLATE, broken, outdated, portal_a.schema_name], parallel=1, on_result=seen.append
    )

    assert seen == results
    by_schema = {r.schema: r for r in results}
    assert [r.schema for r in results] == [TEMPLATE, broken, outdated, portal_a.schema_name]
    assert by_schema[TEMPLATE].status == "up to date"
    assert by_schema[portal_a.schema_name].status == "up to date"
    assert (by_schema[outdated].status, by_schema[outdated].applied) == (
        "migrated",
        NEWS_MIGRATIONS,
    )
    assert by_schema[broken].failed
    assert "already exists" in by_schema[broken].error
    assert pending_migrations(outdated) == []
    assert _has_post_table(outdated)
    assert pending_migrations(broken) == NEWS_MIGRATIONS
    assert not _has_post_table(broken)


@pytest.mark.slow
def test_parallel_command_migrates_the_fleet_and_exits_1_for_a_broken_schema(
    committed, portal_a, portal_b
):
    created = []
    try:
        for subdomain in ("flotte-alt", "flotte-kaputt", "flotte-ok"):
            created.append(_new_portal(subdomain))
        outdated, broken, current = (p.schema_name for p in created)
        _roll_back_portal_app(outdated)
        _break(broken)
        out, err = io.StringIO(), io.StringIO()

        with pytest.raises(CommandError) as excinfo:
            call_command(
                "migrate_portals", "--parallel", "2", "--skip-public", stdout=out, stderr=err
            )

        assert excinfo.value.returncode == 1
        assert str(excinfo.value) == f"Migration failed for: {broken}"
        output = out.getvalue()
        assert f"{outdated}: migrated ({len(NEWS_MIGRATIONS)} migration(s))" in output
        for schema in (TEMPLATE, current, portal_a.schema_name, portal_b.schema_name):
            assert f"{schema}: up to date" in output
        assert f"{broken}: failed" in output
        total = len(fleet_schemas())
        assert f"{total} schema(s): 1 migrated, {total - 2} up to date, 1 failed." in output
        assert f"{broken} failed: " in err.getvalue()
        assert "already exists" in err.getvalue()
        assert pending_migrations(outdated) == []
        assert _has_post_table(outdated)
        assert pending_migrations(broken) == NEWS_MIGRATIONS
    finally:
        connection.set_schema_to_public()
        for portal in created:
            drop_schema(portal.schema_name)
            AuditEvent.objects.filter(portal=portal).delete()
            portal.delete()
    assert not Portal.objects.filter(slug__startswith="flotte-").exists()


@pytest.mark.django_db
def test_migrate_portals_refuses_fewer_than_one_worker():
    with pytest.raises(CommandError) as excinfo:
        call_command("migrate_portals", "--parallel", "0", "--skip-public")
    assert excinfo.value.returncode == 2


def _has_hidden_at(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'news_post' AND column_name = 'hidden_at'",
            [schema],
        )
        return cursor.fetchone() is not None


@pytest.mark.django_db
def test_a_field_only_release_reaches_every_behind_schema_and_a_broken_one_keeps_its_state(
    portal_a,
):
    # Several schemas at the same state: the models rendered for the first serve the others.
    first, second = (_new_portal(name).schema_name for name in ("feld-eins", "feld-zwei"))
    broken = _new_portal("feld-kaputt").schema_name
    for schema in (first, second, broken):
        _roll_back_portal_app(schema, to="0001_initial")
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{broken}".news_post ADD COLUMN hidden_at text')

    results = {r.schema: r for r in migrate_fleet([first, broken, second], parallel=1)}

    for schema in (first, second):
        assert (results[schema].status, results[schema].applied) == (
            "migrated",
            ["news.0002_post_hidden_at"],
        )
        assert pending_migrations(schema) == []
        assert _has_hidden_at(schema)
    assert results[broken].failed
    assert "already exists" in results[broken].error
    assert pending_migrations(broken) == ["news.0002_post_hidden_at"]
