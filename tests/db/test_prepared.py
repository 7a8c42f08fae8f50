from __future__ import annotations

from datetime import UTC
from typing import cast

import httpx
import pytest
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kanri.db.prepared import Prepared
from kanri.runtime import Kanri
from kanri.tenancy.models import EnvironmentRow
from tests.factories import Tenant

# A bound parameter, a value fixed in the statement, and a typed (UTC datetime) column.
PRODUCTION = Prepared(
    select(EnvironmentRow.id, EnvironmentRow.name, EnvironmentRow.create_time).where(
        EnvironmentRow.project_id == bindparam("project"), EnvironmentRow.name == "production"
    )
)


async def test_a_prepared_select_reads_typed_values_like_core(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    listing = await client.get("/v1/environments", headers=tenant.headers)
    [expected] = [e for e in listing.json()["data"] if e["name"] == "production"]

    def both(tx):  # type: ignore[no-untyped-def]
        core = tx.execute(PRODUCTION._stmt, {"project": tenant.project_id}).first()._mapping
        return dict(core), PRODUCTION.first(tx, {"project": tenant.project_id})

    core, prepared = await kanri.db.read(both)
    assert prepared == core
    assert prepared["id"] == expected["id"]
    assert prepared["create_time"].tzinfo == UTC


async def test_a_prepared_select_finds_nothing_for_another_project(kanri: Kanri) -> None:
    found = await kanri.db.read(PRODUCTION.first, {"project": "prj_none"})
    assert found is None


async def test_a_refused_prepared_insert_raises_as_sqlalchemy_would(
    kanri: Kanri, tenant: Tenant
) -> None:
    """Callers tell a database's refusal by SQLAlchemy's DBAPIError (the engine abandons a
    run on one instead of failing it): the driver's own error must not leak."""
    inserts = Prepared(insert(cast(Table, EnvironmentRow.__table__)))

    def twice(tx: Session) -> None:
        row = dict(tx.execute(select(*EnvironmentRow.__table__.columns)).first()._mapping)  # type: ignore[union-attr]
        inserts.run_many(tx.connection(), [row])  # the same id again

    with pytest.raises(IntegrityError):
        await kanri.db.write(twice)
