"""The route table walk: every route declares a section and answers 401, 403 and 404 as it must."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from kanri.core.auth import section_of
from kanri.runtime import Kanri
from tests.engine.factories import make_automation, run_and_wait, until_status
from tests.factories import Tenant, bearer, make_key, make_tenant
from tests.knowledge.factories import make_namespace, put_entry


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


def _sample_body(route: APIRoute, method: str) -> dict[str, Any] | None:
    if method == "PATCH" or route.path.endswith("/rotate"):
        return {}
    if route.path.endswith("/runs"):
        return {"inputs": {}}
    if route.path.endswith("/fork"):
        return {"from_step": "a"}
    if route.path.endswith("/rollback"):
        return {"version": 1}
    if route.path.endswith(("/publish", "/cancel", "/retry", "/approve", "/reject")):
        return {}
    if route.path.endswith(("/entries", "/entries/{entry_id}")) and method in ("POST", "PUT"):
        return {"text": "walk"}
    if route.path == "/v1/knowledge/search":
        return {"query": "walk", "namespaces": ["walk"]}
    if route.path.endswith("/search"):
        return {"query": "walk", "mode": "keyword"}
    if route.path == "/v1/automations":
        return {"name": "walk", "definition": {"steps": [{"id": "a", "kind": "transform"}]}}
    return {"name": "walk"} if method == "POST" else None


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
    "namespace": "kns_x",
    "entry_id": "walk",
}


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


async def test_every_guarded_route_answers_401_without_a_key(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ids = {**PLACEHOLDERS, "project_id": tenant.project_id}
    for method, route in _guarded(app):
        response = await client.request(
            method, _fill(route.path, ids), json=_sample_body(route, method)
        )
        assert response.status_code == 401, f"{method} {route.path}: {response.text}"
        assert response.json()["code"] == "UNAUTHORIZED"


async def test_every_guarded_route_answers_403_to_a_key_without_its_section(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # `moderation:read` reaches none of the routes below.
    narrow = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["moderation:read"])
    ids = {**PLACEHOLDERS, "project_id": tenant.project_id}
    for method, route in _guarded(app):
        response = await client.request(
            method,
            _fill(route.path, ids),
            json=_sample_body(route, method),
            headers=bearer(narrow["key"]),
        )
        assert response.status_code == 403, f"{method} {route.path}: {response.text}"
        assert response.json()["code"] == "FORBIDDEN"


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
    namespace = await make_namespace(client, other)
    entry = await put_entry(client, other, namespace["id"], "walk", "a walk in the park")
    ids = {
        "project_id": other.project_id,
        "environment_id": their_env["id"],
        "key_id": their_key["id"],
        "automation_id": automation["id"],
        "version": "1",
        "run_id": run["id"],
        "approval_id": approvals[0]["id"],
        "schedule_id": schedule.json()["id"],
        "namespace": namespace["id"],
        "entry_id": entry["id"],
    }
    checked = 0
    for method, route in _guarded(app):
        if "{" not in route.path:
            continue
        headers = tenant.admin_headers if route.path.startswith("/v1/projects") else tenant.headers
        response = await client.request(
            method, _fill(route.path, ids), json=_sample_body(route, method), headers=headers
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


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics", "/openapi.json", "/docs"])
async def test_public_routes_need_no_key(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200
