"""Finished runs become traces in the span store: the run, then its steps."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kanri.core.time import utcnow
from kanri.observability import run_traces
from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant


async def test_a_finished_run_is_a_trace_of_its_steps(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    since = utcnow() - timedelta(seconds=5)
    steps = [
        {"id": "say", "kind": "log", "message": "hi"},
        {"id": "stop", "kind": "fail", "message": "no"},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert (await until_status(client, tenant, run["id"], {"failed"}))["status"] == "failed"

    tracer = run_traces.RunTracer(kanri, lambda: True)
    tracer.since = since
    assert await tracer.tick() >= 3
    assert await tracer.tick() == 0  # traced once

    listed = await client.get(
        "/v1/traces",
        params={"filter": f'service = "kanri" AND attributes.run_id = "{run["id"]}"'},
        headers=tenant.headers,
    )
    assert listed.status_code == 200, listed.text
    (root,) = listed.json()["data"]
    assert root["trace_id"] == run_traces.trace_id_of(run["id"])
    assert (root["status"], root["attributes"]["automation_id"]) == (
        "error",
        automation["id"],
    )
    tree = (await client.get(f"/v1/traces/{root['trace_id']}", headers=tenant.headers)).json()
    (top,) = tree["roots"]
    assert [(s["name"], s["status"], s["attributes"]["kind"]) for s in top["children"]] == [
        ("step say", "ok", "log"),
        ("step stop", "error", "fail"),
    ]
    assert all(s["duration_ms"] >= 0 for s in top["children"])
