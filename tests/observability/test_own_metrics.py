"""kanri's own metrics (`kanri.` names) through metrics:query, from real runs."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kanri.core.time import rfc3339, utcnow
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant


async def test_runs_and_steps_are_kanri_metrics(client: httpx.AsyncClient, tenant: Tenant) -> None:
    start = utcnow() - timedelta(minutes=1)
    good = await make_automation(client, tenant, [{"id": "say", "kind": "log", "message": "hi"}])
    bad = await make_automation(client, tenant, [{"id": "stop", "kind": "fail", "message": "no"}])
    for automation, status in ((good, "completed"), (good, "completed"), (bad, "failed")):
        run = await run_and_wait(client, tenant, automation["id"])
        assert (await until_status(client, tenant, run["id"], {status}))["status"] == status
    window = {"from": rfc3339(start), "to": rfc3339(utcnow() + timedelta(minutes=1)), "step": "1h"}

    async def totals(name: str, **body: object) -> dict[str, float | None]:
        response = await client.post(
            "/v1/metrics:query",
            json={**window, "name": name, "group_by": ["automation_id"], **body},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        return {
            s["group"]["automation_id"]: sum(v or 0 for _, v in s["points"])
            for s in response.json()["series"]
        }

    assert await totals("kanri.runs.started") == {good["id"]: 2, bad["id"]: 1}
    assert await totals("kanri.runs.completed") == {good["id"]: 2}
    assert await totals("kanri.runs.failed") == {bad["id"]: 1}
    only_bad = await totals("kanri.runs.started", filter=f'labels.automation_id = "{bad["id"]}"')
    assert only_bad == {bad["id"]: 1}
    steps = await client.post(
        "/v1/metrics:query",
        json={
            **window,
            "name": "kanri.steps.duration_seconds",
            "aggregation": "count",
            "group_by": ["kind", "status"],
        },
        headers=tenant.headers,
    )
    counted = {
        (s["group"]["kind"], s["group"]["status"]): sum(v or 0 for _, v in s["points"])
        for s in steps.json()["series"]
    }
    assert counted == {("log", "completed"): 2, ("fail", "failed"): 1}
    p99 = await client.post(
        "/v1/metrics:query",
        json={**window, "name": "kanri.steps.duration_seconds", "aggregation": "p99"},
        headers=tenant.headers,
    )
    (series,) = p99.json()["series"]
    assert all(v is None or v >= 0 for _, v in series["points"])
    listed = (await client.get("/v1/metrics", headers=tenant.headers)).json()["data"]
    assert "kanri.runs.failed" in {m["name"] for m in listed}
    unknown = await client.post(
        "/v1/metrics:query", json={**window, "name": "kanri.nope"}, headers=tenant.headers
    )
    assert unknown.json()["series"] == []
    bad_filter = await client.post(
        "/v1/metrics:query",
        json={**window, "name": "kanri.runs.started", "filter": 'labels.zone = "x"'},
        headers=tenant.headers,
    )
    assert bad_filter.status_code == 400
