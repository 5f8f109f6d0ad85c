"""PostgreSQL schema operations: migrate one schema, check what is pending, keep the template.

The template schema (settings.PORTAL_TEMPLATE_SCHEMA) is a fully migrated, empty portal schema
that provisioning copies. `ensure_template()` creates or migrates it under an advisory lock, so
concurrent provisioning never migrates it twice; any error propagates and no portal is created.

A fleet migration runs `migrate_schema` for hundreds of schemas in one process, all at the same
state. For a plan that leaves the set of models as it is (fields, indexes, constraints, SQL: most
releases), what Django's migrate command would redo for each schema is done once per process:
the migration files are read once, the models as of the schemas' state rendered once and copied
for each schema, and the post-migrate step (content types and permissions of every model, a
hundred queries that would find nothing to do) is left out. A plan that creates, deletes or
renames models, or changes their options, runs Django's migrate command as it is: its signal
handlers rewrite the plan's migrations and must get fresh ones. A migration that fails raises,
and its schema keeps what it had (each migration runs in its own transaction, as with migrate).
"""

from __future__ import annotations

import contextlib
import functools
import io
import zlib

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django_tenants.utils import schema_exists

_TEMPLATE_LOCK = zlib.crc32(b"allmende:portal-template")
_template_checked: set[str] = set()


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _names_django_asks_for() -> list[str]:
    from django.apps import apps

    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return sorted(names | {MigrationRecorder.Migration._meta.db_table})


@contextlib.contextmanager
def _tables_of(schema: str):
    """While in here, the connection's table listing names only `schema`'s tables of the
    project's models (and django_migrations), found by name through the catalogue's index.

    Django's listing (the migration recorder asks for it five times a schema) checks every
    relation of the database for visibility, and even one schema's full listing scans pg_class:
    at 1,000 portals, 360,000 relations, 28 ms a listing, most of a schema's migration. Every
    table Django looks for in a listing is a model's or the recorder's, so those are the names
    asked for; other tables of the schema are left out."""
    from django.db.backends.postgresql.introspection import TableInfo

    def get_table_list(cursor):
        cursor.execute(
            "SELECT c.relname, CASE WHEN c.relispartition THEN 'p'"
            " WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END,"
            " obj_description(c.oid, 'pg_class')"
            " FROM unnest(%s::text[]) AS wanted(name) JOIN pg_catalog.pg_class c"
            " ON c.relname = wanted.name"
            " AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %s)"
            " WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v')",
            [_names_django_asks_for(), schema],
        )
        return [TableInfo(*row) for row in cursor.fetchall()]

    introspection = connection.introspection
    introspection.get_table_list = get_table_list
    try:
        yield
    finally:
        del introspection.get_table_list


