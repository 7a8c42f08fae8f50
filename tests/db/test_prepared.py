from __future__ import annotations

from datetime import UTC

import httpx
from sqlalchemy import bindparam, select

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
