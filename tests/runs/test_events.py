from __future__ import annotations

import json
from typing import Any

import httpx

from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant

STEPS: list[dict[str, Any]] = [
    {"id": "a", "kind": "transform", "output": 1},
    {"id": "b", "kind": "transform", "output": "{{ steps.a.output + 1 }}"},
]


def _frames(text: str) -> list[dict[str, Any]]:
    frames = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            frames.append(
                {"id": fields["id"], "event": fields["event"], **json.loads(fields["data"])}
            )
    return frames


async def test_the_event_stream_replays_a_runs_history_and_ends_with_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, STEPS)
    run = await run_and_wait(client, tenant, automation["id"])
    response = await client.get(f"/v1/runs/{run['id']}/events", headers=tenant.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.text.startswith("retry: 2000\n\nid: evt_")
    frames = _frames(response.text)
    assert [f["event"] for f in frames] == [
        "run.created",
        "run.started",
        "run.step_completed",
        "run.step_completed",
        "run.completed",
    ]
    assert [f["data"].get("step_id") for f in frames[2:4]] == ["a", "b"]

    resumed = await client.get(
        f"/v1/runs/{run['id']}/events",
        headers={**tenant.headers, "Last-Event-ID": frames[1]["id"]},
    )
    assert [f["event"] for f in _frames(resumed.text)] == [f["event"] for f in frames[2:]]


async def test_another_tenants_run_has_no_stream(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Any
) -> None:
    from tests.factories import make_tenant

    other = await make_tenant(client, kanri)
    automation = await make_automation(client, other, STEPS)
    run = await run_and_wait(client, other, automation["id"])
    response = await client.get(f"/v1/runs/{run['id']}/events", headers=tenant.headers)
    assert response.status_code == 404