def pending_migrations(schema: str) -> list[str]:
    """Migrations not yet recorded in `schema`, as "app.name" strings (empty: up to date)."""
    connection.set_schema(schema, include_public=False)
    try:
        with _tables_of(schema):
            if not MigrationRecorder(connection).has_table():
                return sorted(f"{a}.{n}" for a, n in expected_migrations())
            executor = _Executor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            return [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    finally:
        connection.set_schema_to_public()


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration a fully migrated portal schema has recorded, as (app, name): the nodes
    of the project's migration graph (the tenant router skips shared apps' operations in a
    portal schema, but their migrations are recorded there all the same). Read from disk once
    per process (a quarter of a provisioning's time otherwise): migration files do not change
    under a running process, and a deployment restarts it."""
    return frozenset(_FilesReadOnce(None, ignore_no_migrations=True).graph.nodes)


@functools.cache
def _migration_files() -> tuple[dict, frozenset[str], frozenset[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return (
        loader.disk_migrations,
        frozenset(loader.unmigrated_apps),
        frozenset(loader.migrated_apps),
    )


class _FilesReadOnce(MigrationLoader):
    """Django's loader, but the migration files are read (and re-imported) once per process:
    they do not change under a running process. Each loader still reads its schema's records."""

    def load_disk(self):
        disk, unmigrated, migrated = _migration_files()
        self.disk_migrations = dict(disk)
        self.unmigrated_apps = set(unmigrated)
        self.migrated_apps = set(migrated)


class _Executor(MigrationExecutor):
    def __init__(self, connection, progress_callback=None):
        self.connection = connection
        self.loader = _FilesReadOnce(connection)
        self.recorder = MigrationRecorder(connection)
        self.progress_callback = progress_callback


# Operations after which content types and permissions need no update.
_LEAVES_MODELS_AS_THEY_ARE = (
    operations.AddField,
    operations.AlterField,
    operations.RemoveField,
    operations.RenameField,
    operations.AddIndex,
    operations.RemoveIndex,
    operations.RenameIndex,
    operations.AddConstraint,
    operations.RemoveConstraint,
    operations.AlterUniqueTogether,
    operations.AlterIndexTogether,
    operations.AlterModelTable,
    operations.RunSQL,
)


def _changes_models(plan) -> bool:
    return any(
        not isinstance(operation, _LEAVES_MODELS_AS_THEY_ARE)
        for migration, _backwards in plan
        for operation in migration.operations
    )


# The models as of the last applied set seen, rendered: (applied set, state). Schemas of a
# fleet share their state, so this is rendered once per process, not once per schema.
_rendered: list[tuple[frozenset, ProjectState]] = []


def _state_before(executor: MigrationExecutor) -> ProjectState:
    applied = frozenset(executor.loader.applied_migrations)
    if not _rendered or _rendered[0][0] != applied:
        # Django's own starting point for a forward migration (MigrationExecutor.migrate).
        state = executor._create_project_state(with_applied_migrations=True)
        state.apps  # noqa: B018 (renders the models, the expensive part)
        _rendered[:] = [(applied, state)]
    return _rendered[0][1].clone()


def schemas_behind(schemas: list[str]) -> set[str]:
    """The schemas among `schemas` that lack a migration, decided from the catalogue in one
    round trip, whatever the number of schemas: a schema without a django_migrations table,
    or whose table lacks one of expected_migrations(). Up-to-date schemas then cost nothing
    more; a schema reported behind is checked again, exactly, by migrate_one."""
    if not schemas:
        return set()
    expected = expected_migrations()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid"
            " WHERE c.relname = 'django_migrations' AND c.relkind = 'r'"
            " AND n.nspname = ANY(%s)",
            [list(schemas)],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        behind = set(schemas) - set(with_table)
        if with_table:
            apps = sorted({app for app, _name in expected})
            names = sorted({name for _app, name in expected})
            # One statement over every schema's records; only the expected names count.
            union = " UNION ALL ".join(
                f"SELECT %s AS schema, app, name FROM {_qi(schema)}.django_migrations"
                for schema in with_table
            )
            cursor.execute(
                f"SELECT schema, array_agg(app || '.' || name) FROM ({union}) AS recorded"
                " WHERE app = ANY(%s) AND name = ANY(%s) GROUP BY schema",
                [*with_table, apps, names],
            )
            wanted = {f"{app}.{name}" for app, name in expected}
            complete = {schema for schema, found in cursor.fetchall() if wanted <= set(found)}
            behind |= set(with_table) - complete
    return behind


def migrate_schema(schema: str, *, stdout=None) -> None:
    """Apply all pending migrations to an existing portal (or template) schema."""
    connection.set_schema(schema, include_public=False)
    try:
        with _tables_of(schema):
            _migrate(schema, stdout)
    finally:
        connection.set_schema_to_public()


def _migrate(schema: str, stdout) -> None:
    # Create django_migrations in the schema itself; with public on the search_path the
    # recorder would find public's table and consider everything applied.
    MigrationRecorder(connection).ensure_schema()
    connection.set_schema(schema)
    executor = _Executor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if not plan:
        return
    if _changes_models(plan) or any(backwards for _migration, backwards in plan):
        call_command(
            MigrateCommand(),
            interactive=False,
            verbosity=0,
            skip_checks=True,
            stdout=stdout or io.StringIO(),
        )
        return
    executor.migrate(targets, plan=plan, state=_state_before(executor))
    if stdout:
        stdout.write(f"{schema}: applied {len(plan)} migration(s)\n")


def create_schema(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_qi(schema)}")


def drop_schema(schema: str) -> None:
    if schema in {"public", "pg_catalog", "information_schema"}:
        raise ValueError(f"Refusing to drop schema {schema}.")
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit; rows written earlier in this transaction (a portal
        # provisioned and purged in one go) would otherwise block the DROP. Checked now instead.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP SCHEMA IF EXISTS {_qi(schema)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys: as before


def ensure_template() -> str:
    """Make sure the template schema exists and is fully migrated; return its name."""
    schema = settings.PORTAL_TEMPLATE_SCHEMA
    key = f"{connection.settings_dict['NAME']}:{schema}"
    if key in _template_checked and schema_exists(schema):
        return schema
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_TEMPLATE_LOCK])
    try:
        if not schema_exists(schema):
            create_schema(schema)
        if pending_migrations(schema):
            migrate_schema(schema)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_TEMPLATE_LOCK])
    _template_checked.add(key)
    return schema


def forget_template_check() -> None:
    _template_checked.clear()
