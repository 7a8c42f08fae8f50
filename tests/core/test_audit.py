from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kanri.core.models import AuditLogRow
from kanri.runtime import Kanri
from tests.factories import Tenant


async def test_32_concurrent_writers_keep_the_chain_intact(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    responses = await asyncio.gather(
        *[
            client.post("/v1/environments", json={"name": f"c{i}"}, headers=tenant.headers)
            for i in range(32)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 32
    verified = await client.get("/v1/audit-logs/verify", headers=tenant.headers)
    assert verified.status_code == 200
    # project.created is in the organization's chain; the project's holds its 2 default
    # environments, its first key and the 32 new environments.
    assert verified.json() == {"valid": True, "checked": 35, "first_broken": None}

    logs = await client.get(
        "/v1/audit-logs", params={"page_size": 100, "order_by": "seq"}, headers=tenant.headers
    )
    rows = logs.json()["data"]
    assert [r["seq"] for r in rows] == list(range(1, 36))
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, len(rows)))


async def test_audit_rows_carry_actor_request_and_changes(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await client.post(
        "/v1/environments", json={"name": "qa"}, headers={**tenant.headers, "X-Request-Id": "r-qa"}
    )
    await client.patch(
        f"/v1/environments/{created.json()['id']}",
        json={"description": "quality"},
        headers=tenant.headers,
    )
    logs = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{created.json()["id"]}"'},
        headers=tenant.headers,
    )
    newest, oldest = logs.json()["data"]
    assert oldest["action"] == "environment.created"
    assert oldest["request_id"] == "r-qa"
    assert oldest["resource_type"] == "environment"
    assert oldest["actor"]["type"] == "api_key"
    assert oldest["ip"]
    assert newest["action"] == "environment.updated"
    assert newest["changes"] == {"description": {"from": "", "to": "quality"}}
    assert set(newest) >= {
        "id",
        "action",
        "resource_type",
        "resource_id",
        "actor",
        "changes",
        "request_id",
        "ip",
        "create_time",
    }


async def test_a_tampered_row_is_found_by_verify(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    for name in ("a1", "a2", "a3"):
        await client.post("/v1/environments", json={"name": name}, headers=tenant.headers)

    def tamper(tx: Session) -> str:
        row = tx.execute(
            select(AuditLogRow).where(
                AuditLogRow.scope_id == tenant.project_id, AuditLogRow.seq == 4
            )
        ).scalar_one()
        tx.execute(
            update(AuditLogRow)
            .where(AuditLogRow.id == row.id)
            .values(changes={"name": {"from": None, "to": "forged"}})
        )
        return row.id

    tampered = await kanri.db.write(tamper)
    verified = (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()
    assert verified["valid"] is False
    assert verified["checked"] == 3
    assert verified["first_broken"]["id"] == tampered
    assert "hash" in verified["first_broken"]["reason"]


async def test_a_deleted_row_breaks_the_chain(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    await client.post("/v1/environments", json={"name": "b1"}, headers=tenant.headers)

    def delete_last(tx: Session) -> None:
        tx.execute(
            delete(AuditLogRow).where(
                AuditLogRow.scope_id == tenant.project_id, AuditLogRow.seq == 4
            )
        )

    await kanri.db.write(delete_last)
    verified = (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()
    assert verified["valid"] is False
    assert "missing" in verified["first_broken"]["reason"]


async def test_admin_keys_read_the_organizations_chain(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    logs = await client.get("/v1/audit-logs", headers=tenant.admin_headers)
    actions = [r["action"] for r in logs.json()["data"]]
    assert "project.created" in actions
    assert "organization.created" in actions
    assert (await client.get("/v1/audit-logs/verify", headers=tenant.admin_headers)).json()["valid"]


async def test_audit_logs_need_their_section(client: httpx.AsyncClient, tenant: Tenant) -> None:
    from tests.factories import bearer, make_key

    key = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["environments:*"])
    response = await client.get("/v1/audit-logs", headers=bearer(key["key"]))
    assert response.status_code == 403
