from __future__ import annotations

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant


async def test_an_automation_step_runs_a_child_and_takes_its_outputs(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    child = await make_automation(
        client, tenant, [{"id": "sq", "kind": "transform", "output": "{{ inputs.x * inputs.x }}"}]
    )
    parent = await make_automation(
        client,
        tenant,
        [
            {
                "id": "call",
                "kind": "automation",
                "automation": child["name"],
                "inputs": {"x": "{{ inputs.n }}"},
            },
            {"id": "plus", "kind": "transform", "output": "{{ steps.call.output + 1 }}"},
        ],
    )
    run = await run_and_wait(client, tenant, parent["id"], {"n": 7}, wait=0.1)
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "completed", done
    assert done["outputs"] == 50
    children = (
        await client.get(
            "/v1/runs", params={"filter": f'parent_run_id = "{run["id"]}"'}, headers=tenant.headers
        )
    ).json()["data"]
    assert len(children) == 1
    assert children[0]["outputs"] == 49


async def test_a_failing_child_fails_its_parent(client: httpx.AsyncClient, tenant: Tenant) -> None:
    child = await make_automation(client, tenant, [{"id": "f", "kind": "fail", "message": "nope"}])
    parent = await make_automation(
        client, tenant, [{"id": "call", "kind": "automation", "automation": child["id"]}]
    )
    run = await run_and_wait(client, tenant, parent["id"], wait=0.1)
    done = await until_status(client, tenant, run["id"], {"completed", "failed"})
    assert done["status"] == "failed"
    assert "ended failed" in done["error"]["message"]


async def test_an_unknown_child_automation_fails_the_step(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    parent = await make_automation(
        client, tenant, [{"id": "call", "kind": "automation", "automation": "does-not-exist"}]
    )
    run = await run_and_wait(client, tenant, parent["id"])
    assert run["status"] == "failed"
    assert "not found" in run["error"]["message"]
