"""Runs whose templates are too costly fail their step, and the server goes on meanwhile."""

from __future__ import annotations

import asyncio
import tracemalloc
from typing import Any

import httpx

from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant

SLOW_LOOPS = (
    "{% for a in range(1000) %}{% for b in range(1000) %}"
    "{% set s = 'x' * 200000 %}"
    "{% endfor %}{% endfor %}"
)


async def _steps(client: httpx.AsyncClient, tenant: Tenant, run_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/runs/{run_id}/steps", headers=tenant.headers)
    steps: list[dict[str, Any]] = answer.json()["data"]
    return steps


async def test_nested_loops_fail_their_step_while_the_server_keeps_answering(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # Each iteration builds a 200,000-character string: the 3 s step timeout stops the render
    # long before its iterations run out, so the render is in flight for seconds.
    steps = [
        {"id": "spin", "kind": "transform", "output": {"text": SLOW_LOOPS}, "timeout_seconds": 3}
    ]
    automation = await make_automation(client, tenant, steps)
    started = await client.post(
        f"/v1/automations/{automation['id']}/runs", json={"inputs": {}}, headers=tenant.headers
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    running = await until_status(client, tenant, run_id, {"running", "failed", "completed"})
    assert running["status"] == "running", running

    # The server answers while the render spends its million iterations: each answer comes
    # back with the run still in flight. Were the render on the event loop, the answers would
    # wait for it and the run would be failed by then.
    for _ in range(5):
        await asyncio.sleep(0.01)
        assert (await client.get("/health")).status_code == 200
        run = (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).json()
        assert run["status"] == "running", run

    run = await until_status(client, tenant, run_id, {"failed", "completed"})
    assert run["status"] == "failed"
    assert run["error"]["step_id"] == "spin"
    assert run["error"]["message"] == (
        "spin.output.text: stopped after 3 s of rendering (the step's timeout_seconds)"
    )
    assert [(s["step_id"], s["status"]) for s in await _steps(client, tenant, run_id)] == [
        ("spin", "failed")
    ]


async def test_padding_text_to_hundreds_of_megabytes_fails_the_step_without_allocating_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps = [{"id": "pad", "kind": "transform", "output": "{{ 'a'.ljust(400000000) | length }}"}]
    automation = await make_automation(client, tenant, steps)
    tracemalloc.start()
    try:
        run = await run_and_wait(client, tenant, automation["id"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert run["status"] == "failed", run
    assert run["error"]["message"] == (
        "pad.output: not allowed: 'ljust' making more than 1,000,000 characters"
    )
    assert peak < 50_000_000


async def test_a_steps_timeout_bounds_the_rendering_of_its_templates(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # About 900,000 iterations, each with a method call: seconds of work. Without the step's
    # timeout the render would stop at a default limit (5 s or a million iterations), whose
    # message is another.
    slow = (
        "{% for a in range(900) %}{% for b in range(1000) %}"
        "{% set x = ('%05d' % b).zfill(8) %}"
        "{% endfor %}{% endfor %}"
    )
    steps = [{"id": "slow", "kind": "transform", "output": slow, "timeout_seconds": 1}]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], wait=20)
    assert run["status"] == "failed", run
    assert run["error"]["message"] == (
        "slow.output: stopped after 1 s of rendering (the step's timeout_seconds)"
    )


async def test_templates_of_the_template_itself_or_of_all_steps_give_plain_values(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "first", "kind": "transform", "output": {"n": 1}},
        {"id": "all", "kind": "transform", "output": "{{ steps }}"},
        {"id": "again", "kind": "transform", "output": {"seen": "{{ steps }}"}},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "completed", run
    assert run["outputs"] == {
        "seen": {"first": {"output": {"n": 1}}, "all": {"output": {"first": {"output": {"n": 1}}}}}
    }

    itself: list[dict[str, Any]] = [
        {"id": "me", "kind": "transform", "output": {"x": "{{ self }}"}}
    ]
    broken = await make_automation(client, tenant, itself)
    failed = await run_and_wait(client, tenant, broken["id"])
    assert failed["status"] == "failed", failed
    assert failed["error"]["step_id"] == "me"
    assert failed["error"]["message"] == (
        "me.output.x: the template's value is not JSON: a TemplateReference"
    )
    again = await until_status(client, tenant, failed["id"], {"failed"})
    assert again["error"] == failed["error"]
