from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key

APPROVAL: list[dict[str, Any]] = [
    {"id": "prepare", "kind": "transform", "output": {"amount": "{{ inputs.amount }}"}},
    {"id": "sign_off", "kind": "approval", "message": "Pay {{ steps.prepare.output.amount }}?"},
    {"id": "pay", "kind": "transform", "output": "paid {{ steps.prepare.output.amount }}"},
]


async def _waiting(
    client: httpx.AsyncClient, tenant: Tenant
) -> tuple[dict[str, Any], dict[str, Any]]:
    automation = await make_automation(client, tenant, APPROVAL)
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 120}, wait=0.2)
    run = await until_status(client, tenant, run["id"], {"waiting"})
    assert run["status"] == "waiting"
    exceptions = (await client.get("/v1/exceptions", headers=tenant.headers)).json()["data"]
    mine = [e for e in exceptions if e["run"]["id"] == run["id"]]
    assert mine
    assert mine[0]["approval_id"]
    assert "sign_off" in mine[0]["reason"]
    approval = (
        await client.get(f"/v1/approvals/{mine[0]['approval_id']}", headers=tenant.headers)
    ).json()
    return run, approval


async def test_an_approved_run_resumes_with_the_decision_as_output(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    run, approval = await _waiting(client, tenant)
    assert approval["status"] == "pending"
    assert approval["message"] == "Pay 120?"
    assert approval["step_id"] == "sign_off"
    approver = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["runs:*"])
    decided = await client.post(
        f"/v1/approvals/{approval['id']}/approve",
        json={"comment": "ok"},
        headers=bearer(approver["key"]),
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert decided.json()["decisions"][0]["comment"] == "ok"
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    assert done["outputs"] == "paid 120"
    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()["data"]
    sign_off = next(s for s in steps if s["step_id"] == "sign_off")
    assert sign_off["status"] == "completed"
    assert sign_off["output"]["status"] == "approved"
    assert [s["step_id"] for s in steps].count("prepare") == 1


async def test_the_runs_own_key_cannot_approve_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    _, approval = await _waiting(client, tenant)
    response = await client.post(f"/v1/approvals/{approval['id']}/approve", headers=tenant.headers)
    assert response.status_code == 403


async def test_a_rejection_fails_the_run_as_rejected(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    run, approval = await _waiting(client, tenant)
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    rejected = await client.post(
        f"/v1/approvals/{approval['id']}/reject", headers=bearer(approver["key"])
    )
    assert rejected.json()["status"] == "rejected"
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "failed"
    assert done["stop_reason"] == "rejected"


async def test_decisions_are_recorded_exactly_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    _, approval = await _waiting(client, tenant)
    approver = bearer((await make_key(client, tenant.admin_key, tenant.project_id))["key"])
    other = bearer((await make_key(client, tenant.admin_key, tenant.project_id))["key"])
    first = await client.post(f"/v1/approvals/{approval['id']}/approve", headers=approver)
    same = await client.post(f"/v1/approvals/{approval['id']}/approve", headers=approver)
    assert first.status_code == same.status_code == 200
    assert same.json() == first.json()
    flip = await client.post(f"/v1/approvals/{approval['id']}/reject", headers=approver)
    assert flip.status_code == 409
    late = await client.post(f"/v1/approvals/{approval['id']}/reject", headers=other)
    assert late.status_code == 409


async def test_two_concurrent_decisions_settle_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    _, approval = await _waiting(client, tenant)
    one = bearer((await make_key(client, tenant.admin_key, tenant.project_id))["key"])
    two = bearer((await make_key(client, tenant.admin_key, tenant.project_id))["key"])
    answers = await asyncio.gather(
        client.post(f"/v1/approvals/{approval['id']}/approve", headers=one),
        client.post(f"/v1/approvals/{approval['id']}/reject", headers=two),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    final = (await client.get(f"/v1/approvals/{approval['id']}", headers=one)).json()
    assert len(final["decisions"]) == 1


async def test_an_approval_times_out_per_its_step(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "gate", "kind": "approval", "timeout_seconds": 0.3, "on_timeout": "approve"},
        {"id": "after", "kind": "transform", "output": "{{ steps.gate.output.status }}"},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], wait=0.1)
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["outputs"] == "approved"
