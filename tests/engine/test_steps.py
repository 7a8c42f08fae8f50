"""Step kinds and step policies as a run meets them: a condition's jump, retries with
backoff, the http step's address guard, a wait step that parks the run and resumes it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant


async def test_conditions_jump_to_the_chosen_step(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "check", "kind": "condition", "if": "inputs.n > 10", "then": "big", "else": "small"},
        {"id": "small", "kind": "transform", "output": "small"},
        {"id": "skip", "kind": "condition", "if": "true", "then": "end"},
        {"id": "big", "kind": "transform", "output": "big"},
    ]
    automation = await make_automation(client, tenant, steps)
    small = await run_and_wait(client, tenant, automation["id"], {"n": 1})
    big = await run_and_wait(client, tenant, automation["id"], {"n": 11})
    assert small["status"] == big["status"] == "completed"
    small_steps = (
        await client.get(f"/v1/runs/{small['id']}/steps", headers=tenant.headers)
    ).json()["data"]
    assert [s["step_id"] for s in small_steps] == ["check", "small", "skip"]
    assert big["outputs"] == "big"


async def test_steps_retry_with_backoff_until_their_attempts_are_spent(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {
            "id": "call",
            "kind": "http",
            "url": "http://127.0.0.1:9/nothing-listens-here",
            "timeout": 1,
            "retry": {"max_attempts": 3, "backoff_seconds": 0.05},
        }
    ]
    await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"allow_private_network": True},
        headers=tenant.admin_headers,
    )
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "failed"
    attempts = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()[
        "data"
    ]
    assert [s["attempt"] for s in attempts] == [1, 2, 3]
    assert all(s["status"] == "failed" for s in attempts)


async def test_an_http_step_to_a_private_address_is_refused_unless_the_project_allows_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "call", "kind": "http", "url": "http://127.0.0.1:9/x", "timeout": 1}
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "failed"
    assert "not allowed" in run["error"]["message"] or "private" in run["error"]["message"]


async def test_a_wait_step_parks_the_run_and_resumes_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "pause", "kind": "wait", "seconds": 0.3},
        {"id": "after", "kind": "transform", "output": "ok"},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], wait=0.1)
    waiting = await until_status(client, tenant, run["id"], {"waiting", "completed"})
    assert waiting["status"] in ("waiting", "completed")
    done = await until_status(client, tenant, run["id"], {"completed"})
    assert done["status"] == "completed"
    assert done["outputs"] == "ok"
