"""Run control: pause parks a run as waiting (paused), resume puts it back where it stood,
escalate records an escalation; all of it on the run's audit."""

from __future__ import annotations

from typing import Any

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key
from tests.governance.factories import audit_actions

GATE: list[dict[str, Any]] = [
    {"id": "gate", "kind": "approval"},
    {"id": "after", "kind": "transform", "output": "{{ steps.gate.output.status }}"},
]


async def test_a_paused_run_holds_until_resumed_and_keeps_its_approval(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, GATE)
    run = await run_and_wait(client, tenant, automation["id"], wait=0.5)
    run = await until_status(client, tenant, run["id"], {"waiting"})
    paused = await client.post(f"/v1/runs/{run['id']}/pause", headers=tenant.headers)
    assert paused.status_code == 200
    assert paused.json()["status"] == "waiting"
    assert paused.json()["stop_reason"] == "paused"
    twice = await client.post(f"/v1/runs/{run['id']}/pause", headers=tenant.headers)
    assert twice.status_code == 409
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    approval = approvals.json()["data"][0]
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    decided = await client.post(
        f"/v1/approvals/{approval['id']}/approve", headers=bearer(approver["key"])
    )
    assert decided.json()["status"] == "approved"
    still = await until_status(client, tenant, run["id"], {"completed"}, within=1)
    assert still["status"] == "waiting"  # a paused run is not woken by the decision
    assert still["stop_reason"] == "paused"
    resumed = await client.post(f"/v1/runs/{run['id']}/resume", headers=tenant.headers)
    assert resumed.status_code == 200
    assert resumed.json()["stop_reason"] is None
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["outputs"] == "approved"
    again = await client.post(f"/v1/runs/{run['id']}/resume", headers=tenant.headers)
    assert again.status_code == 409
    audit = await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    reasons = [
        (r["changes"]["status"]["to"], (r["changes"].get("stop_reason") or {}).get("to"))
        for r in audit
        if r["action"] == "run.status_changed"
    ]
    assert ("waiting", "paused") in reasons
    assert reasons[-1] == ("completed", "completed")


async def test_resuming_a_run_paused_while_it_waits_for_a_person_goes_back_to_waiting(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, GATE)
    run = await run_and_wait(client, tenant, automation["id"], wait=0.5)
    await until_status(client, tenant, run["id"], {"waiting"})
    await client.post(f"/v1/runs/{run['id']}/pause", headers=tenant.headers)
    resumed = await client.post(f"/v1/runs/{run['id']}/resume", headers=tenant.headers)
    assert resumed.json()["status"] == "waiting"
    assert resumed.json()["stop_reason"] is None
    cancelled = await client.post(f"/v1/runs/{run['id']}/cancel", headers=tenant.headers)
    assert cancelled.json()["status"] == "cancelled"
    approvals = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    assert approvals.json()["data"][0]["status"] == "expired"
    assert (
        await client.post(f"/v1/runs/{run['id']}/pause", headers=tenant.headers)
    ).status_code == 409


async def test_a_paused_pending_run_does_not_start_until_resumed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client, tenant, [{"id": "w", "kind": "wait", "seconds": 0.3}], concurrency=1
    )
    blocker = await run_and_wait(client, tenant, automation["id"], wait=0)
    queued = await run_and_wait(client, tenant, automation["id"], wait=0)
    paused = await client.post(f"/v1/runs/{queued['id']}/pause", headers=tenant.headers)
    assert paused.status_code == 200, paused.text
    assert paused.json()["stop_reason"] == "paused"
    await until_status(client, tenant, blocker["id"], {"completed"})
    held = await until_status(client, tenant, queued["id"], {"completed"}, within=1)
    assert held["status"] == "waiting"
    await client.post(f"/v1/runs/{queued['id']}/resume", headers=tenant.headers)
    done = await until_status(client, tenant, queued["id"], {"completed", "failed"})
    assert done["status"] == "completed", done


async def test_escalating_a_run_records_an_escalation_and_an_event(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, GATE)
    run = await run_and_wait(client, tenant, automation["id"], wait=0.5)
    response = await client.post(
        f"/v1/runs/{run['id']}/escalate",
        json={"severity": "critical", "reason": "customer is waiting"},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    escalation = response.json()
    assert escalation["source"] == "escalation"
    assert escalation["severity"] == "critical"
    assert escalation["message"] == "customer is waiting"
    assert response.headers["Location"] == f"/v1/approvals/{escalation['id']}"
    critical = await client.get(
        "/v1/approvals",
        params={"filter": f'run_id = "{run["id"]}" AND severity = "critical"'},
        headers=tenant.headers,
    )
    assert [a["id"] for a in critical.json()["data"]] == [escalation["id"]]
    bad = await client.post(
        f"/v1/runs/{run['id']}/escalate",
        json={"severity": "dire", "reason": ""},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.severity", "body.reason"}
    actions = [
        r["action"] for r in await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    ]
    assert "run.escalated" in actions
    # the run's own approval is untouched and still decides it
    step_approval = await client.get(
        "/v1/approvals",
        params={"filter": f'run_id = "{run["id"]}" AND source = "step"'},
        headers=tenant.headers,
    )
    assert step_approval.json()["data"][0]["status"] == "pending"
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    url = f"/v1/approvals/{step_approval.json()['data'][0]['id']}"
    await client.post(f"{url}/approve", headers=bearer(approver["key"]))
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["outputs"] == "approved"
