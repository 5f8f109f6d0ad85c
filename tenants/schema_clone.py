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


class _Relations:
    """The source schema's relations, read with one scan of pg_class; every later catalogue
    read goes by these OIDs through the catalogues' indexes. Filtering by schema name instead
    (pg_sequences, pg_indexes, a join on pg_namespace) makes PostgreSQL look at every relation
    of the database: at 1,000 portals, 60,000 of them, and a copy took a second."""

    def __init__(self, cursor, schema: str):
        rows = _fetch(
            cursor,
            "SELECT c.oid, c.relname, c.relkind FROM pg_class c "
            "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)",
            (schema,),
        )
        self.schema = schema
        self.by_kind: dict[str, list[tuple[int, str]]] = {}
        for oid, name, kind in rows:
            self.by_kind.setdefault(kind, []).append((oid, name))
        self.all = [oid for oid, _name, _kind in rows]

    def oids(self, kind: str) -> list[int]:
        return [oid for oid, _name in self.by_kind.get(kind, [])]

    def names(self, kind: str) -> list[str]:
        return sorted(name for _oid, name in self.by_kind.get(kind, []))


def _oids_in(cursor, schema: str, names: list[str]) -> list[int]:
    """The OIDs of relations `names` in `schema`, by the catalogue's name index."""
    return [
        oid
        for (oid,) in _fetch(
            cursor,
            "SELECT c.oid FROM unnest(%s::text[]) AS t(name) JOIN pg_class c ON c.relname = t.name"
            " AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)",
            (names, schema),
        )
    ]


