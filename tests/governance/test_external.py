"""External executions (n8n) under the same governance: reported, pre-checked, approved,
cancelled and escalated, each step on the execution's audit."""

from __future__ import annotations

from typing import Any

import httpx

from kanri.engine import approvals
from kanri.runtime import Kanri
from tests.factories import Tenant, bearer, make_key
from tests.governance.factories import audit_actions, make_policy

SINCE = "2026-11-23T00:00:00Z"


def _report(**fields: Any) -> dict[str, Any]:
    return {
        "engine": "n8n",
        "workflow_id": "invoice-sync",
        "execution_id": "1001",
        "status": "running",
        "started_at": "2026-11-23T10:00:00Z",
        **fields,
    }


async def test_reports_upsert_by_engine_and_execution_id(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await client.post("/v1/external-executions", json=_report(), headers=tenant.headers)
    assert created.status_code == 201, created.text
    execution = created.json()
    assert created.headers["Location"] == f"/v1/external-executions/{execution['id']}"
    updated = await client.post(
        "/v1/external-executions",
        json=_report(
            status="success",
            finished_at="2026-11-23T10:00:05Z",
            duration_ms=5000,
            output={"rows": 3},
        ),
        headers=tenant.headers,
    )
    assert updated.status_code == 200
    assert updated.json()["id"] == execution["id"]
    assert updated.json()["status"] == "success"
    assert updated.json()["output"] == {"rows": 3}
    late = await client.post(
        "/v1/external-executions", json=_report(status="error"), headers=tenant.headers
    )
    assert late.status_code == 409
    other_engine = await client.post(
        "/v1/external-executions", json=_report(engine="zapier"), headers=tenant.headers
    )
    assert other_engine.status_code == 201
    listed = await client.get(
        "/v1/external-executions",
        params={"filter": f'engine = "n8n" AND status = "success" AND started_at >= "{SINCE}"'},
        headers=tenant.headers,
    )
    assert [e["id"] for e in listed.json()["data"]] == [execution["id"]]
    for bad, field in (
        (_report(status="done"), "body.status"),
        (_report(finished_at="2026-11-23T09:00:00Z"), "body"),
        (_report(duration_ms=-1), "body.duration_ms"),
        (_report(started_at="2026-11-23T10:00:00"), "body.started_at"),
        ({**_report(), "extra": 1}, "body.extra"),
    ):
        response = await client.post("/v1/external-executions", json=bad, headers=tenant.headers)
        assert response.status_code == 422, bad
        assert any(e["field"] == field for e in response.json()["errors"]), response.text
    actions = [
        r["action"]
        for r in await audit_actions(
            client, tenant, f"/v1/external-executions/{execution['id']}/audit"
        )
    ]
    assert actions == ["external_execution.created", "external_execution.updated"]


async def test_an_external_workflow_is_governed_end_to_end(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri
) -> None:
    n8n = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["governance:*"])
    reviewer = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["runs:*"])
    workflow = bearer(n8n["key"])
    await make_policy(
        client,
        tenant,
        [
            {"when": 'workflow = "wire-*"', "effect": "deny", "reason": "wires go through finance"},
            {
                "id": "review",
                "when": 'action = "run"',
                "effect": "require_approval",
                "approvers": [reviewer["id"]],
                "timeout_seconds": 600,
                "severity": "high",
            },
        ],
        attachments={"workflows": ["invoice-sync", "wire-out"]},
    )
    check = await client.post(
        "/v1/governance/pre-check", json={"workflow": "invoice-sync"}, headers=workflow
    )
    assert check.json()["decision"] == "needs_approval"
    assert check.json()["rule"] == "review"
    wire = await client.post(
        "/v1/governance/pre-check", json={"workflow": "wire-out"}, headers=workflow
    )
    assert wire.json()["decision"] == "denied"

    execution = (
        await client.post(
            "/v1/external-executions", json=_report(status="waiting"), headers=workflow
        )
    ).json()
    asked = await client.post(
        f"/v1/external-executions/{execution['id']}/request-approval",
        json={"message": "sync 3 invoices?"},
        headers=workflow,
    )
    assert asked.status_code == 201, asked.text
    approval = asked.json()
    assert approval["external_execution_id"] == execution["id"]
    assert approval["run_id"] is None
    assert approval["approvers"] == [reviewer["id"]]
    assert approval["severity"] == "high"
    assert approval["rule_id"] == "review"
    assert approval["deadline"] is not None
    again = await client.post(
        f"/v1/external-executions/{execution['id']}/request-approval", headers=workflow
    )
    assert again.status_code == 200
    assert again.json()["id"] == approval["id"]
    url = f"/v1/approvals/{approval['id']}"
    own = await client.post(f"{url}/approve", headers=bearer(n8n["key"]))
    assert own.status_code in (403,)  # neither an approver nor allowed to approve its own ask
    decided = await client.post(f"{url}/approve", headers=bearer(reviewer["key"]))
    assert decided.status_code == 200
    polled = await client.get(url, headers=bearer(reviewer["key"]))
    assert polled.json()["status"] == "approved"
    finished = await client.post(
        "/v1/external-executions",
        json=_report(status="success", finished_at="2026-11-23T10:01:00Z"),
        headers=workflow,
    )
    assert finished.status_code == 200
    audit = await audit_actions(client, tenant, f"/v1/external-executions/{execution['id']}/audit")
    assert [r["action"] for r in audit] == [
        "external_execution.created",
        "policy.evaluated",
        "approval.requested",
        "approval.decided",
        "external_execution.updated",
    ]
    via_filter = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{execution["id"]}"', "order_by": "seq"},
        headers=tenant.headers,
    )
    assert [r["id"] for r in via_filter.json()["data"]] == [r["id"] for r in audit]
    assert (await client.get("/v1/audit-logs/verify", headers=tenant.headers)).json()["valid"]

    wire_run = (
        await client.post(
            "/v1/external-executions",
            json=_report(workflow_id="wire-out", execution_id="2002"),
            headers=workflow,
        )
    ).json()
    refused = await client.post(
        f"/v1/external-executions/{wire_run['id']}/request-approval", headers=workflow
    )
    assert refused.status_code == 403
    assert "finance" in refused.json()["detail"]


