from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from kanri.core.models import OutboxEventRow
from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key

THREE_STEPS: list[dict[str, Any]] = [
    {"id": "double", "kind": "transform", "output": "{{ inputs.n * 2 }}"},
    {
        "id": "shape",
        "kind": "transform",
        "output": {"value": "{{ steps.double.output }}", "label": "n={{ inputs.n }}"},
    },
    {"id": "note", "kind": "log", "message": "done with {{ steps.shape.output.value }}"},
]


async def test_a_published_automation_runs_to_completion_with_native_template_values(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    automation = await make_automation(
        client, tenant, THREE_STEPS, outputs={"result": "{{ steps.shape.output.value }}"}
    )
    run = await run_and_wait(client, tenant, automation["id"], {"n": 21})
    assert run["status"] == "completed", run
    assert run["stop_reason"] == "completed"
    assert run["outputs"] == {"result": 42}
    assert run["version"] == 1
    assert run["start_time"]
    assert run["end_time"]

    steps = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()["data"]
    assert [(s["step_id"], s["status"]) for s in steps] == [
        ("double", "completed"),
        ("shape", "completed"),
        ("note", "completed"),
    ]
    assert steps[1]["output"] == {"value": 42, "label": "n=21"}
    logs = (await client.get(f"/v1/runs/{run['id']}/logs", headers=tenant.headers)).json()["data"]
    assert [log["message"] for log in logs] == ["done with 42"]

    def run_events(tx):  # type: ignore[no-untyped-def]
        stmt = (
            select(OutboxEventRow.type)
            .where(OutboxEventRow.resource_id == run["id"])
            .order_by(OutboxEventRow.id)
        )
        return list(tx.execute(stmt).scalars())

    assert await kanri.db.read(run_events) == [
        "run.created",
        "run.started",
        "run.step_completed",
        "run.step_completed",
        "run.step_completed",
        "run.completed",
    ]


async def test_starting_a_run_answers_202_with_location_and_pending(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, THREE_STEPS)
    response = await client.post(
        f"/v1/automations/{automation['name']}/runs",
        json={"inputs": {"n": 1}},
        headers=tenant.headers,
    )
    assert response.status_code == 202
    run = response.json()
    assert response.headers["Location"] == f"/v1/runs/{run['id']}"
    assert run["status"] in ("pending", "running", "completed")
    done = await until_status(client, tenant, run["id"], {"completed"})
    assert done["outputs"] == {"message": "done with 2", "level": "info"}


async def test_inputs_are_checked_against_the_schema(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    automation = await make_automation(client, tenant, THREE_STEPS, inputs=schema)
    response = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        json={"inputs": {"n": "x"}},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.inputs.n"
    missing = await client.post(
        f"/v1/automations/{automation['id']}/runs", json={"inputs": {}}, headers=tenant.headers
    )
    assert missing.status_code == 422
    assert "'n' is a required property" in missing.json()["errors"][0]["message"]


async def test_an_unpublished_automation_runs_only_as_draft(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, THREE_STEPS, publish=False)
    refused = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        json={"inputs": {"n": 1}},
        headers=tenant.headers,
    )
    assert refused.status_code == 409
    assert "no published version" in refused.json()["detail"]
    draft = await run_and_wait(client, tenant, automation["id"], {"n": 2}, version="draft")
    assert draft["status"] == "completed"
    assert draft["version"] is None


async def test_a_failing_step_fails_the_run_and_shows_in_exceptions(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "first", "kind": "transform", "output": 1},
        {"id": "boom", "kind": "fail", "message": "no stock for {{ inputs.sku }}"},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], {"sku": "A-1"})
    assert run["status"] == "failed"
    assert run["stop_reason"] == "error"
    assert run["error"]["message"] == "no stock for A-1"
    assert run["error"]["step_id"] == "boom"
    exceptions = (await client.get("/v1/exceptions", headers=tenant.headers)).json()["data"]
    assert [e["run"]["id"] for e in exceptions] == [run["id"]]
    assert exceptions[0]["reason"] == "no stock for A-1"

    retried = await client.post(f"/v1/runs/{run['id']}/retry", headers=tenant.headers)
    assert retried.status_code == 200
    again = await until_status(client, tenant, run["id"], {"failed"})
    steps_done = (await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)).json()[
        "data"
    ]
    # The completed first step was kept, not executed again.
    assert [s["step_id"] for s in steps_done].count("first") == 1
    assert again["attempt"] == 2


async def test_cancelling_a_waiting_run_ends_it(client: httpx.AsyncClient, tenant: Tenant) -> None:
    steps: list[dict[str, Any]] = [
        {"id": "pause", "kind": "wait", "seconds": 60},
        {"id": "after", "kind": "transform", "output": 1},
    ]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], wait=0.1)
    await until_status(client, tenant, run["id"], {"waiting"})
    cancelled = await client.post(f"/v1/runs/{run['id']}/cancel", headers=tenant.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["stop_reason"] == "cancelled"
    again = await client.post(f"/v1/runs/{run['id']}/cancel", headers=tenant.headers)
    assert again.status_code == 409


async def test_runs_are_listed_and_filtered(client: httpx.AsyncClient, tenant: Tenant) -> None:
    automation = await make_automation(client, tenant, THREE_STEPS)
    done = await run_and_wait(client, tenant, automation["id"], {"n": 1}, labels={"team": "ops"})
    listed = await client.get(
        "/v1/runs",
        params={"filter": 'status = "completed" AND labels.team = "ops"'},
        headers=tenant.headers,
    )
    assert [r["id"] for r in listed.json()["data"]] == [done["id"]]


async def test_runs_of_another_environment_are_not_visible(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, THREE_STEPS)
    run = await run_and_wait(client, tenant, automation["id"], {"n": 1})
    dev = {**tenant.headers, "Kanri-Environment": "development"}
    assert (await client.get(f"/v1/runs/{run['id']}", headers=dev)).status_code == 404
    assert (await client.get("/v1/runs", headers=dev)).json()["data"] == []


async def test_a_key_without_runs_write_cannot_start_runs(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, THREE_STEPS)
    reader = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["runs:read"])
    response = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        json={"inputs": {"n": 1}},
        headers=bearer(reader["key"]),
    )
    assert response.status_code == 403
