from __future__ import annotations

from typing import Any

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant

STEPS: list[dict[str, Any]] = [
    {"id": "a", "kind": "transform", "output": "{{ inputs.n }}"},
    {"id": "b", "kind": "transform", "output": "{{ steps.a.output * 10 }}"},
    {"id": "c", "kind": "transform", "output": "{{ steps.b.output + inputs.n }}"},
]


async def test_a_fork_keeps_earlier_checkpoints_and_starts_at_the_chosen_step(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    run = await run_and_wait(client, tenant, automation["id"], {"n": 2})
    assert run["outputs"] == 22
    forked = await client.post(
        f"/v1/runs/{run['id']}/fork",
        json={"from_step": "c", "inputs": {"n": 5}},
        headers=tenant.headers,
    )
    assert forked.status_code == 202
    assert forked.headers["Location"] == f"/v1/runs/{forked.json()['id']}"
    assert forked.json()["parent_run_id"] == run["id"]
    done = await until_status(client, tenant, forked.json()["id"], {"completed", "failed"})
    # a and b were kept (b = 20 from the first run); only c ran, with the new inputs.
    assert done["outputs"] == 25
    steps = (await client.get(f"/v1/runs/{done['id']}/steps", headers=tenant.headers)).json()[
        "data"
    ]
    assert [s["step_id"] for s in steps] == ["a", "b", "c"]
    unknown = await client.post(
        f"/v1/runs/{run['id']}/fork", json={"from_step": "zz"}, headers=tenant.headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.from_step"


async def test_batch_cancel_and_retry_act_on_matching_runs_and_report_counts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    waiting = await make_automation(client, tenant, [{"id": "w", "kind": "wait", "seconds": 60}])
    failing = await make_automation(client, tenant, [{"id": "f", "kind": "fail", "message": "no"}])
    parked = [await run_and_wait(client, tenant, waiting["id"], wait=0.05) for _ in range(3)]
    for run in parked:
        await until_status(client, tenant, run["id"], {"waiting"})
    cancelled = await client.post(
        "/v1/runs:batchCancel",
        json={"filter": f'automation_id = "{waiting["id"]}"'},
        headers=tenant.headers,
    )
    assert cancelled.json() == {"matched": 3, "changed": 3}
    failed = await run_and_wait(client, tenant, failing["id"])
    assert failed["status"] == "failed"
    retried = await client.post(
        "/v1/runs:batchRetry",
        json={"filter": f'automation_id = "{failing["id"]}"', "limit": 10},
        headers=tenant.headers,
    )
    assert retried.json() == {"matched": 1, "changed": 1}
    again = await until_status(client, tenant, failed["id"], {"failed"})
    assert again["attempt"] == 2


async def test_admin_keys_list_live_workers(client: httpx.AsyncClient, tenant: Tenant) -> None:
    workers = await client.get("/v1/workers", headers=tenant.admin_headers)
    assert workers.status_code == 200
    assert workers.json()["data"]
    assert {"id", "hostname", "pid", "heartbeat_time"} <= set(workers.json()["data"][0])
    assert (await client.get("/v1/workers", headers=tenant.headers)).status_code == 403
