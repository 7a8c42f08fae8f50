"""The route table walk: every route declares a section and answers 401, 403 and 404 as it must,
takes exactly the query parameters the document lists, and answers 405 and OPTIONS with the
path's methods, through the planned handlers and through FastAPI's own router (`planned_routes`
off) alike."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from kanri.core.auth import section_of
from kanri.core.routing import query_names
from kanri.core.time import utcnow
from kanri.runtime import Kanri
from tests.agents.factories import make_agent
from tests.content.factories import cfield, make_entry, make_type
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key, make_tenant
from tests.knowledge.factories import make_namespace, put_entry
from tests.records.factories import field, make_object, make_record


@pytest.fixture(params=["planned", "fastapi-router"])
async def client(
    request: pytest.FixtureRequest, app: FastAPI, fastapi_routed_app: FastAPI
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the session app, or of its twin that answers through FastAPI's router."""
    target = app if request.param == "planned" else fastapi_routed_app
    transport = httpx.ASGITransport(app=target, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        yield http


def _sections(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for sub in dependant.dependencies:
        section = section_of(sub.call)
        if section is not None:
            found.add(section)
        found |= _sections(sub)
    return found


def _routes(app: FastAPI) -> list[APIRoute]:
    # Included routers are wrapped; iter_route_contexts yields every effective route.
    routes = [c.original_route for c in iter_route_contexts(app.routes)]
    found = [r for r in routes if isinstance(r, APIRoute)]
    assert len(found) >= 20, "the walk found too few routes to mean anything"
    return found


def _records_body(path: str, method: str) -> dict[str, Any] | None:
    bodies: dict[str, dict[str, Any]] = {
        ":batchCreate": {"records": [{"field_values": {}}]},
        ":batchUpdate": {"records": [{"id": "rec_x", "field_values": {}}]},
        ":batchDelete": {"records": [{"id": "rec_x"}]},
        ":query": {},
        "/fields": {"slug": "walk", "name": "walk", "type": "text"},
        "/records": {"field_values": {}},
        "/records/{record_id}": {"field_values": {}},
        "/v1/objects": {"slug": "walk", "name": "walk"},
    }
    if method == "PATCH":
        return {"field_values": {}} if path.endswith("/records/{record_id}") else {}
    if method in ("POST", "PUT"):
        return next((b for end, b in bodies.items() if path.endswith(end)), None)
    return None


def _moderation_body(path: str, method: str) -> dict[str, Any] | None:
    item = {"external_id": "walk", "content": "a walk", "author": {"id": "walker"}}
    bodies: dict[str, dict[str, Any]] = {
        ":claim": {},
        ":decide": {"action": "approve"},
        ":appeal": {"reason": "walk"},
        ":batch": {"items": [item]},
        "/items": item,
        "/rules": {"name": "walk", "action": "flag"},
        "/scan": {},
        "/settings": {},
    }
    if method == "PATCH":
        return {}
    if method in ("POST", "PUT"):
        return next((b for end, b in bodies.items() if path.endswith(end)), None)
    return None


def _sample_body(route: APIRoute, method: str) -> dict[str, Any] | None:
    if route.path.startswith("/v1/objects"):
        return _records_body(route.path, method)
    content: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/v1/content/types"): {"slug": "walk", "name": "walk"},
        ("PUT", "/v1/content/locales"): {"default": "en", "locales": ["en"]},
        ("POST", "/v1/content/entries"): {"type": "walk", "slug": "walk"},
        ("POST", "/v1/content/entries:generate"): {
            "type": "walk",
            "brief": "walk",
            "provider": "walk",
        },
    }
    if (method, route.path) in content:
        return content[(method, route.path)]
    if route.path.startswith("/v1/content/entries/") and method == "POST":
        return {}
    if method == "PATCH" or route.path.endswith("/rotate"):
        return {}
    if route.path == "/v1/agents/{agent_id}/runs":
        return {"message": "walk"}
    if route.path.endswith("/map-runtime"):
        return {"provider": "walk"}
    if route.path.endswith("/runs"):
        return {"inputs": {}}
    if route.path.endswith("/fork"):
        return {"from_step": "a"}
    if route.path.endswith("/rollback"):
        return {"version": 1}
    if route.path.endswith(
        (
            "/publish",
            "/cancel",
            "/retry",
            "/approve",
            "/reject",
            "/rotate-secret",
            "/test",
            "/pause",
            "/resume",
        )
    ):
        return {}
    if route.path.endswith("/escalate"):
        return {"severity": "high", "reason": "walk"}
    if route.path.endswith("/request-approval"):
        return {}
    if route.path == "/v1/policies/default":
        return {"policy": None}
    if route.path == "/v1/governance/pre-check":
        return {"workflow": "walk"}
    if route.path == "/v1/policy-exceptions":
        return {
            "policy": "walk",
            "rule": 1,
            "justification": "walk",
            "expires_at": "2027-06-01T00:00:00Z",
        }
    if route.path == "/v1/external-executions":
        return {"engine": "n8n", "workflow_id": "w", "execution_id": "e", "status": "running"}
    if route.path.endswith(("/entries", "/entries/{entry_id}")) and method in ("POST", "PUT"):
        return {"text": "walk"}
    if route.path == "/v1/knowledge/search":
        return {"query": "walk", "namespaces": ["walk"]}
    if route.path.endswith("/search"):
        return {"query": "walk", "mode": "keyword"}
    if route.path.startswith("/v1/moderation"):
        return _moderation_body(route.path, method)
    if route.path == "/v1/automations":
        return {"name": "walk", "definition": {"steps": [{"id": "a", "kind": "transform"}]}}
    return {"name": "walk"} if method == "POST" else None


def _required_query(route: APIRoute) -> dict[str, str]:
    """The query parameters a route requires (their values do not matter for the walks)."""
    return {
        field.alias: "walk"
        for field in route.dependant.query_params
        if field.field_info.is_required()
    }


def _sample_content(route: APIRoute, method: str) -> dict[str, Any]:
    """The request content of a walk: a sample body, or for the upload one text file."""
    if route.path.endswith("/entries:upload"):
        return {"files": {"files": ("walk.txt", b"a walk", "text/plain")}}
    if route.path == "/v1/content/assets" and method == "POST":
        return {"files": {"file": ("walk.txt", b"a walk", "text/plain")}}
    return {"json": _sample_body(route, method)}


def test_every_route_declares_exactly_one_section(app: FastAPI) -> None:
    missing = [
        f"{sorted(r.methods or ())} {r.path}"
        for r in _routes(app)
        if len(_sections(r.dependant)) != 1
    ]
    assert missing == []


def _guarded(app: FastAPI) -> list[tuple[str, APIRoute]]:
    return [
        (method, route)
        for route in _routes(app)
        if _sections(route.dependant) != {"public"}
        for method in sorted(route.methods or ())
    ]


PLACEHOLDERS = {
    "environment_id": "production",
    "key_id": "key_x",
    "automation_id": "aut_x",
    "version": "1",
    "run_id": "run_x",
    "approval_id": "apr_x",
    "schedule_id": "sch_x",
    "webhook_id": "whk_x",
    "delivery_id": "whd_x",
    "event_id": "evt_x",
    "object_id": "obj_x",
    "field_id": "fld_x",
    "record_id": "rec_x",
    "policy_id": "pol_x",
    "exception_id": "pex_x",
    "execution_id": "ext_x",
    "provider_id": "prv_x",
    "agent_id": "agt_x",
    "thread_id": "thr_x",
    "price_id": "prc_x",
    "budget_id": "bdg_x",
    "judge_id": "jdg_x",
    "namespace": "kns_x",
    "entry_id": "walk",
    "item_id": "mod_x",
    "rule_id": "mru_x",
    "author_id": "walker",
    "secret_name": "API_TOKEN",
    "variable_name": "REGION",
    "admin_key_id": "key_x",
    "report_id": "rpt_x",
    "trace_id": "0af7651916cd43dd8448eb211c80319c",
    "content_type_id": "ctt_x",
    "content_entry_id": "cen_x",
    "from_version": "1",
    "to_version": "2",
    "slug": "walk",
    "asset_id": "ast_x",
}


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def _error_code(response: httpx.Response) -> str:
    """The error's code: problem+json's, or (under `/v1/openai/`) OpenAI's shape's."""
    body = response.json()
    if response.url.path.startswith("/v1/openai/"):
        assert response.headers["content-type"] == "application/json"
        code = str(body["error"]["code"])
        return {"invalid_api_key": "UNAUTHORIZED"}.get(code, code.upper())
    assert response.headers["content-type"] == "application/problem+json"
    return str(body["code"])


async def test_every_guarded_route_answers_401_without_a_key(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ids = {**PLACEHOLDERS, "project_id": tenant.project_id}
    for method, route in _guarded(app):
        response = await client.request(
            method, _fill(route.path, ids), **_sample_content(route, method)
        )
        assert response.status_code == 401, f"{method} {route.path}: {response.text}"
        assert _error_code(response) == "UNAUTHORIZED"


async def test_every_guarded_route_answers_403_to_a_key_without_its_section(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # `channels:read` reaches none of the routes below.
    narrow = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["channels:read"])
    ids = {**PLACEHOLDERS, "project_id": tenant.project_id}
    for method, route in _guarded(app):
        response = await client.request(
            method,
            _fill(route.path, ids),
            **_sample_content(route, method),
            headers=bearer(narrow["key"]),
        )
        assert response.status_code == 403, f"{method} {route.path}: {response.text}"
        assert _error_code(response) == "FORBIDDEN"


async def test_every_route_with_an_id_answers_404_for_another_tenants_resource(
    app: FastAPI, client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    other = await make_tenant(client, kanri)
    their_key = await make_key(client, other.admin_key, other.project_id)
    their_env = (await client.get("/v1/environments/development", headers=other.headers)).json()
    automation = await make_automation(client, other, [{"id": "gate", "kind": "approval"}])
    run = await run_and_wait(client, other, automation["id"], wait=0.1)
    await until_status(client, other, run["id"], {"waiting"})
    approvals = (await client.get("/v1/approvals", headers=other.headers)).json()["data"]
    schedule = await client.post(
        "/v1/schedules",
        json={"automation": automation["id"], "cron": "0 0 1 1 *", "enabled": False},
        headers=other.headers,
    )
    assert schedule.status_code == 201, schedule.text
    webhook = await client.post(
        "/v1/webhooks",
        json={"url": "https://example.com/hook", "event_types": ["*"], "enabled": True},
        headers=other.headers,
    )
    assert webhook.status_code == 201, webhook.text
    delivery = await client.post(
        f"/v1/webhooks/{webhook.json()['id']}/test", json={}, headers=other.headers
    )
    assert delivery.status_code == 202, delivery.text
    their_events = (await client.get("/v1/events", headers=other.headers)).json()["data"]
    their_object = await make_object(client, other, [field("name")])
    their_record = await make_record(client, other, their_object, name="x")
    policy = await client.post(
        "/v1/policies",
        json={"name": "walk", "rules": [{"when": "", "effect": "allow"}]},
        headers=other.headers,
    )
    assert policy.status_code == 201, policy.text
    exception = await client.post(
        "/v1/policy-exceptions",
        json={
            "policy": "walk",
            "rule": 1,
            "justification": "walk",
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
        headers=other.headers,
    )
    assert exception.status_code == 201, exception.text
    execution = await client.post(
        "/v1/external-executions",
        json={"engine": "n8n", "workflow_id": "w", "execution_id": "e", "status": "running"},
        headers=other.headers,
    )
    assert execution.status_code == 201, execution.text
    their_agent = await make_agent(client, other)
    their_thread = await client.post("/v1/threads", json={}, headers=other.headers)
    their_price = await client.post(
        "/v1/prices",
        json={"provider": "*", "model": "m", "input_per_million": 1, "output_per_million": 1},
        headers=other.headers,
    )
    their_budget = await client.post(
        "/v1/budgets",
        json={"name": "b", "period": "day", "limit_usd": 100},
        headers=other.headers,
    )
    their_judge = await client.post(
        "/v1/judges",
        json={
            "name": "j",
            "kind": "rule",
            "agent": their_agent["id"],
            "config": {"checks": [{"type": "exists"}]},
        },
        headers=other.headers,
    )
    their_item = await client.post(
        "/v1/moderation/items",
        json={"external_id": "walk", "content": "a walk", "author": {"id": "walker"}},
        headers=other.headers,
    )
    assert their_item.status_code == 201, their_item.text
    their_rule = await client.post(
        "/v1/moderation/rules", json={"name": "walk", "action": "flag"}, headers=other.headers
    )
    assert their_rule.status_code == 201, their_rule.text
    namespace = await make_namespace(client, other)
    their_report = await client.post(
        "/v1/reports", json={"type": "daily", "title": "t", "content": "c"}, headers=other.headers
    )
    assert their_report.status_code == 201, their_report.text
    their_span = {
        "traceId": PLACEHOLDERS["trace_id"],
        "spanId": "b7ad6b7169203331",
        "name": "walk",
        "startTimeUnixNano": str(int(utcnow().timestamp() * 1e9)),
    }
    their_trace = await client.post(
        "/v1/otlp/v1/traces",
        json={"resourceSpans": [{"scopeSpans": [{"spans": [their_span]}]}]},
        headers=other.headers,
    )
    assert their_trace.status_code == 200, their_trace.text
    entry = await put_entry(client, other, namespace["id"], "walk", "a walk in the park")
    their_secret = await client.put(
        "/v1/secrets/WALK", json={"value": "their-value"}, headers=other.headers
    )
    assert their_secret.status_code == 200, their_secret.text
    their_variable = await client.put(
        "/v1/variables/WALK", json={"value": 1}, headers=other.headers
    )
    assert their_variable.status_code == 200, their_variable.text
    their_admin_key = await client.post(
        "/v1/admin-keys", json={"name": "walk"}, headers=other.admin_headers
    )
    assert their_admin_key.status_code == 201, their_admin_key.text
    their_type = await make_type(client, other, [cfield("title")])
    their_content = await make_entry(client, other, their_type["slug"], "walk", title="a")
    await client.post(
        f"/v1/content/entries/{their_content['id']}:publish", json={}, headers=other.headers
    )
    their_asset = await client.post(
        "/v1/content/assets", files={"file": ("a.txt", b"walk")}, headers=other.headers
    )
    assert their_asset.status_code == 201, their_asset.text
    ids = {
        "project_id": other.project_id,
        "policy_id": policy.json()["id"],
        "exception_id": exception.json()["id"],
        "execution_id": execution.json()["id"],
        "environment_id": their_env["id"],
        "key_id": their_key["id"],
        "automation_id": automation["id"],
        "version": "1",
        "run_id": run["id"],
        "approval_id": approvals[0]["id"],
        "schedule_id": schedule.json()["id"],
        "webhook_id": webhook.json()["id"],
        "delivery_id": delivery.json()["id"],
        "event_id": their_events[0]["id"],
        "object_id": their_object["id"],
        "field_id": their_object["fields"][0]["id"],
        "record_id": their_record["id"],
        "provider_id": their_agent["runtime"]["provider"],
        "agent_id": their_agent["id"],
        "thread_id": their_thread.json()["id"],
        "price_id": their_price.json()["id"],
        "budget_id": their_budget.json()["id"],
        "judge_id": their_judge.json()["id"],
        "namespace": namespace["id"],
        "entry_id": entry["id"],
        "item_id": their_item.json()["id"],
        "rule_id": their_rule.json()["id"],
        "author_id": "walker",
        "secret_name": "WALK",
        "variable_name": "WALK",
        "admin_key_id": their_admin_key.json()["id"],
        "report_id": their_report.json()["id"],
        "trace_id": PLACEHOLDERS["trace_id"],
        "content_type_id": their_type["id"],
        "content_entry_id": their_content["id"],
        "from_version": "1",
        "to_version": "1",
        "slug": "walk",
        "asset_id": their_asset.json()["id"],
    }
    # Setting a secret or variable by name sets the caller's own (names are per environment).
    own_names = {("PUT", "/v1/secrets/{secret_name}"), ("PUT", "/v1/variables/{variable_name}")}
    checked = 0
    for method, route in _guarded(app):
        if "{" not in route.path or (method, route.path) in own_names:
            continue
        by_admin = route.path.startswith(("/v1/projects", "/v1/admin-keys"))
        headers = tenant.admin_headers if by_admin else tenant.headers
        response = await client.request(
            method,
            _fill(route.path, ids),
            params=_required_query(route),
            **_sample_content(route, method),
            headers=headers,
        )
        assert response.status_code == 404, f"{method} {route.path}: {response.text}"
        checked += 1
    assert checked >= 20
    # nothing of theirs changed
    assert (
        await client.get("/v1/environments/development", headers=other.headers)
    ).status_code == 200
    assert (
        await client.get("/v1/environments", headers=bearer(their_key["key"]))
    ).status_code == 200
    assert (await client.get("/v1/secrets/WALK", headers=other.headers)).json()["version"] == 1


@pytest.mark.parametrize(
    "path", ["/health", "/ready", "/metrics", "/openapi.json", "/docs", "/redoc"]
)
async def test_public_routes_need_no_key(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200


def _paths(app: FastAPI, ids: dict[str, str]) -> dict[str, set[str]]:
    """A URL of each path template of the route table, with the methods of its routes."""
    methods: dict[str, set[str]] = {}
    for route in _routes(app):
        methods.setdefault(_fill(route.path, ids), set()).update(route.methods or ())
    return methods


def _answered(app: FastAPI, url: str) -> set[str]:
    """Every method some route answers at `url` (`PATCH /v1/policies/default` reaches the
    route of `/v1/policies/{policy_id}`)."""
    return {m for r in _routes(app) if r.path_regex.match(url) for m in r.methods or ()}


def _admin_of(tenant: Tenant) -> dict[str, str]:
    # An organization admin key acting on the tenant's project reaches every route.
    return {**tenant.admin_headers, "Kanri-Project": tenant.project_id}


async def test_every_operation_refuses_a_query_parameter_it_does_not_declare(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ids = {**PLACEHOLDERS, "project_id": tenant.project_id}
    checked = 0
    for route in _routes(app):
        for method in sorted(route.methods or ()):
            response = await client.request(
                method,
                _fill(route.path, ids),
                params={"page_size": "10", "color": "blue"},
                **_sample_content(route, method),
                headers=_admin_of(tenant),
            )
            where = f"{method} {route.path}: {response.text}"
            assert response.status_code == 400, where
            unknown = ["query.color"] + (
                [] if "page_size" in query_names(route) else ["query.page_size"]
            )
            if route.path.startswith("/v1/openai/"):  # errors in OpenAI's shape there
                error = response.json()["error"]
                assert error["code"] == "unknown_parameter", where
                assert error["param"] in {u.removeprefix("query.") for u in unknown}, where
            else:
                problem = response.json()
                assert problem["code"] == "UNKNOWN_PARAMETER", where
                assert sorted(e["field"] for e in problem["errors"]) == sorted(unknown), where
            checked += 1
    assert checked > 150


def test_the_document_lists_exactly_the_query_parameters_each_operation_accepts(
    app: FastAPI,
) -> None:
    paths = app.openapi()["paths"]
    for route in _routes(app):
        for method in route.methods or ():
            operation = paths[route.path][method.lower()]
            documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert documented == query_names(route), f"{method} {route.path}"


async def test_declared_query_parameters_are_accepted(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    listing = await client.get(
        "/v1/environments",
        params={
            "page_size": "1",
            "filter": 'name = "production"',
            "order_by": "name desc",
            "include_total": "true",
        },
        headers=tenant.headers,
    )
    assert listing.status_code == 200, listing.text
    assert [e["name"] for e in listing.json()["data"]] == ["production"]
    costs = await client.get(
        "/v1/costs",
        params={"group_by": "day", "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"},
        headers=tenant.headers,
    )
    assert costs.status_code == 200, costs.text
    obj = await make_object(client, tenant, [field("name")])
    record = await make_record(client, tenant, obj, name="x")
    expanded = await client.get(
        f"/v1/objects/{obj['id']}/records/{record['id']}",
        params={"expand": "", "show_deleted": "true"},
        headers=tenant.headers,
    )
    assert expanded.status_code == 200, expanded.text
    automation = await make_automation(client, tenant, [{"id": "a", "kind": "transform"}])
    run = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        params={"wait": "5"},
        json={"inputs": {}},
        headers=tenant.headers,
    )
    assert run.status_code in (200, 202), run.text
    assert (await client.get("/health")).status_code == 200
    # Pages that are not API operations take what their assets' URLs carry.
    assert (await client.get("/docs", params={"v": "1"})).status_code == 200


async def test_an_unknown_query_parameter_is_answered_after_authentication(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    anonymous = await client.get("/v1/environments", params={"colour": "blue"})
    assert anonymous.status_code == 401
    invalid_body = await client.post(
        "/v1/environments", params={"colour": "blue"}, json={"name": 7}, headers=tenant.headers
    )
    assert invalid_body.status_code == 400
    assert invalid_body.json()["errors"] == [
        {
            "field": "query.colour",
            "message": "not a parameter of this operation (it takes: none)",
        }
    ]


async def test_a_405_names_every_method_of_the_path_in_allow(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    order = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    for path, methods in _paths(app, {**PLACEHOLDERS, "project_id": tenant.project_id}).items():
        # An action (`…/x:publish`) is its own resource even where `…/{id}` would fit it.
        answered = methods if ":" in path.rsplit("/", 1)[-1] else _answered(app, path)
        wrong = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in answered)
        response = await client.request(wrong, path, headers=tenant.headers)
        assert response.status_code == 405, f"{wrong} {path}: {response.text}"
        assert response.json()["code"] == "METHOD_NOT_ALLOWED"
        expected = [m for m in order if m in methods | {"OPTIONS"}]
        assert response.headers["allow"] == ", ".join(expected), f"{wrong} {path}"


async def test_options_answers_the_methods_of_the_path(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for path, methods in _paths(app, {**PLACEHOLDERS, "project_id": "prj_x"}).items():
        response = await client.options(path)
        assert response.status_code == 204, f"OPTIONS {path}: {response.text}"
        assert response.content == b""
        allowed = set(response.headers["allow"].split(", "))
        assert allowed == methods | {"OPTIONS"}, f"OPTIONS {path}"
    assert (await client.options("/v1/projects")).headers["allow"] == "GET, POST, OPTIONS"
    assert (await client.options("/v1/nowhere")).status_code == 404
