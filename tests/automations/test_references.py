"""A definition never points outside its project: ids of another project's resources are
refused when the definition is saved (422 naming the field), not when it runs."""

from __future__ import annotations

import httpx

from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider
from tests.engine.factories import make_automation
from tests.factories import Tenant, make_tenant, unique
from tests.knowledge.factories import make_namespace


async def test_a_step_naming_another_projects_automation_by_id_is_refused_at_save(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    theirs = await make_automation(client, other, [{"id": "a", "kind": "transform", "output": 1}])
    mine = await make_automation(client, tenant, [{"id": "a", "kind": "transform", "output": 1}])
    steps = [
        {"id": "ok", "kind": "automation", "automation": mine["id"]},
        {"id": "call", "kind": "automation", "automation": theirs["id"]},
    ]
    name = unique("auto")
    created = await client.post(
        "/v1/automations",
        json={"name": name, "definition": {"steps": steps}},
        headers=tenant.headers,
    )
    assert created.status_code == 422, created.text
    assert created.json()["errors"] == [
        {
            "field": "body.definition.steps.1.automation",
            "message": f"no automation '{theirs['id']}' in this project",
        }
    ]
    listed = await client.get(
        "/v1/automations", params={"filter": f'name = "{name}"'}, headers=tenant.headers
    )
    assert listed.json()["data"] == []

    updated = await client.patch(
        f"/v1/automations/{mine['id']}",
        json={"definition": {"steps": steps[1:]}},
        headers=tenant.headers,
    )
    assert updated.status_code == 422
    assert updated.json()["errors"][0]["field"] == "body.definition.steps.0.automation"


async def test_steps_naming_another_projects_namespace_provider_or_object_are_refused(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    namespace = await make_namespace(client, other)
    provider = await make_provider(client, other)
    steps = [
        {"id": "find", "kind": "knowledge.search", "namespaces": [namespace["id"]], "query": "x"},
        {"id": "ask", "kind": "llm", "provider": provider["id"], "prompt": "hi"},
    ]
    created = await client.post(
        "/v1/automations",
        json={"name": unique("auto"), "definition": {"steps": steps}},
        headers=tenant.headers,
    )
    assert created.status_code == 422, created.text
    fields = [e["field"] for e in created.json()["errors"]]
    assert fields == ["body.definition.steps.0.namespaces.0", "body.definition.steps.1.provider"]


async def test_an_agent_naming_another_projects_namespace_is_refused_at_save(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    theirs = await make_namespace(client, other)
    mine = await make_namespace(client, tenant)
    provider = await make_provider(client, tenant)
    body = {
        "name": unique("agent"),
        "runtime": {"provider": provider["name"], "model": "offline"},
        "tools": [{"name": "search_knowledge"}],
        "knowledge_namespaces": [mine["id"], theirs["id"]],
    }
    created = await client.post("/v1/agents", json=body, headers=tenant.headers)
    assert created.status_code == 422, created.text
    assert created.json()["errors"] == [
        {
            "field": "body.knowledge_namespaces.1",
            "message": f"no knowledge namespace '{theirs['id']}' in this project",
        }
    ]
    agent = await make_agent(
        client,
        tenant,
        provider,
        tools=[{"name": "search_knowledge"}],
        knowledge_namespaces=[mine["id"]],
    )
    patched = await client.patch(
        f"/v1/agents/{agent['id']}",
        json={"knowledge_namespaces": [theirs["id"]]},
        headers=tenant.headers,
    )
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"].endswith("knowledge_namespaces.0")
