"""The engine applies the evaluator before a run starts and before each targeted step or
HTTP call; every evaluation, request, decision and transition is on the run's audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key
from tests.governance.factories import audit_actions, make_policy

STEPS: list[dict[str, Any]] = [
    {"id": "note", "kind": "log", "message": "amount {{ inputs.amount }}"},
    {"id": "done", "kind": "transform", "output": "paid {{ inputs.amount }}"},
]


async def _open_approval(client: httpx.AsyncClient, tenant: Tenant, run_id: str) -> dict[str, Any]:
    listed = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run_id}"'}, headers=tenant.headers
    )
    approvals: list[dict[str, Any]] = listed.json()["data"]
    assert len(approvals) == 1, approvals
    return approvals[0]


async def test_a_denied_run_fails_before_its_first_step_with_the_reason(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    policy = await make_policy(
        client,
        tenant,
        [{"when": "inputs.amount > 100", "effect": "deny", "reason": "too much"}],
        attachments={"automations": [automation["name"]]},
    )
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 500})
    assert run["status"] == "failed"
    assert run["stop_reason"] == "denied"
    assert "too much" in run["error"]["message"]
    assert run["error"]["policy_id"] == policy["id"]
    steps = await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)
    assert steps.json()["data"] == []
    fine = await run_and_wait(client, tenant, automation["id"], {"amount": 50})
    assert fine["status"] == "completed"
    assert fine["outputs"] == "paid 50"


async def test_a_run_needing_approval_waits_for_a_quorum_of_distinct_approvers(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    one, two, three = [await make_key(client, tenant.admin_key, tenant.project_id) for _ in "123"]
    await make_policy(
        client,
        tenant,
        [
            {
                "id": "big",
                "when": "inputs.amount >= 1000",
                "effect": "require_approval",
                "approvers": [one["id"], two["id"], three["id"]],
                "required_approvals": 2,
                "severity": "high",
            }
        ],
    )
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 1000}, wait=0.5)
    run = await until_status(client, tenant, run["id"], {"waiting"})
    assert run["status"] == "waiting"
    approval = await _open_approval(client, tenant, run["id"])
    assert approval["source"] == "policy"
    assert approval["severity"] == "high"
    assert approval["rule_id"] == "big"
    assert approval["required_approvals"] == 2
    url = f"/v1/approvals/{approval['id']}"
    own = await client.post(f"{url}/approve", headers=tenant.headers)
    assert own.status_code == 403
    assert "self-approval" in own.json()["detail"]
    outsider = await make_key(client, tenant.admin_key, tenant.project_id)
    assert (await client.post(f"{url}/approve", headers=bearer(outsider["key"]))).status_code == 403
    first = await client.post(f"{url}/approve", headers=bearer(one["key"]))
    assert first.json()["status"] == "pending"
    again = await client.post(f"{url}/approve", headers=bearer(one["key"]))
    assert again.status_code == 200
    assert again.json() == first.json()  # the same approver counts once
    assert (await client.get(f"/v1/runs/{run['id']}", headers=tenant.headers)).json()[
        "status"
    ] == "waiting"
    second = await client.post(f"{url}/approve", json={"comment": "ok"}, headers=bearer(two["key"]))
    assert second.json()["status"] == "approved"
    assert [d["by"] for d in second.json()["decisions"]] == [one["id"], two["id"]]
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    assert done["outputs"] == "paid 1000"
    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()
    assert [(s["step_id"], s["status"]) for s in steps["data"]] == [
        ("policy:run", "completed"),
        ("note", "completed"),
        ("done", "completed"),
    ]
    audit = await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    actions = [row["action"] for row in audit]
    assert actions[0] == "run.created"
    assert actions.index("policy.evaluated") < actions.index("approval.requested")
    decided = [row for row in audit if row["action"] == "approval.decided"]
    assert [(r["changes"]["approver"]["to"], r["changes"]["outcome"]["to"]) for r in decided] == [
        (one["id"], "approved"),
        (two["id"], "approved"),
    ]
    assert actions[-1] == "run.status_changed"
    assert audit[-1]["changes"]["status"]["to"] == "completed"
    times = [datetime.fromisoformat(row["create_time"]) for row in audit]
    assert times == sorted(times)  # in the order written; `seq` is the chain's order
    assert all(isinstance(row["seq"], int) for row in audit)  # every row is in the chain
    same = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{run["id"]}"', "order_by": "seq", "page_size": 1000},
        headers=tenant.headers,
    )
    assert sorted(row["id"] for row in same.json()["data"]) == sorted(row["id"] for row in audit)
    verified = await client.get("/v1/audit-logs/verify", headers=tenant.headers)
    assert verified.json()["valid"] is True
    assert verified.json()["checked"] >= len(audit)


async def test_one_rejection_ends_the_approval_and_fails_the_run(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    await make_policy(client, tenant, [{"effect": "require_approval", "required_approvals": 2}])
    run = await run_and_wait(client, tenant, automation["id"], {"amount": 1}, wait=0.5)
    await until_status(client, tenant, run["id"], {"waiting"})
    approval = await _open_approval(client, tenant, run["id"])
    one = await make_key(client, tenant.admin_key, tenant.project_id)
    two = await make_key(client, tenant.admin_key, tenant.project_id)
    url = f"/v1/approvals/{approval['id']}"
    await client.post(f"{url}/approve", headers=bearer(one["key"]))
    rejected = await client.post(f"{url}/reject", headers=bearer(two["key"]))
    assert rejected.json()["status"] == "rejected"
    flip = await client.post(f"{url}/reject", headers=bearer(one["key"]))
    assert flip.status_code == 409
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "failed"
    assert done["stop_reason"] == "rejected"
    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()
    assert [(s["step_id"], s["status"]) for s in steps["data"]] == [("policy:run", "failed")]
    retried = await client.post(f"/v1/runs/{run['id']}/retry", headers=tenant.headers)
    assert retried.status_code == 200
    again = await until_status(client, tenant, run["id"], {"waiting"})
    assert again["status"] == "waiting"  # the policy asks again
    listed = await client.get(
        "/v1/approvals",
        params={"filter": f'run_id = "{run["id"]}" AND status = "pending"'},
        headers=tenant.headers,
    )
    assert len(listed.json()["data"]) == 1
    assert listed.json()["data"][0]["id"] != approval["id"]


async def test_step_and_http_rules_gate_each_matching_call(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "first", "kind": "log", "message": "hello"},
        {"id": "call", "kind": "http", "url": "http://blocked.example.test/{{ inputs.path }}"},
        {"id": "never", "kind": "log", "message": "not reached"},
    ]
    automation = await make_automation(client, tenant, steps)
    await make_policy(
        client,
        tenant,
        [
            {"when": 'step.kind = "log"', "effect": "allow"},
            {"when": 'http.host = "*.example.test"', "effect": "deny", "reason": "no egress"},
        ],
    )
    run = await run_and_wait(client, tenant, automation["id"], {"path": "x"})
    assert run["status"] == "failed"
    assert run["stop_reason"] == "denied"
    assert run["error"]["step_id"] == "call"
    assert "no egress" in run["error"]["message"]
    audit = await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    evaluated = [row["changes"] for row in audit if row["action"] == "policy.evaluated"]
    assert [(c["step_id"]["to"], c["action"]["to"], c["decision"]["to"]) for c in evaluated] == [
        ("first", "step", "approved"),
        ("call", "http", "denied"),
    ]
    assert evaluated[1]["http_host"]["to"] == "blocked.example.test"


async def test_a_step_rule_requiring_approval_parks_before_that_step_only(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "prepare", "kind": "transform", "output": "ready"},
        {"id": "shout", "kind": "log", "message": "sent"},
    ]
    automation = await make_automation(client, tenant, steps)
    await make_policy(client, tenant, [{"when": 'step.kind = "log"', "effect": "require_approval"}])
    run = await run_and_wait(client, tenant, automation["id"], wait=0.5)
    run = await until_status(client, tenant, run["id"], {"waiting"})
    approval = await _open_approval(client, tenant, run["id"])
    assert approval["step_id"] == "shout"
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    await client.post(f"/v1/approvals/{approval['id']}/approve", headers=bearer(approver["key"]))
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    steps_done = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()
    assert [(s["step_id"], s["status"]) for s in steps_done["data"]] == [
        ("prepare", "completed"),
        ("shout", "completed"),
    ]
    logs = (await client.get(f"/v1/runs/{run['id']}/logs", headers=tenant.headers)).json()
    assert [entry["message"] for entry in logs["data"]] == ["sent"]
