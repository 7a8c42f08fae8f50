from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.models import AuditLogRow, OutboxEventRow
from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant, make_tenant, unique


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


def _project_principal(tenant: Tenant) -> Principal:
    return Principal.system(tenant.organization_id, tenant.project_id, name="test")


def _rows_of(tx: Session, resource_id: str) -> list[AuditLogRow]:
    return list(
        tx.execute(select(AuditLogRow).where(AuditLogRow.resource_id == resource_id)).scalars()
    )


async def test_run_transitions_are_in_the_project_chain(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client, tenant, [{"id": "only", "kind": "transform", "output": 1}]
    )
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "completed"

    logs = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{run["id"]}"', "order_by": "seq"},
        headers=tenant.headers,
    )
    rows = logs.json()["data"]
    actions = [r["action"] for r in rows]
    assert actions == ["run.created", "run.status_changed", "run.status_changed"]
    assert [r["changes"]["status"]["to"] for r in rows[1:]] == ["running", "completed"]
    assert all(isinstance(r["seq"], int) and len(r["hash"]) == 64 for r in rows)
    verified = (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()
    assert verified["valid"] is True
    assert verified["checked"] >= max(r["seq"] for r in rows)


async def test_a_row_left_to_the_chainer_is_chained_before_verifying(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    def write(tx: Session, chained: bool) -> str:
        return audit.record(
            tx, _project_principal(tenant), "test.done", "test", unique("res"), chained=chained
        )

    before = (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()
    later = await kanri.db.write(write, False)
    now = await kanri.db.write(write, True)

    def rows(tx: Session) -> dict[str, int | None]:
        return {row.id: row.seq for row in tx.execute(select(AuditLogRow)).scalars()}

    seqs = await kanri.db.read(rows)
    n = before["checked"]
    if kanri.db.is_sqlite:  # the single writer chains every row at commit
        assert (seqs[later], seqs[now]) == (n + 1, n + 2)
    else:  # `later` waits for the background chainer (or the next read of the trail)
        assert (seqs[later], seqs[now]) in ((None, n + 1), (n + 1, n + 2), (n + 2, n + 1))

    verified = (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()
    assert verified == {"valid": True, "checked": before["checked"] + 2, "first_broken": None}
    assert (await kanri.db.read(audit.pending_count, tenant.project_id)) == 0


async def test_the_chainer_chains_rows_of_all_projects_once(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    principals = [_project_principal(tenant), _project_principal(other)]

    def write(tx: Session) -> None:
        for who in principals * 3:
            audit.record(tx, who, "test.done", "test", unique("res"), chained=False)

    await asyncio.gather(*(kanri.db.write(write) for _ in range(4)))
    await asyncio.gather(*(kanri.db.write(audit.complete) for _ in range(3)))
    for headers in (tenant.headers, other.headers):
        verified = (await client.get("/v1/audit-logs/verify", headers=headers)).json()
        assert verified["valid"] is True
    for project in (tenant.project_id, other.project_id):
        assert await kanri.db.read(audit.pending_count, project) == 0


async def test_a_failed_command_leaves_no_audit_row_or_event(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    failing, kept = unique("res"), unique("res")

    def write(tx: Session, resource_id: str, fail: bool) -> None:
        who = _project_principal(tenant)
        audit.record(tx, who, "test.done", "test", resource_id)
        audit.record(tx, who, "test.done", "test", resource_id, chained=False)
        events.emit(tx, who, "test.done", "test", resource_id, {})
        if fail:
            raise ValueError("refused")

    # Submitted together: on SQLite both commands share one batch and commit.
    results = await asyncio.gather(
        kanri.db.write(write, failing, True),
        kanri.db.write(write, kept, False),
        return_exceptions=True,
    )
    assert isinstance(results[0], ValueError)
    assert results[1] is None

    def outbox(tx: Session, resource_id: str) -> int:
        return len(
            list(
                tx.execute(
                    select(OutboxEventRow).where(OutboxEventRow.resource_id == resource_id)
                ).scalars()
            )
        )

    assert await kanri.db.read(_rows_of, failing) == []
    assert await kanri.db.read(outbox, failing) == 0
    assert len(await kanri.db.read(_rows_of, kept)) == 2
    assert await kanri.db.read(outbox, kept) == 1
    assert (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()["valid"]