async def test_cancel_expires_open_approvals_and_escalate_records_an_escalation(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri, clock: Any
) -> None:
    execution = (
        await client.post("/v1/external-executions", json=_report(), headers=tenant.headers)
    ).json()
    base = f"/v1/external-executions/{execution['id']}"
    asked = await client.post(
        f"{base}/request-approval",
        json={"timeout_seconds": 60, "on_timeout": "escalate", "severity": "low"},
        headers=tenant.headers,
    )
    approval = asked.json()
    clock(61)
    await kanri.db.write(approvals.settle_timeouts)
    escalated = (await client.get(f"/v1/approvals/{approval['id']}", headers=tenant.headers)).json()
    assert escalated["status"] == "escalated"
    assert escalated["severity"] == "medium"
    manual = await client.post(
        f"{base}/escalate", json={"severity": "critical", "reason": "stuck"}, headers=tenant.headers
    )
    assert manual.status_code == 201
    assert manual.json()["source"] == "escalation"
    cancelled = await client.post(f"{base}/cancel", headers=tenant.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    after = (await client.get(f"/v1/approvals/{approval['id']}", headers=tenant.headers)).json()
    assert after["status"] == "expired"
    assert (await client.post(f"{base}/cancel", headers=tenant.headers)).status_code == 409
    assert (
        await client.post(f"{base}/request-approval", headers=tenant.headers)
    ).status_code == 409
    fetched = await client.get(base, headers=tenant.headers)
    assert fetched.json()["status"] == "cancelled"
    actions = [r["action"] for r in await audit_actions(client, tenant, f"{base}/audit")]
    assert "approval.escalated" in actions
    assert "external_execution.escalated" in actions
    assert actions[-1] == "external_execution.cancelled"
