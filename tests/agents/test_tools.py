"""The built-in tools `search_knowledge` and `records_*` driven by a model over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider, run_agent
from tests.factories import Tenant, make_tenant
from tests.fakes.body_server import SMALL, body_server
from tests.fakes.openai_server import FakeOpenAI
from tests.knowledge.factories import make_namespace, put_entry
from tests.records.factories import field, make_object


async def _tool_calls(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/runs/{run_id}/tool-calls", headers=tenant.headers)
    assert response.status_code == 200, response.text
    calls: list[dict[str, Any]] = response.json()["data"]
    return calls


def _fed_back(fake: FakeOpenAI, request: int) -> list[Any]:
    """The tool results the model was given in request number `request`."""
    messages = fake.requests[request]["messages"]
    return [json.loads(m["content"]) for m in messages if m["role"] == "tool"]


async def test_search_knowledge_returns_cited_chunks_the_run_records(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    other = await make_namespace(client, tenant)
    await put_entry(
        client, tenant, ns["name"], "refunds", "Refunds take five days.", title="Refund policy"
    )
    await put_entry(
        client, tenant, ns["name"], "shipping", "Parcels ship on Mondays.", title="Shipping"
    )
    agent = await make_agent(
        client,
        tenant,
        tools=[{"name": "search_knowledge"}],
        knowledge_namespaces=[ns["name"]],
    )
    ask = '/tool search_knowledge {"query": "how long do refunds take", "top_k": 1}'
    run = await run_agent(client, tenant, agent["id"], ask)
    assert run["status"] == "completed", run
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["name"] == "search_knowledge"
    assert call["status"] == "completed"
    [found] = call["result"]["results"]
    assert found["entry_id"] == "refunds"
    assert found["title"] == "Refund policy"
    assert found["text"] == "Refunds take five days."
    assert found["namespace"] == ns["name"]
    assert isinstance(found["score"], float)
    assert found["score"] > 0
    assert "Refunds take five days." in run["outputs"]["content"]

    outside = await run_agent(
        client,
        tenant,
        agent["id"],
        f'/tool search_knowledge {{"query": "x", "namespaces": ["{other["name"]}"]}}',
    )
    [refused] = await _tool_calls(client, tenant, outside["id"])
    assert refused["status"] == "failed"
    assert other["name"] in refused["result"]["error"]
    bad = await run_agent(
        client, tenant, agent["id"], '/tool search_knowledge {"query": "x", "top_k": 0}'
    )
    assert bad["status"] == "completed"  # the model is told, the run goes on
    [invalid] = await _tool_calls(client, tenant, bad["id"])
    assert invalid["result"]["error"] == "invalid arguments"
    assert invalid["result"]["errors"][0]["argument"] == "top_k"


async def test_search_knowledge_needs_knowledge_namespaces(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant)
    response = await client.post(
        "/v1/agents",
        json={
            "name": "no-kb",
            "runtime": {"provider": provider["name"], "model": "offline"},
            "tools": [{"name": "search_knowledge"}],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.knowledge_namespaces"


async def test_records_tools_create_read_update_and_query_with_errors_fed_back(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    obj = await make_object(
        client, tenant, [field("email", "email", unique=True), field("name", "text")]
    )
    slug = obj["slug"]
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, options={"max_retries": 0}
    )
    agent = await make_agent(
        client,
        tenant,
        provider,
        model="fake-model",
        tools=[
            {"name": name}
            for name in ("records_create", "records_get", "records_update", "records_search")
        ],
    )
    create = "records_create"
    fake_openai.reply(
        tool_calls=[
            {"name": create, "arguments": {"object": slug, "field_values": {"email": "nope"}}},
            {"name": create, "arguments": {"object": "no-such-object", "field_values": {}}},
            {"name": create, "arguments": {"object": slug}},
        ]
    )
    fake_openai.reply(
        tool_calls=[
            {
                "name": create,
                "arguments": {"object": slug, "field_values": {"email": "ada@x.io", "name": "A"}},
            }
        ]
    )
    fake_openai.reply("Ada is added.")
    first = await run_agent(client, tenant, agent["id"], "add Ada")
    assert first["status"] == "completed", first
    invalid, unknown, missing, created = await _tool_calls(client, tenant, first["id"])
    assert invalid["status"] == "failed"
    assert invalid["result"]["status"] == 422
    assert invalid["result"]["errors"][0]["field"] == "body.field_values.email"
    assert unknown["result"]["status"] == 404
    assert missing["result"]["errors"] == [
        {"argument": "field_values", "message": "Field required"}
    ]
    assert created["status"] == "completed"
    record = created["result"]
    assert record["field_values"]["email"] == "ada@x.io"
    assert record["id"].startswith("rec_")
    # The model saw every refusal as the tool's result, and the run went on.
    fed = _fed_back(fake_openai, 1)
    assert [r.get("status") for r in fed] == [422, 404, None]
    assert fed[2]["error"] == "invalid arguments"

    rec = {"object": slug, "record": record["id"]}
    fake_openai.reply(
        tool_calls=[
            {"name": "records_update", "arguments": {**rec, "field_values": {"name": "Ada L."}}},
            {"name": "records_get", "arguments": rec},
            {"name": "records_search", "arguments": {"object": slug, "filter": 'name = "Ada L."'}},
            {"name": "records_search", "arguments": {"object": slug, "filter": "colour = 1"}},
        ]
    )
    fake_openai.reply("Done.")
    second = await run_agent(client, tenant, agent["id"], "rename Ada")
    assert second["status"] == "completed", second
    updated, read, found, bad_filter = await _tool_calls(client, tenant, second["id"])
    assert updated["result"]["field_values"] == {"email": "ada@x.io", "name": "Ada L."}
    assert read["result"]["id"] == record["id"]
    assert read["result"]["field_values"]["name"] == "Ada L."
    assert [r["id"] for r in found["result"]["data"]] == [record["id"]]
    assert bad_filter["status"] == "failed"
    assert bad_filter["result"]["status"] == 400
    stored = await client.get(f"/v1/objects/{slug}/records/{record['id']}", headers=tenant.headers)
    assert stored.json()["field_values"]["name"] == "Ada L."


async def test_records_tools_keep_to_the_objects_the_agent_may_use(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    allowed = await make_object(client, tenant, [field("name", "text")])
    other = await make_object(client, tenant, [field("name", "text")])
    agent = await make_agent(
        client,
        tenant,
        tools=[{"name": "records_create", "config": {"objects": [allowed["slug"]]}}],
    )
    ask = f'/tool records_create {{"object": "{other["slug"]}", "field_values": {{"name": "x"}}}}'
    run = await run_agent(client, tenant, agent["id"], ask)
    [call] = await _tool_calls(client, tenant, run["id"])
    assert call["status"] == "failed"
    assert call["result"]["error"] == f"this agent may not use object '{other['slug']}'"
    listed = await client.get(f"/v1/objects/{other['slug']}/records", headers=tenant.headers)
    assert listed.json()["data"] == []


async def test_http_request_stops_reading_at_the_response_cap(
    client: httpx.AsyncClient, kanri: Kanri, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kanri.settings, "http_max_response_bytes", 65_536)
    tenant = await make_tenant(client, kanri, allow_private_network=True)
    agent = await make_agent(client, tenant, tools=[{"name": "http_request"}])
    async with body_server() as server:
        big = f"{server.url}/stream/{64 << 20}"
        too_big = await run_agent(
            client, tenant, agent["id"], f'/tool http_request {{"url": "{big}"}}'
        )
        small = f'/tool http_request {{"url": "{server.url}/json"}}'
        fine = await run_agent(client, tenant, agent["id"], small)
    assert too_big["status"] == "completed", too_big
    [refused] = await _tool_calls(client, tenant, too_big["id"])
    assert refused["status"] == "failed"
    assert refused["result"] == {
        "error": f"the response from {big} is larger than 65536 bytes, the limit "
        "(KANRI_HTTP_MAX_RESPONSE_BYTES)"
    }
    assert server.sent < 16 << 20
    [answered] = await _tool_calls(client, tenant, fine["id"])
    assert answered["status"] == "completed"
    assert answered["result"] == {"status": 200, "body": SMALL}
