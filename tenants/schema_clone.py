"""Copying the migrated template schema into a new portal schema, and describing schemas.

A new portal gets its tables by copying `portal_template` (kept migrated by tenants.template)
instead of replaying every migration: tables with their columns, defaults, identity and
generated columns; their data (django_migrations, content types, permissions); constraints and
indexes under their original names; identity sequence positions. The copy runs inside the
caller's transaction, so a failure leaves nothing behind.

It fails loudly (SchemaCloneError) when the template holds an object kind it does not copy
(views, triggers, functions, types, free-standing sequences) rather than produce a schema that
differs from a migrated one. `describe_schema()` is the catalog fingerprint the tests use to
prove a copy equals a migrated schema.

`CLONE_STEPS` names the steps of a copy; `checkpoint(step)` runs after each of them (and after
the first table) and does nothing: fault-injection tests replace it to crash the copy there.
"""

from __future__ import annotations

import re

from django.db import connection


class SchemaCloneError(RuntimeError):
    pass


CLONE_STEPS = (
    "clone:check_source",
    "clone:create_schema",
    "clone:first_table",
    "clone:tables",
    "clone:constraints",
    "clone:indexes",
    "clone:sequence_types",
    "clone:sequence_positions",
)


def checkpoint(step: str) -> None:
    """Reached after each step in CLONE_STEPS; a hook for tests that inject crashes."""


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fetch(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _refuse_unsupported(cursor, source: str) -> None:
    problems = []
    for kind, label in (
        ("v", "view"),
        ("m", "materialized view"),
        ("p", "partitioned table"),
        ("f", "foreign table"),
    ):
        for (name,) in _fetch(
            cursor,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = %s",
            (source, kind),
        ):
            problems.append(f"{label} {name}")
    for (name,) in _fetch(
        cursor,
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n "
        "ON n.oid = p.pronamespace WHERE n.nspname = %s",
        (source,),
    ):
        problems.append(f"function {name}")
    for (name,) in _fetch(
        cursor,
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON "
        "c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND NOT t.tgisinternal",
        (source,),
    ):
        problems.append(f"trigger {name}")
    for (name,) in _fetch(
        cursor,
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON "
        "n.oid = t.typnamespace WHERE n.nspname = %s AND t.typtype IN "
        "('e', 'd', 'r', 'm') ",
        (source,),
    ):
        problems.append(f"type {name}")
    for (name,) in _fetch(
        cursor,
        """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind = 'S' AND NOT EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')""",
        (source,),
    ):
        problems.append(f"sequence {name}")
    if problems:
        raise SchemaCloneError(
            f"Schema {source} holds objects the clone does not copy: {', '.join(problems)}. "
            "Teach tenants.schema_clone to copy them, or create new portals by migration."
        )


def clone_schema(source: str, target: str) -> None:
    """Create schema `target` as a copy of `source`, structure and data. Runs in the caller's
    transaction; the connection's search_path is reset afterwards."""
    try:
        with connection.cursor() as cursor:
            _refuse_unsupported(cursor, source)
            checkpoint("clone:check_source")
            cursor.execute(f"CREATE SCHEMA {_qi(target)}")
            checkpoint("clone:create_schema")
            tables = [
                name
                for (name,) in _fetch(
                    cursor,
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
                    (source,),
                )
            ]
            for index, table in enumerate(tables):
                _copy_table(cursor, source, target, table)
                if index == 0:
                    checkpoint("clone:first_table")
            checkpoint("clone:tables")
            _copy_constraints(cursor, source, target)
            checkpoint("clone:constraints")
            _copy_indexes(cursor, source, target)
            checkpoint("clone:indexes")
            _copy_sequence_types(cursor, source, target)
            checkpoint("clone:sequence_types")
            _copy_sequence_positions(cursor, source, target)
            checkpoint("clone:sequence_positions")
    finally:
        # The statements above changed search_path behind django-tenants' back.
        connection.search_path_set_schemas = None


def _copy_table(cursor, source: str, target: str, table: str) -> None:
    src, dst = f"{_qi(source)}.{_qi(table)}", f"{_qi(target)}.{_qi(table)}"
    defaults = _fetch(
        cursor,
        """
        SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
        JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relname = %s""",
        (source, table),
    )
    for (expression,) in defaults:
        if "nextval(" in expression:
            raise SchemaCloneError(f"{source}.{table} has a serial default ({expression}).")
    cursor.execute(
        f"CREATE TABLE {dst} (LIKE {src} INCLUDING DEFAULTS INCLUDING IDENTITY "
        "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)"
    )
    columns = [
        name
        for (name,) in _fetch(
            cursor,
            """
        SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attgenerated = '' ORDER BY a.attnum""",
            (source, table),
        )
    ]
    column_list = ", ".join(_qi(c) for c in columns)
    cursor.execute(
        f"INSERT INTO {dst} ({column_list}) OVERRIDING SYSTEM VALUE SELECT {column_list} FROM {src}"
    )


def _copy_constraints(cursor, source: str, target: str) -> None:
    # With only the source schema on the search_path, definitions name its tables unqualified,
    # so executing them with the target on the search_path points them at the target's tables.
    cursor.execute(f"SET LOCAL search_path = {_qi(source)}")
    rows = _fetch(
        cursor,
        """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'x', 'c', 'f')
        ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2
                 WHEN 'c' THEN 3 ELSE 4 END, c.relname, con.conname""",
        (source,),
    )
    cursor.execute(f"SET LOCAL search_path = {_qi(target)}")
    for table, name, _kind, definition in rows:
        cursor.execute(f"ALTER TABLE {_qi(table)} ADD CONSTRAINT {_qi(name)} {definition}")
    _copy_not_null_names(cursor, source, target)


def _copy_not_null_names(cursor, source: str, target: str) -> None:
    # PostgreSQL 18 catalogs NOT NULL as named constraints; LIKE names them afresh.
    if connection.pg_version < 180000:
        return
    rows = _fetch(
        cursor,
        """
        SELECT c.relname, a.attname, con.conname FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
        WHERE n.nspname = %s AND con.contype = 'n'""",
        (source,),
    )
    wanted = {(table, column): name for table, column, name in rows}
    current = _fetch(
        cursor,
        """
        SELECT c.relname, a.attname, con.conname FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
        WHERE n.nspname = %s AND con.contype = 'n'""",
        (target,),
    )
    for table, column, name in current:
        desired = wanted.get((table, column))
        if desired and desired != name:
            cursor.execute(
                f"ALTER TABLE {_qi(target)}.{_qi(table)} RENAME CONSTRAINT {_qi(name)} TO {_qi(desired)}"
            )


def _copy_indexes(cursor, source: str, target: str) -> None:
    rows = _fetch(
        cursor,
        """
        SELECT t.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = %s AND NOT EXISTS (
            SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
              AND con.contype IN ('p', 'u', 'x'))
        ORDER BY 1, 2""",
        (source,),
    )
    for table, definition in rows:
        qualified = f" ON {_qi(source)}.{_qi(table)} "
        plain = f" ON {source}.{table} "
        if qualified in definition:
            definition = definition.replace(qualified, f" ON {_qi(target)}.{_qi(table)} ", 1)
        elif plain in definition:
            definition = definition.replace(plain, f" ON {_qi(target)}.{_qi(table)} ", 1)
        else:
            raise SchemaCloneError(f"Cannot place index definition in {target}: {definition}")
        cursor.execute(definition)


def _copy_sequence_types(cursor, source: str, target: str) -> None:
    # LIKE ... INCLUDING IDENTITY makes the identity sequence of an integer column a bigint
    # sequence (with the integer's bounds); a migrated schema has an integer sequence.
    wanted = dict(
        _fetch(
            cursor,
            "SELECT sequencename, data_type::text FROM pg_sequences WHERE schemaname = %s",
            (source,),
        )
    )
    for name, data_type in _fetch(
        cursor,
        "SELECT sequencename, data_type::text FROM pg_sequences WHERE schemaname = %s",
        (target,),
    ):
        desired = wanted.get(name)
        if desired and desired != data_type:
            cursor.execute(f"ALTER SEQUENCE {_qi(target)}.{_qi(name)} AS {desired}")


def _copy_sequence_positions(cursor, source: str, target: str) -> None:
    rows = _fetch(
        cursor,
        "SELECT sequencename, last_value FROM pg_sequences "
        "WHERE schemaname = %s AND last_value IS NOT NULL",
        (source,),
    )
    for name, last_value in rows:
        cursor.execute("SELECT setval(%s, %s, true)", (f"{_qi(target)}.{_qi(name)}", last_value))


def _same_meaning(definition: str | None) -> str | None:
    """An index or constraint definition with its casts and parentheses folded away.

    PostgreSQL prints an expression as it re-parsed it: Django's `type IN ('a', 'b')` comes back
    as `ANY ((ARRAY['a'::varchar, …])::text[])`, and that text, executed again by the copy,
    comes back as `ANY (ARRAY[('a'::varchar)::text, …])`. Same index, other words; compare the
    words that matter."""
    if definition is None:
        return None
    folded = re.sub(r"::[a-z ]+(\[\])?", "", definition)
    return re.sub(r"[()\s]", "", folded)


def describe_schema(schema: str) -> dict:
    """A comparable fingerprint of a schema's catalog, with the schema name itself removed."""

    def strip(text: str | None) -> str | None:
        if text is None:
            return None
        return text.replace(f"{_qi(schema)}.", "").replace(f"{schema}.", "")

    with connection.cursor() as cursor:
        tables = _fetch(
            cursor,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
            (schema,),
        )
        # The column's position among the table's live columns, not ordinal_position (attnum):
        # a migrated table keeps the gaps of dropped columns, a copy numbers them afresh.
        columns = _fetch(
            cursor,
            """
            SELECT table_name, column_name,
                   row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position),
                   data_type, character_maximum_length,
                   numeric_precision, is_nullable, column_default, is_identity, identity_generation,
                   is_generated, generation_expression
            FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 3""",
            (schema,),
        )
        constraints = _fetch(
            cursor,
            """
            SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
                   con.condeferrable, con.condeferred
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1, 2""",
            (schema,),
        )
        indexes = _fetch(
            cursor,
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = %s ORDER BY 1, 2",
            (schema,),
        )
        sequences = _fetch(
            cursor,
            """
            SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by,
                   cycle, cache_size, last_value
            FROM pg_sequences WHERE schemaname = %s ORDER BY 1""",
            (schema,),
        )
        cursor.execute(f"SELECT app, name FROM {_qi(schema)}.django_migrations ORDER BY app, name")
        migrations = cursor.fetchall()
    connection.search_path_set_schemas = None
    return {
        "tables": tables,
        "columns": [tuple(strip(v) if isinstance(v, str) else v for v in row) for row in columns],
        "constraints": [
            (t, n, k, _same_meaning(strip(d)), a, b) for t, n, k, d, a, b in constraints
        ],
        "indexes": [(t, n, _same_meaning(strip(d))) for t, n, d in indexes],
        "sequences": sequences,
        "migrations": migrations,
    }
