"""The `content_*` agent tools: an agent drafts an entry, finds it and reads it; what the
tools refuse is fed back to the model."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.agents.factories import make_agent, run_agent
from tests.content.factories import cfield, make_type
from tests.factories import Tenant


async def _calls(client: httpx.AsyncClient, tenant: Tenant, run_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/runs/{run_id}/tool-calls", headers=tenant.headers)
    assert response.status_code == 200, response.text
    calls: list[dict[str, Any]] = response.json()["data"]
    return calls


async def test_an_agent_drafts_finds_and_reads_content(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title", required=True)])
    agent = await make_agent(
        client,
        tenant,
        tools=[{"name": n} for n in ("content_create_draft", "content_search", "content_get")],
    )
    draft = {"type": type_["slug"], "slug": "tea", "fields": {"title": "Green tea"}}
    run = await run_agent(
        client, tenant, agent["id"], f"/tool content_create_draft {json.dumps(draft)}"
    )
    assert run["status"] == "completed", run
    [created] = await _calls(client, tenant, run["id"])
    assert created["status"] == "completed", created
    entry = created["result"]
    assert (entry["status"], entry["generated_by_run_id"]) == ("draft", run["id"])
    bad = {"type": type_["slug"], "slug": "x", "fields": {"nope": 1}}
    refused = await run_agent(
        client, tenant, agent["id"], f"/tool content_create_draft {json.dumps(bad)}"
    )
    [call] = await _calls(client, tenant, refused["id"])
    assert call["status"] == "failed"
    assert call["result"]["errors"][0]["field"] == "body.fields.nope"
    search = {"type": type_["slug"], "q": "green"}
    found = await run_agent(
        client, tenant, agent["id"], f"/tool content_search {json.dumps(search)}"
    )
    [listed] = await _calls(client, tenant, found["id"])
    assert [e["id"] for e in listed["result"]["data"]] == [entry["id"]]
    read = await run_agent(
        client, tenant, agent["id"], f'/tool content_get {{"entry": "{entry["id"]}"}}'
    )
    [got] = await _calls(client, tenant, read["id"])
    assert got["result"]["fields"] == {"title": "Green tea"}
