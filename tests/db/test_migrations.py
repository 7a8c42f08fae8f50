from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import ClauseElement, Connection, inspect, text
from sqlalchemy.orm import Session

from kanri.db import migrations
from kanri.db.models import Base
from kanri.runtime import Kanri


async def test_migrating_an_empty_database_gives_exactly_the_models_schema(kanri: Kanri) -> None:
    # The session database was created empty and migrated by `migrations.upgrade`.
    def diff(tx):  # type: ignore[no-untyped-def]
        connection: Connection = tx.connection()
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": migrations.include_object},
        )
        return compare_metadata(context, Base.metadata)

    assert await kanri.db.read(diff) == []


async def test_the_database_is_at_the_newest_revision(kanri: Kanri) -> None:
    assert await kanri.db.read(migrations.current_revision) == migrations.head_revision()


def _plain(value: Any) -> Any:
    """`value` with SQL expressions (a partial index's WHERE) as their text, to compare."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, ClauseElement):
        return str(value)
    return value


def _schema(tx: Session) -> list[str]:
    """The database's schema as sorted lines: its revision, each table's columns (type,
    nullability, default), keys, indexes and constraints, and what the dialect keeps beside
    them (SQLite's DDL and triggers; PostgreSQL's extensions and triggers)."""
    connection = tx.connection()
    inspector = inspect(connection)
    lines = [f"revision {MigrationContext.configure(connection).get_current_revision()}"]
    for table in inspector.get_table_names():
        described: dict[str, list[Any]] = {
            "column": inspector.get_columns(table),
            "primary key": [inspector.get_pk_constraint(table)],
            "foreign key": inspector.get_foreign_keys(table),
            "index": inspector.get_indexes(table),
            "unique": inspector.get_unique_constraints(table),
            "check": inspector.get_check_constraints(table),
        }
        for what, items in described.items():
            lines.extend(f"{table} {what} {_plain(item)!r}" for item in items)
    lines.extend(f"view {view}" for view in inspector.get_view_names())
    if connection.dialect.name == "sqlite":
        extra = "SELECT type, name, tbl_name, sql FROM sqlite_master"
    else:
        extra = (
            "SELECT 'extension', extname, extversion FROM pg_extension UNION ALL "
            "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal"
        )
    lines.extend(repr(tuple(row)) for row in connection.execute(text(extra)))
    return sorted(lines)


async def test_migrating_again_changes_nothing(kanri: Kanri, database_url: str) -> None:
    # The session database was migrated once by `migrations.upgrade`; this is the second run.
    first = await kanri.db.read(_schema)
    await asyncio.to_thread(migrations.upgrade, database_url)
    second = await kanri.db.read(_schema)
    assert any(" column " in line for line in first)
    gone, new = sorted(set(first) - set(second)), sorted(set(second) - set(first))
    assert (gone, new) == ([], [])
    assert second == first
