"""No path starts or continues a run around a policy or an approval: forks, retries,
resumes, draft runs, scheduled runs and child runs are each a new start, checked against
the project's policies with their own inputs, and a fork never inherits an approval."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kanri.engine.models import RunRow
from kanri.runtime import Kanri
from kanri.schedules import service as schedules
from kanri.schedules.models import ScheduleRow
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key
from tests.governance.factories import make_policy

REFUND: list[dict[str, Any]] = [
    {
        "id": "check",
        "kind": "condition",
        "if": "inputs.amount > 100",
        "then": "sign_off",
        "else": "pay",
    },
    {"id": "sign_off", "kind": "approval", "message": "Refund {{ inputs.amount }}?"},
    {"id": "pay", "kind": "transform", "output": {"refunded": "{{ inputs.amount }}"}},
]
STEPS: list[dict[str, Any]] = [
    {"id": "note", "kind": "log", "message": "amount {{ inputs.amount }}"},
    {"id": "pay", "kind": "transform", "output": "paid {{ inputs.amount }}"},
]
DENY_BIG = [{"when": "inputs.amount > 100", "effect": "deny", "reason": "too much"}]


async def _runs_of(kanri: Kanri, automation_id: str) -> int:
    def count(tx: Session) -> int:
        stmt = select(func.count()).where(RunRow.automation_id == automation_id)
        return int(tx.execute(stmt).scalar_one())

    return await kanri.db.read(count)


async def _step_ids(client: httpx.AsyncClient, tenant: Tenant, run_id: str) -> list[str]:
    steps = await client.get(f"/v1/runs/{run_id}/steps", headers=tenant.headers)
    return [s["step_id"] for s in steps.json()["data"]]


async def _fork(
    client: httpx.AsyncClient, run_id: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.post(f"/v1/runs/{run_id}/fork", json=body, headers=headers)


async def test_a_fork_cannot_start_past_an_approval_its_run_is_waiting_for(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, REFUND)
    runner = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["runs:write"])
    headers = bearer(runner["key"])
    run = await run_and_wait(
        client, tenant, automation["id"], {"amount": 250}, wait=0, headers=headers
    )
    await until_status(client, tenant, run["id"], {"waiting"})
    before = await _runs_of(kanri, automation["id"])

    for body in (
        {"from_step": "pay", "inputs": {"amount": 9999999}},
        {"from_step": "pay"},
    ):
        forked = await _fork(client, run["id"], headers, **body)
        assert forked.status_code == 422, forked.text
        assert forked.json()["errors"][0]["field"] == "body.from_step"
        assert "sign_off" in forked.json()["detail"]
    assert await _runs_of(kanri, automation["id"]) == before

    again = await _fork(client, run["id"], headers, from_step="sign_off")
    assert again.status_code == 202, again.text
    waiting = await until_status(client, tenant, again.json()["id"], {"waiting", "completed"})
    assert waiting["status"] == "waiting"  # the fork asks for its own approval
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{waiting["id"]}"'}, headers=tenant.headers
    )
    assert [a["status"] for a in approvals.json()["data"]] == ["pending"]


async def test_a_fork_past_an_approval_its_run_passed_is_refused_too(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, REFUND)
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 250}, wait=0)
    await until_status(client, tenant, run["id"], {"waiting"})
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    boss = await make_key(client, tenant.admin_key, tenant.project_id)
    approval_id = approvals.json()["data"][0]["id"]
    await client.post(f"/v1/approvals/{approval_id}/approve", headers=bearer(boss["key"]))
    done = await until_status(client, tenant, run["id"], {"completed"})
    assert done["outputs"] == {"refunded": 250}
    forked = await _fork(client, run["id"], tenant.headers, from_step="pay")
    assert forked.status_code == 422
    assert "an approval is given once" in forked.json()["errors"][0]["message"]


async def test_a_forks_new_inputs_are_checked_against_the_schema_and_the_policies(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    schema = {"type": "object", "properties": {"amount": {"type": "number"}}}
    automation = await make_automation(client, tenant, STEPS, inputs=schema)
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [automation["name"]]})
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 50})
    assert run["status"] == "completed"

    bad = await _fork(client, run["id"], tenant.headers, from_step="pay", inputs={"amount": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.inputs.amount"

    forked = await _fork(
        client, run["id"], tenant.headers, from_step="pay", inputs={"amount": 9999999}
    )
    assert forked.status_code == 202, forked.text
    denied = await until_status(client, tenant, forked.json()["id"], {"completed", "failed"})
    assert denied["status"] == "failed"
    assert denied["stop_reason"] == "denied"
    assert "too much" in denied["error"]["message"]
    assert await _step_ids(client, tenant, denied["id"]) == ["note"]  # kept; pay never ran


async def test_a_fork_of_a_denied_run_is_denied_again(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [automation["name"]]})
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 500})
    assert run["stop_reason"] == "denied"
    forked = await _fork(client, run["id"], tenant.headers, from_step="pay")
    assert forked.status_code == 202
    again = await until_status(client, tenant, forked.json()["id"], {"completed", "failed"})
    assert again["stop_reason"] == "denied"
    assert await _step_ids(client, tenant, again["id"]) == []


async def test_a_fork_a_policy_holds_for_approval_waits_then_goes_on_at_its_step(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 50})
    assert run["status"] == "completed"
    await make_policy(
        client,
        tenant,
        [{"when": 'action = "run"', "effect": "require_approval"}],
        attachments={"automations": [automation["name"]]},
    )
    forked = await _fork(client, run["id"], tenant.headers, from_step="pay")
    fork_id = forked.json()["id"]
    waiting = await until_status(client, tenant, fork_id, {"waiting", "completed"})
    assert waiting["status"] == "waiting"
    listed = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{fork_id}"'}, headers=tenant.headers
    )
    [approval] = listed.json()["data"]
    boss = await make_key(client, tenant.admin_key, tenant.project_id)
    decided = await client.post(
        f"/v1/approvals/{approval['id']}/approve", headers=bearer(boss["key"])
    )
    assert decided.status_code == 200, decided.text
    done = await until_status(client, tenant, fork_id, {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["outputs"] == "paid 50"
    # `note` was kept from the first run, the gate asked once, then `pay` ran: nothing twice.
    assert await _step_ids(client, tenant, fork_id) == ["note", "policy:run", "pay"]


async def test_a_retry_is_checked_against_the_policies_again(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps = [STEPS[0], {"id": "boom", "kind": "fail", "message": "upstream down"}]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 500})
    assert run["status"] == "failed"
    assert run["stop_reason"] == "error"
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [automation["name"]]})
    retried = await client.post(f"/v1/runs/{run['id']}/retry", headers=tenant.headers)
    assert retried.status_code == 200, retried.text
    again = await until_status(client, tenant, run["id"], {"completed", "failed"})
    while again["stop_reason"] is None:  # until the worker has taken it again
        again = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert again["stop_reason"] == "denied"
    assert await _step_ids(client, tenant, run["id"]) == ["note"]  # boom never ran again


async def test_a_resumed_run_is_checked_against_the_policies_again(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    flaky = {
        "id": "flaky",
        "kind": "http",
        "url": "http://127.0.0.1:9/nothing-listens-here",
        "timeout": 1,
        "retry": {"max_attempts": 3, "backoff_seconds": 60},
    }
    await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": True},
        headers=tenant.admin_headers,
    )
    automation = await make_automation(client, tenant, [STEPS[0], flaky, STEPS[1]])
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 500}, wait=0)
    deadline = time.monotonic() + 10
    while "flaky" not in await _step_ids(client, tenant, run["id"]):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    backing_off = await until_status(client, tenant, run["id"], {"pending"})
    assert backing_off["status"] == "pending"  # its next try is a minute away
    paused = await client.post(f"/v1/runs/{run['id']}/pause", headers=tenant.headers)
    assert paused.status_code == 200
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [automation["name"]]})
    resumed = await client.post(f"/v1/runs/{run['id']}/resume", headers=tenant.headers)
    assert resumed.json()["status"] == "pending"
    denied = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert denied["stop_reason"] == "denied"
    assert await _step_ids(client, tenant, run["id"]) == ["note", "flaky"]


async def test_a_draft_run_is_checked_against_the_policies(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS, publish=False)
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [automation["name"]]})
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 500}, version="draft")
    assert run["stop_reason"] == "denied"
    assert await _step_ids(client, tenant, run["id"]) == []


async def test_a_scheduled_run_is_checked_against_the_policies(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [automation["name"]]})
    created = await client.post(
        "/v1/schedules",
        json={
            "automation": automation["id"],
            "cron": "0 0 1 1 *",
            "inputs": {"amount": 500},
            "enabled": False,
        },
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    schedule_id = created.json()["id"]
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)

    def arm(tx: Session) -> None:
        row = tx.get(ScheduleRow, schedule_id)
        assert row is not None
        row.enabled, row.next_fire_time, row.catchup = True, due, "all"

    await kanri.db.write(arm)
    run_id = schedules.run_id_for(schedule_id, due)
    deadline = time.monotonic() + 10
    while (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).status_code == 404:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    run = await until_status(client, tenant, run_id, {"completed", "failed"})

    def disarm(tx: Session) -> None:
        row = tx.get(ScheduleRow, schedule_id)
        assert row is not None
        row.enabled, row.next_fire_time = False, None

    await kanri.db.write(disarm)
    assert run["stop_reason"] == "denied"
    assert await _step_ids(client, tenant, run_id) == []


async def test_a_child_run_is_checked_against_the_policies(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    child = await make_automation(client, tenant, STEPS)
    parent = await make_automation(
        client,
        tenant,
        [
            {
                "id": "call",
                "kind": "automation",
                "automation": child["name"],
                "inputs": {"amount": 500},
            }
        ],
    )
    await make_policy(client, tenant, DENY_BIG, attachments={"automations": [child["name"]]})
    run = await run_and_wait(client, tenant, parent["id"], {})
    assert run["status"] == "failed"
    children = await client.get(
        "/v1/runs", params={"filter": f'parent_run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    [child_run] = children.json()["data"]
    assert child_run["stop_reason"] == "denied"
    assert await _step_ids(client, tenant, child_run["id"]) == []