def _refuse_unsupported(cursor, relations: _Relations) -> None:
    source = relations.schema
    problems = []
    for kind, label in (
        ("v", "view"),
        ("m", "materialized view"),
        ("p", "partitioned table"),
        ("f", "foreign table"),
    ):
        problems += [f"{label} {name}" for name in relations.names(kind)]
    for (name,) in _fetch(
        cursor,
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n "
        "ON n.oid = p.pronamespace WHERE n.nspname = %s",
        (source,),
    ):
        problems.append(f"function {name}")
    for (name,) in _fetch(
        cursor,
        "SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid = ANY(%s) AND NOT t.tgisinternal",
        (relations.oids("r"),),
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
    # A sequence a column owns (identity) depends on it internally ('i'); any other is free.
    owned = {
        oid
        for (oid,) in _fetch(
            cursor,
            "SELECT d.objid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
            " AND d.objid = ANY(%s) AND d.deptype = 'i'",
            (relations.oids("S"),),
        )
    }
    problems += [
        f"sequence {name}"
        for oid, name in sorted(relations.by_kind.get("S", []), key=lambda r: r[1])
        if oid not in owned
    ]
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
            relations = _Relations(cursor, source)
            _refuse_unsupported(cursor, relations)
            checkpoint("clone:check_source")
            cursor.execute(f"CREATE SCHEMA {_qi(target)}")
            checkpoint("clone:create_schema")
            tables = relations.names("r")
            defaults = _serial_defaults(cursor, relations)
            if defaults:
                raise SchemaCloneError(
                    f"{source}.{defaults[0][0]} has a serial default ({defaults[0][1]})."
                )
            columns = _copied_columns(cursor, relations)
            for index, table in enumerate(tables):
                _copy_table(cursor, source, target, table, columns.get(table, []))
                if index == 0:
                    checkpoint("clone:first_table")
            checkpoint("clone:tables")
            copied = _oids_in(cursor, target, tables)
            _copy_constraints(cursor, relations, target, copied)
            checkpoint("clone:constraints")
            _copy_indexes(cursor, relations, target)
            checkpoint("clone:indexes")
            _copy_sequence_types(cursor, relations, target)
            checkpoint("clone:sequence_types")
            _copy_sequence_positions(cursor, relations, target)
            checkpoint("clone:sequence_positions")
    finally:
        # The statements above changed search_path behind django-tenants' back.
        connection.search_path_set_schemas = None


def _serial_defaults(cursor, relations: _Relations) -> list[tuple[str, str]]:
    return [
        (table, expression)
        for table, expression in _fetch(
            cursor,
            "SELECT c.relname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d"
            " JOIN pg_class c ON c.oid = d.adrelid WHERE d.adrelid = ANY(%s) ORDER BY 1",
            (relations.oids("r"),),
        )
        if "nextval(" in expression
    ]


def _copied_columns(cursor, relations: _Relations) -> dict[str, list[str]]:
    """Each table's columns that hold data to copy (generated ones are computed again)."""
    columns: dict[str, list[str]] = {}
    for table, name in _fetch(
        cursor,
        """
        SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attgenerated = '' ORDER BY c.relname, a.attnum""",
        (relations.oids("r"),),
    ):
        columns.setdefault(table, []).append(name)
    return columns


def _copy_table(cursor, source: str, target: str, table: str, columns: list[str]) -> None:
    src, dst = f"{_qi(source)}.{_qi(table)}", f"{_qi(target)}.{_qi(table)}"
    cursor.execute(
        f"CREATE TABLE {dst} (LIKE {src} INCLUDING DEFAULTS INCLUDING IDENTITY "
        "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)"
    )
    column_list = ", ".join(_qi(c) for c in columns)
    cursor.execute(
        f"INSERT INTO {dst} ({column_list}) OVERRIDING SYSTEM VALUE SELECT {column_list} FROM {src}"
    )


def _copy_constraints(cursor, relations: _Relations, target: str, copied: list[int]) -> None:
    # With only the source schema on the search_path, definitions name its tables unqualified,
    # so executing them with the target on the search_path points them at the target's tables.
    cursor.execute(f"SET LOCAL search_path = {_qi(relations.schema)}")
    rows = _fetch(
        cursor,
        """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE con.conrelid = ANY(%s) AND con.contype IN ('p', 'u', 'x', 'c', 'f')
        ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2
                 WHEN 'c' THEN 3 ELSE 4 END, c.relname, con.conname""",
        (relations.oids("r"),),
    )
    cursor.execute(f"SET LOCAL search_path = {_qi(target)}")
    for table, name, _kind, definition in rows:
        cursor.execute(f"ALTER TABLE {_qi(table)} ADD CONSTRAINT {_qi(name)} {definition}")
    _copy_not_null_names(cursor, relations, target, copied)


_NOT_NULL_NAMES = """
    SELECT c.relname, a.attname, con.conname FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
    WHERE con.conrelid = ANY(%s) AND con.contype = 'n'"""


def _copy_not_null_names(cursor, relations: _Relations, target: str, copied: list[int]) -> None:
    # PostgreSQL 18 catalogs NOT NULL as named constraints; LIKE names them afresh.
    if connection.pg_version < 180000:
        return
    wanted = {
        (table, column): name
        for table, column, name in _fetch(cursor, _NOT_NULL_NAMES, (relations.oids("r"),))
    }
    for table, column, name in _fetch(cursor, _NOT_NULL_NAMES, (copied,)):
        desired = wanted.get((table, column))
        if desired and desired != name:
            cursor.execute(
                f"ALTER TABLE {_qi(target)}.{_qi(table)} RENAME CONSTRAINT {_qi(name)} TO {_qi(desired)}"
            )


def _copy_indexes(cursor, relations: _Relations, target: str) -> None:
    source = relations.schema
    rows = _fetch(
        cursor,
        """
        SELECT t.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE i.indrelid = ANY(%s) AND NOT EXISTS (
            SELECT 1 FROM pg_constraint con WHERE con.conrelid = i.indrelid
              AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
        ORDER BY 1, 2""",
        (relations.oids("r"),),
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


_SEQUENCES = """
    SELECT c.relname, format_type(s.seqtypid, NULL), pg_sequence_last_value(c.oid)
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE s.seqrelid = ANY(%s)"""


def _sequences(cursor, oids: list[int]) -> dict[str, tuple[str, int | None]]:
    return {
        name: (data_type, last) for name, data_type, last in _fetch(cursor, _SEQUENCES, (oids,))
    }


def _copy_sequence_types(cursor, relations: _Relations, target: str) -> None:
    # LIKE ... INCLUDING IDENTITY makes the identity sequence of an integer column a bigint
    # sequence (with the integer's bounds); a migrated schema has an integer sequence.
    wanted = _sequences(cursor, relations.oids("S"))
    copied = _sequences(cursor, _oids_in(cursor, target, sorted(wanted)))
    for name, (data_type, _last) in copied.items():
        desired = wanted.get(name, (None,))[0]
        if desired and desired != data_type:
            cursor.execute(f"ALTER SEQUENCE {_qi(target)}.{_qi(name)} AS {desired}")


def _copy_sequence_positions(cursor, relations: _Relations, target: str) -> None:
    for name, (_type, last_value) in _sequences(cursor, relations.oids("S")).items():
        if last_value is not None:
            cursor.execute(
                "SELECT setval(%s, %s, true)", (f"{_qi(target)}.{_qi(name)}", last_value)
            )


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
