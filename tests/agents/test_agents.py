from __future__ import annotations

import httpx

from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider, run_agent
from tests.factories import Tenant, make_tenant


async def test_a_new_agent_is_published_as_version_one_and_edits_stay_drafts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant, instructions="Be brief.")
    assert agent["published_version"] == 1
    assert agent["status"] == "active"
    assert agent["draft_changed"] is False
    assert agent["runtime"]["provider"].startswith("prv_")

    edited = await client.patch(
        f"/v1/agents/{agent['id']}", json={"instructions": "Be long."}, headers=tenant.headers
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["draft_changed"] is True
    assert edited.json()["published_version"] == 1

    published = await client.post(f"/v1/agents/{agent['id']}/publish", headers=tenant.headers)
    assert published.status_code == 201
    assert published.json()["version"] == 2
    assert published.headers["Location"] == f"/v1/agents/{agent['id']}/versions/2"

    versions = await client.get(f"/v1/agents/{agent['id']}/versions", headers=tenant.headers)
    assert [v["version"] for v in versions.json()["data"]] == [2, 1]
    assert versions.json()["data"][1]["spec"]["instructions"] == "Be brief."

    rolled = await client.post(
        f"/v1/agents/{agent['id']}/rollback", json={"version": 1}, headers=tenant.headers
    )
    assert rolled.json()["published_version"] == 1


async def test_agent_definitions_are_validated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    provider = await make_provider(client, tenant)
    response = await client.post(
        "/v1/agents",
        json={
            "name": "bad",
            "runtime": {"provider": "nope"},
            "tools": [{"name": "teleport"}],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.tools.0.name", "body.runtime.provider"}
    no_model = await client.post(
        "/v1/agents",
        json={"name": "nomodel", "runtime": {"provider": provider["name"]}},
        headers=tenant.headers,
    )
    assert no_model.status_code == 422
    assert no_model.json()["errors"][0]["field"] == "body.runtime.model"
    duplicate_tools = await client.post(
        "/v1/agents",
        json={
            "name": "dupes",
            "runtime": {"provider": provider["name"], "model": "m"},
            "tools": [{"name": "emit_event"}, {"name": "emit_event"}],
        },
        headers=tenant.headers,
    )
    assert duplicate_tools.status_code == 422


async def test_an_offline_agent_answers_and_the_run_is_a_run_like_any_other(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant, instructions="Echo.")
    run = await run_agent(client, tenant, agent["id"], "ping")
    assert run["status"] == "completed", run
    assert run["agent_id"] == agent["id"]
    assert run["outputs"]["content"] == "You said: ping"
    assert run["usage"] == {
        "input_tokens": 10,
        "output_tokens": 5,
        "cached_input_tokens": 0,
        "reasoning_tokens": 0,
        "total_tokens": 15,
    }
    assert run["cost_usd"] == "0.00000000"
    listed = await client.get("/v1/runs", headers=tenant.headers)
    assert run["id"] in [r["id"] for r in listed.json()["data"]]


async def test_a_suspended_agent_refuses_runs_and_its_queued_runs_wait(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    suspended = await client.post(f"/v1/agents/{agent['id']}/suspend", headers=tenant.headers)
    assert suspended.json()["status"] == "suspended"
    refused = await client.post(
        f"/v1/agents/{agent['id']}/runs", json={"message": "hi"}, headers=tenant.headers
    )
    assert refused.status_code == 409
    await client.post(f"/v1/agents/{agent['id']}/resume", headers=tenant.headers)
    run = await run_agent(client, tenant, agent["id"], "later", wait=0)
    await client.post(f"/v1/agents/{agent['id']}/suspend", headers=tenant.headers)
    from tests.engine.factories import until_status

    waiting = await until_status(client, tenant, run["id"], {"waiting", "completed"})
    if waiting["status"] == "waiting":  # parked while suspended; resuming wakes it
        await client.post(f"/v1/agents/{agent['id']}/resume", headers=tenant.headers)
        done = await until_status(client, tenant, run["id"], {"completed"})
        assert done["status"] == "completed"
    status = await client.get("/v1/agents/runtime-status", headers=tenant.headers)
    mine = next(s for s in status.json()["data"] if s["id"] == agent["id"])
    assert mine["name"] == agent["name"]
    assert mine["last_run_id"] == run["id"]


async def test_map_runtime_switches_the_model_in_a_new_version(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    other = await make_provider(client, tenant, default_model="other-model")
    mapped = await client.post(
        f"/v1/agents/{agent['id']}/map-runtime",
        json={"provider": other["name"]},
        headers=tenant.headers,
    )
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["published_version"] == 2
    assert mapped.json()["runtime"]["provider"] == other["id"]
    run = await run_agent(client, tenant, agent["id"], "x")
    calls = await client.get(
        "/v1/costs",
        params={"group_by": "model", "filter": f'run_id = "{run["id"]}"'},
        headers=tenant.headers,
    )
    assert calls.json()["data"][0]["group"] == {"provider": other["name"], "model": "other-model"}
    in_use = await client.delete(f"/v1/providers/{other['id']}", headers=tenant.headers)
    assert in_use.status_code == 409


async def test_threads_keep_the_conversation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    agent = await make_agent(client, tenant)
    thread = await client.post("/v1/threads", json={"agent": agent["name"]}, headers=tenant.headers)
    assert thread.status_code == 201, thread.text
    thread_id = thread.json()["id"]
    await run_agent(client, tenant, agent["id"], "first", thread_id=thread_id)
    await run_agent(client, tenant, agent["id"], "second", thread_id=thread_id)
    messages = await client.get(f"/v1/threads/{thread_id}/messages", headers=tenant.headers)
    assert [(m["role"], m["message"]["content"]) for m in messages.json()["data"]] == [
        ("user", "first"),
        ("assistant", "You said: first"),
        ("user", "second"),
        ("assistant", "You said: second"),
    ]
    unknown = await client.post(
        f"/v1/agents/{agent['id']}/runs",
        json={"message": "x", "thread_id": "thr_01HZZZZZZZZZZZZZZZZZZZZZZZ"},
        headers=tenant.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.thread_id"


async def test_another_tenant_cannot_run_or_see_an_agent(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri
) -> None:
    agent = await make_agent(client, tenant)
    other = await make_tenant(client, kanri)
    seen = await client.get(f"/v1/agents/{agent['id']}", headers=other.headers)
    assert seen.status_code == 404
    started = await client.post(
        f"/v1/agents/{agent['id']}/runs", json={"message": "x"}, headers=other.headers
    )
    assert started.status_code == 404


async def test_version_numbers_beyond_the_column_are_422_on_the_field_and_change_nothing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    url = f"/v1/agents/{agent['id']}"
    rollback = await client.post(
        f"{url}/rollback", json={"version": 9223372036854775808}, headers=tenant.headers
    )
    assert rollback.status_code == 422, rollback.text
    assert rollback.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in rollback.json()["errors"]] == ["body.version"]
    run = await client.post(
        f"{url}/runs",
        json={"message": "hi", "version": 99999999999999999999},
        headers=tenant.headers,
    )
    assert run.status_code == 422, run.text
    assert [e["field"] for e in run.json()["errors"]] == ["body.version"]
    runs = await client.get("/v1/runs", headers=tenant.headers)  # a new tenant: none before
    assert runs.json()["data"] == []
    assert (await client.get(url, headers=tenant.headers)).json()["published_version"] == 1
