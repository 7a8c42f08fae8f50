from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

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


def test_migrating_again_changes_nothing(database_url: str) -> None:
    migrations.upgrade(database_url)
