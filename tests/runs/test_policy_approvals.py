"""Approvals under policy: timeouts that escalate (controllable clock), the list filtered
and sorted by deadline, concurrent decisions."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.models import OutboxEventRow
from kanri.engine import approvals
from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key
from tests.governance.factories import audit_actions, make_policy

STEPS: list[dict[str, Any]] = [{"id": "go", "kind": "transform", "output": "went"}]


async def _waiting_approval(
    client: httpx.AsyncClient, tenant: Tenant, rule: dict[str, Any], inputs: Any = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    automation = await make_automation(client, tenant, STEPS)
    await make_policy(
        client,
        tenant,
        [{"effect": "require_approval", **rule}],
        attachments={"automations": [automation["name"]]},
    )
    run = await run_and_wait(client, tenant, automation["id"], inputs, wait=0.5)
    run = await until_status(client, tenant, run["id"], {"waiting"})
    assert run["status"] == "waiting", run
    listed = await client.get(
        "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
    )
    return run, listed.json()["data"][0]


async def test_a_timed_out_approval_escalates_once_then_expires(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri, clock: Any
) -> None:
    first = await make_key(client, tenant.admin_key, tenant.project_id)
    boss = await make_key(client, tenant.admin_key, tenant.project_id)
    run, approval = await _waiting_approval(
        client,
        tenant,
        {
            "approvers": [first["id"]],
            "timeout_seconds": 3600,
            "on_timeout": "escalate",
            "escalate_to": [boss["id"]],
            "severity": "medium",
        },
    )
    url = f"/v1/approvals/{approval['id']}"
    deadline = datetime.fromisoformat(approval["deadline"])
    assert await kanri.db.write(approvals.settle_timeouts) >= 0  # nothing of ours is due yet
    assert (await client.get(url, headers=tenant.headers)).json()["status"] == "pending"

    clock(3601)
    await kanri.db.write(approvals.settle_timeouts)
    escalated = (await client.get(url, headers=tenant.headers)).json()
    assert escalated["status"] == "escalated"
    assert escalated["severity"] == "high"
    assert escalated["escalations"] == 1
    assert escalated["approvers"] == [first["id"], boss["id"]]
    assert datetime.fromisoformat(escalated["deadline"]) > deadline
    assert [h["type"] for h in escalated["history"]] == ["requested", "escalated"]
    assert (await client.get(f"/v1/runs/{run['id']}", headers=tenant.headers)).json()[
        "status"
    ] == "waiting"

    def escalation_events(tx: Session) -> list[dict[str, Any]]:
        stmt = select(OutboxEventRow.data).where(
            OutboxEventRow.resource_id == approval["id"],
            OutboxEventRow.type == "approval.escalated",
        )
        return list(tx.execute(stmt).scalars())

    events = await kanri.db.read(escalation_events)
    assert len(events) == 1
    assert events[0]["notify"] == [boss["id"]]
    assert events[0]["severity"] == "high"

    clock(3601)
    await kanri.db.write(approvals.settle_timeouts)
    expired = (await client.get(url, headers=tenant.headers)).json()
    assert expired["status"] == "expired"
    assert [h["type"] for h in expired["history"]] == ["requested", "escalated", "decision"]
    kanri.wake_engine()
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "failed"
    assert done["stop_reason"] == "rejected"
    actions = [
        r["action"] for r in await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    ]
    assert actions.count("approval.escalated") == 1
    assert "approval.decided" in actions


async def test_an_escalated_approval_can_still_be_approved_by_the_new_approvers(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri, clock: Any
) -> None:
    first = await make_key(client, tenant.admin_key, tenant.project_id)
    boss = await make_key(client, tenant.admin_key, tenant.project_id)
    run, approval = await _waiting_approval(
        client,
        tenant,
        {
            "approvers": [first["id"]],
            "timeout_seconds": 60,
            "on_timeout": "escalate",
            "escalate_to": [boss["id"]],
        },
    )
    url = f"/v1/approvals/{approval['id']}"
    early = await client.post(f"{url}/approve", headers=bearer(boss["key"]))
    assert early.status_code == 403  # not an approver until the escalation
    clock(61)
    await kanri.db.write(approvals.settle_timeouts)
    approved = await client.post(f"{url}/approve", headers=bearer(boss["key"]))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed"


async def test_approvals_filter_on_status_and_severity_and_sort_by_deadline(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    made = []
    for timeout, severity in (
        (900, "critical"),
        (300, "critical"),
        (None, "critical"),
        (60, "low"),
    ):
        rule: dict[str, Any] = {"severity": severity}
        if timeout:
            rule["timeout_seconds"] = timeout
        made.append((await _waiting_approval(client, tenant, rule))[1])
    listed = await client.get(
        "/v1/approvals",
        params={
            "filter": 'status = "pending" AND severity = "critical"',
            "order_by": "deadline",
            "page_size": 2,
        },
        headers=tenant.headers,
    )
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [a["id"] for a in page["data"]] == [made[1]["id"], made[0]["id"]]
    rest = await client.get(
        "/v1/approvals",
        params={
            "filter": 'status = "pending" AND severity = "critical"',
            "order_by": "deadline",
            "page_size": 2,
            "page_token": page["next_page_token"],
        },
        headers=tenant.headers,
    )
    assert [a["id"] for a in rest.json()["data"]] == [made[2]["id"]]  # no deadline: last
    bad = await client.get(
        "/v1/approvals",
        params={"filter": 'severity = "dire" AND colour = 1'},
        headers=tenant.headers,
    )
    assert bad.status_code == 400


async def test_concurrent_approvals_reach_the_quorum_exactly_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    keys = [await make_key(client, tenant.admin_key, tenant.project_id) for _ in range(3)]
    run, approval = await _waiting_approval(
        client, tenant, {"approvers": [k["id"] for k in keys], "required_approvals": 2}
    )
    url = f"/v1/approvals/{approval['id']}"
    answers = await asyncio.gather(
        *(client.post(f"{url}/approve", headers=bearer(k["key"])) for k in keys)
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 409]  # the third finds it settled
    final = (await client.get(url, headers=tenant.headers)).json()
    assert final["status"] == "approved"
    assert len(final["decisions"]) == 2
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed"
    audit = await audit_actions(client, tenant, f"/v1/runs/{run['id']}/audit")
    assert [r["action"] for r in audit].count("approval.decided") == 2


async def test_retrying_a_run_whose_approval_was_rejected_asks_again(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, [{"id": "gate", "kind": "approval"}, *STEPS])
    run = await run_and_wait(client, tenant, automation["id"], wait=0.5)
    await until_status(client, tenant, run["id"], {"waiting"})
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    first = (
        await client.get(
            "/v1/approvals", params={"filter": f'run_id = "{run["id"]}"'}, headers=tenant.headers
        )
    ).json()["data"][0]
    await client.post(f"/v1/approvals/{first['id']}/reject", headers=bearer(approver["key"]))
    failed = await until_status(client, tenant, run["id"], {"failed"})
    assert failed["stop_reason"] == "rejected"
    await client.post(f"/v1/runs/{run['id']}/retry", headers=tenant.headers)
    waiting = await until_status(client, tenant, run["id"], {"waiting", "failed"})
    assert waiting["status"] == "waiting", waiting
    second = await client.get(
        "/v1/approvals",
        params={"filter": f'run_id = "{run["id"]}" AND status = "pending"'},
        headers=tenant.headers,
    )
    assert [a["id"] for a in second.json()["data"]] != [first["id"]]
    assert len(second.json()["data"]) == 1
