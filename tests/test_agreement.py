"""The document and the server agree on what a request may hold: each case is a request the
document refuses and the server refuses with a problem on the same field, or one that both
accept. (Each was a mismatch a schemathesis run found: a schema-valid request refused, or a
schema-invalid one accepted.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator

from tests.agents.factories import make_agent, make_budget, make_provider
from tests.factories import Tenant, bearer, unique
from tests.knowledge.factories import make_namespace
from tests.records.factories import field, make_object


def _schema(app: FastAPI, path: str, method: str, where: str, name: str = "") -> dict[str, Any]:
    """The document's schema of `path`'s request body, or of its parameter `name` (`where`:
    query, header), with the document's components to resolve references in."""
    document = app.openapi()
    operation = document["paths"][path][method]
    if where == "body":
        content = operation["requestBody"]["content"]
        schema = next(iter(content.values()))["schema"]
    else:
        found = [p for p in operation["parameters"] if p["in"] == where and p["name"] == name]
        schema = found[0]["schema"]
    return {**schema, "components": document["components"]}


def allows(schema: dict[str, Any], value: Any) -> bool:
    return bool(Draft202012Validator(schema).is_valid(value))


_CHECKS = {"checks": [{"type": "exists"}]}


def _fields(response: httpx.Response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


async def test_a_kanri_project_header_longer_than_documented_is_refused_for_any_key(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    schema = _schema(app, "/v1/environments", "get", "header", "Kanri-Project")
    assert not allows(schema, "p" * 101)
    # A project key does not read the header; its bound holds all the same.
    response = await client.get(
        "/v1/environments", headers={**tenant.headers, "Kanri-Project": "p" * 101}
    )
    assert response.status_code == 400
    assert _fields(response) == ["header.Kanri-Project"]


async def test_an_idempotency_key_outside_printable_ascii_is_refused_as_documented(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    schema = _schema(app, "/v1/environments", "post", "header", "Idempotency-Key")
    assert not allows(schema, "two words")
    assert allows(schema, "retry-1")
    response = await client.post(
        "/v1/environments",
        json={"name": unique("env")},
        headers={**tenant.headers, "Idempotency-Key": "two words"},
    )
    assert response.status_code == 422
    assert _fields(response) == ["header.Idempotency-Key"]


async def test_a_list_filter_is_as_long_as_documented(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    schema = _schema(app, "/v1/environments", "get", "query", "filter")
    too_long = 'name = "' + "x" * 2000 + '"'
    assert not allows(schema, too_long)
    response = await client.get(
        "/v1/environments", params={"filter": too_long}, headers=tenant.headers
    )
    assert response.status_code == 400
    assert _fields(response) == ["filter"]  # as the filter's own errors name it
    costs = _schema(app, "/v1/costs", "get", "query", "filter")
    assert costs["anyOf"][0]["maxLength"] == 2000


@pytest.mark.parametrize(
    ("percent", "accepted"),
    [
        ("50", True),
        (50.5, True),
        ("0.5", True),
        ("", False),
        ("1E+2", False),
        ("1000.5", False),
        (0, False),
    ],
)
async def test_a_threshold_percent_is_a_number_or_its_digits_in_range(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, percent: Any, accepted: bool
) -> None:
    body = {
        "name": unique("b"),
        "period": "day",
        "limit_usd": "10",
        "thresholds": [{"percent": percent, "action": "notify"}],
    }
    assert allows(_schema(app, "/v1/budgets", "post", "body"), body) is accepted
    response = await client.post("/v1/budgets", json=body, headers=tenant.headers)
    if accepted:
        assert response.status_code == 201, response.text
        assert float(response.json()["thresholds"][0]["percent"]) == float(percent)
    else:
        assert response.status_code == 422
        assert _fields(response) == ["body.thresholds.0.percent"]


async def test_prices_and_limits_are_bounded_in_the_document_as_on_the_server(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    price = {"provider": "*", "model": "m", "input_per_million": "1000001", "output_per_million": 1}
    assert not allows(_schema(app, "/v1/prices", "post", "body"), price)
    refused = await client.post("/v1/prices", json=price, headers=tenant.headers)
    assert refused.status_code == 422
    assert _fields(refused) == ["body.input_per_million"]
    budget = await make_budget(client, tenant, limit_usd="5")
    patch = {"limit_usd": "0"}
    assert not allows(_schema(app, "/v1/budgets/{budget_id}", "patch", "body"), patch)
    changed = await client.patch(f"/v1/budgets/{budget['id']}", json=patch, headers=tenant.headers)
    assert changed.status_code == 422
    assert _fields(changed) == ["body.limit_usd"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/environments", {"name": "strict", "description": 7}, "body.description"),
        (
            "/v1/webhooks",
            {"url": "https://example.com/h", "event_types": ["*"], "enabled": 1},
            "body.enabled",
        ),
        (
            "/v1/prices",
            {
                "provider": "*",
                "model": "m",
                "input_per_million": 1,
                "output_per_million": 1,
                "effective_from": 0,
            },
            "body.effective_from",
        ),
        (
            "/v1/governance/pre-check",
            {"agent": "a", "context": {"estimated_cost": False}},
            "body.context.estimated_cost",
        ),
        (
            "/v1/knowledge/namespaces",
            {"name": "strict", "chunking": {"max_tokens": "256"}},
            "body.chunking.max_tokens",
        ),
    ],
)
async def test_values_have_the_json_types_the_document_gives_them(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    assert not allows(_schema(app, path, "post", "body"), body)
    response = await client.post(path, json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert _fields(response) == [field]


@pytest.mark.parametrize(
    ("limit", "accepted"), [(270, True), (270.0, True), (270.5, False), ("270", False)]
)
async def test_an_integer_may_be_written_with_a_zero_fraction_as_json_schema_counts_it(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, limit: Any, accepted: bool
) -> None:
    body = {"filter": 'status = "running"', "limit": limit}
    assert allows(_schema(app, "/v1/runs:batchCancel", "post", "body"), body) is accepted
    response = await client.post("/v1/runs:batchCancel", json=body, headers=tenant.headers)
    if accepted:
        assert response.status_code == 200, response.text
        assert response.json() == {"matched": 0, "changed": 0}
    else:
        assert response.status_code == 422
        assert _fields(response) == ["body.limit"]


async def test_a_record_batch_takes_a_boolean_atomic_only(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("name")])
    path = "/v1/objects/{object_id}/records:batchCreate"
    body = {"atomic": 0, "records": [{"field_values": {"name": "x"}}]}
    assert not allows(_schema(app, path, "post", "body"), body)
    response = await client.post(
        path.replace("{object_id}", obj["id"]), json=body, headers=tenant.headers
    )
    assert response.status_code == 422
    assert _fields(response) == ["body.atomic"]


@pytest.mark.parametrize(
    ("embedding", "accepted"),
    [
        ({}, True),
        ({"provider_id": "prv_x"}, False),  # a local embedding names no provider
        ({"provider": "openai", "model": "m"}, False),  # neither provider_id nor base_url
        ({"provider": "openai", "model": "m", "base_url": "0"}, False),  # not a URL
        ({"provider": "openai", "model": "", "base_url": "https://example.com/v1"}, False),
        (
            {"provider": "openai", "model": "m", "provider_id": "p", "base_url": "https://e.com"},
            False,
        ),
    ],
)
async def test_a_namespace_embedding_is_one_of_the_documented_shapes(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    embedding: dict[str, Any],
    accepted: bool,
) -> None:
    body = {"name": unique("kb"), "embedding": embedding}
    assert allows(_schema(app, "/v1/knowledge/namespaces", "post", "body"), body) is accepted
    response = await client.post("/v1/knowledge/namespaces", json=body, headers=tenant.headers)
    assert (response.status_code == 201) is accepted, response.text
    if not accepted:
        assert response.status_code == 422
        assert _fields(response)[0].startswith("body.embedding")


async def test_an_upload_takes_a_part_without_a_file_name_as_text(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    namespace = await make_namespace(client, tenant)
    path = "/v1/knowledge/namespaces/{namespace}/entries:upload"
    assert allows(_schema(app, path, "post", "body"), {"files": ["plain words"]})
    assert not allows(_schema(app, path, "post", "body"), {"files": []})
    response = await client.post(
        path.replace("{namespace}", namespace["id"]),
        data={"files": "plain words"},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    [entry] = response.json()["data"]
    assert entry["content_type"] == "text/plain"
    assert entry["characters"] == len("plain words")
    empty = await client.post(
        path.replace("{namespace}", namespace["id"]),
        data={"metadata": "{}"},
        headers=tenant.headers,
    )
    assert empty.status_code == 422
    assert _fields(empty) == ["body.files"]


async def test_an_entry_content_type_is_one_the_server_reads(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    namespace = await make_namespace(client, tenant)
    path = "/v1/knowledge/namespaces/{namespace}/entries"
    schema = _schema(app, path, "post", "body")
    assert allows(schema, {"text": "x", "content_type": "Text/Markdown; charset=utf-8"})
    body = {"text": "x", "content_type": "image/png"}
    assert not allows(schema, body)
    response = await client.post(
        path.replace("{namespace}", namespace["id"]), json=body, headers=tenant.headers
    )
    assert response.status_code == 415
    assert _fields(response) == ["body.content_type"]
    both = {"text": "x", "content_base64": "eA==", "content_type": "text/plain"}
    assert not allows(schema, both)
    refused = await client.post(
        path.replace("{namespace}", namespace["id"]), json=both, headers=tenant.headers
    )
    assert refused.status_code == 422


async def test_a_provider_key_is_never_blank(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant, kind="openai")
    path = "/v1/providers/{provider_id}"
    assert not allows(_schema(app, path, "patch", "body"), {"api_key": "  "})
    response = await client.patch(
        path.replace("{provider_id}", provider["id"]),
        json={"api_key": "  "},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert _fields(response) == ["body.api_key"]
    anthropic = {"name": unique("p"), "kind": "anthropic"}
    assert not allows(_schema(app, "/v1/providers", "post", "body"), anthropic)
    keyless = await client.post("/v1/providers", json=anthropic, headers=tenant.headers)
    assert keyless.status_code == 422
    assert _fields(keyless) == ["body.api_key"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/threads", {"agent": ""}, "body.agent"),
        ("/v1/budgets", {"name": "b", "period": "day", "limit_usd": 1, "agent": ""}, "body.agent"),
        ("/v1/judges", {"name": "j", "kind": "rule", "agent": "", "config": _CHECKS}, "body.agent"),
        (
            "/v1/judges",
            {"name": "j", "kind": "rule", "agent": "a", "automation": "b", "config": _CHECKS},
            "body",
        ),
        (
            "/v1/judges",
            {"name": "j", "kind": "rule", "agent": "a", "config": {"checks": [{"type": "regex"}]}},
            "body.config.checks.0",
        ),
        (
            "/v1/judges",
            {"name": "j", "kind": "llm", "agent": "a", "config": {"provider": "p"}},
            "body",
        ),
        ("/v1/governance/pre-check", {"agent": "a", "workflow": "w"}, "body"),
        ("/v1/webhooks", {"url": "ftp://example.com/h", "event_types": ["*"]}, "body.url"),
        ("/v1/webhooks", {"url": "https://user@example.com/h", "event_types": ["*"]}, "body.url"),
        ("/v1/automations/{id}/runs", {"labels": {"not a key": "x"}}, "body.labels"),
        ("/v1/environments", {"name": "nul", "description": "a\x00b"}, "body"),
        ("/v1/policies", {"name": "p", "rules": [{"effect": "deny"}]}, "body.rules.0"),
        (
            "/v1/policies",
            {"name": "p", "rules": [{"effect": "allow", "required_approvals": 1}]},
            "body.rules.0",
        ),
        (
            "/v1/policies",
            {"name": "p", "rules": [{"effect": "require_approval", "on_timeout": "reject"}]},
            "body.rules.0",
        ),
    ],
)
async def test_a_request_the_document_refuses_is_refused_on_its_field(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    template = path.replace("{id}", "{automation_id}")
    assert not allows(_schema(app, template, "post", "body"), body)
    response = await client.post(path.replace("{id}", "aut_x"), json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert any(found.startswith(field) for found in _fields(response)), response.text


async def test_an_agent_run_gives_one_of_message_and_messages(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    path = "/v1/agents/{agent_id}/runs"
    both = {"message": "hi", "messages": [{"role": "user", "content": "hi"}]}
    assert not allows(_schema(app, path, "post", "body"), both)
    assert allows(_schema(app, path, "post", "body"), {"message": "hi", "messages": None})
    response = await client.post(
        path.replace("{agent_id}", agent["id"]), json=both, headers=tenant.headers
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"type": "select"}, "body.options"),
        ({"type": "text", "options": ["a"]}, "body.options"),
        ({"type": "text", "relation": {"object": "x"}}, "body.relation"),
        ({"type": "json", "indexed": True}, "body.indexed"),
        ({"type": "boolean", "unique": True}, "body.unique"),
        ({"type": "text", "unique": True, "default": "x"}, "body.default"),
    ],
)
async def test_a_field_takes_what_its_type_takes_in_the_document_too(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, definition: dict[str, Any], field: str
) -> None:
    obj = await make_object(client, tenant, [])
    body = {"slug": "f", "name": "F", **definition}
    path = "/v1/objects/{object_id}/fields"
    assert not allows(_schema(app, path, "post", "body"), body)
    response = await client.post(
        path.replace("{object_id}", obj["id"]), json=body, headers=tenant.headers
    )
    assert response.status_code == 422, response.text
    assert field in _fields(response)


def test_every_typed_string_of_a_request_says_it_holds_no_nul(app: FastAPI) -> None:
    components = app.openapi()["components"]["schemas"]
    description = components["EnvironmentCreate"]["properties"]["description"]
    assert not allows(description, "a\x00b")
    assert allows(description, "ab")


async def test_the_suite_key_header_still_reaches_its_own_project(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # The bound is on the header's length only: an admin key names its project as before.
    response = await client.get(
        "/v1/environments",
        headers={**bearer(tenant.admin_key), "Kanri-Project": tenant.project_id},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-3"])
async def test_a_time_in_a_query_is_rfc_3339_not_a_number_of_seconds(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, value: str
) -> None:
    schema = _schema(app, "/v1/costs", "get", "query", "to")
    assert {"type": "string", "format": "date-time"} in schema["anyOf"]
    response = await client.get("/v1/costs", params={"to": value}, headers=tenant.headers)
    assert response.status_code in (400, 422), response.text
    assert _fields(response) == ["query.to"]


async def test_a_wait_step_until_is_rfc_3339_text(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"name": unique("wait"), "definition": {"steps": [{"id": "w", "kind": "wait"}]}}
    for until, accepted in [(0, False), ("2030-01-01T00:00:00Z", True)]:
        body["definition"]["steps"][0]["until"] = until  # type: ignore[index]
        body["name"] = unique("wait")
        assert allows(_schema(app, "/v1/automations", "post", "body"), body) is accepted
        response = await client.post("/v1/automations", json=body, headers=tenant.headers)
        if accepted:
            assert response.status_code == 201, response.text
        else:
            assert response.status_code == 422, response.text
            assert _fields(response) == ["body.definition.steps.0.until"]


async def test_a_patch_giving_an_agent_two_tools_of_one_name_is_422_on_tools(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant, default_model="echo")
    agent = await make_agent(client, tenant, runtime={"provider": provider["name"]})
    tools = [{"name": "emit_event"}, {"name": "emit_event", "requires_approval": True}]
    response = await client.patch(
        f"/v1/agents/{agent['id']}", json={"tools": tools}, headers=tenant.headers
    )
    assert response.status_code == 422, response.text
    assert _fields(response) == ["body.tools"]


async def test_stream_options_include_usage_is_a_boolean(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {
        "model": "anyone",
        "messages": [{"role": "user", "content": "hi"}],
        "stream_options": {"include_usage": 0},
    }
    assert not allows(_schema(app, "/v1/openai/chat/completions", "post", "body"), body)
    response = await client.post("/v1/openai/chat/completions", json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["param"] == "stream_options.include_usage"


async def test_the_longest_names_and_numbers_the_document_allows_are_stored(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """PostgreSQL refuses what SQLite stores: a column's length or integer range must hold
    every value the document allows."""
    checked = await client.post(
        "/v1/governance/pre-check",
        json={"action": "run", "workflow": "w" * 200, "context": {"inputs": {}}},
        headers=tenant.headers,
    )
    assert checked.status_code == 200, checked.text
    reported = await client.post(
        "/v1/external-executions",
        json={
            "engine": "n8n",
            "workflow_id": "w" * 200,
            "execution_id": "e" * 200,
            "status": "error",
            "started_at": "2000-01-01T00:00:00Z",
            "finished_at": "2000-01-01T00:00:00Z",
            "duration_ms": 2_147_483_647,
        },
        headers=tenant.headers,
    )
    assert reported.status_code == 201, reported.text
